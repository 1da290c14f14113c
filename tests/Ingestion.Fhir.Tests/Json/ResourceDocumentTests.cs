using System.Text;
using System.Text.Json;
using Ingestion.Fhir.Json;
using Xunit;

namespace Ingestion.Fhir.Tests.Json;

/// <summary>The edges of <see cref="ResourceDocument"/> against <see cref="JsonDocument"/>'s behaviour: escapes, repeats, depth, malformed input, numbers.</summary>
public sealed class ResourceDocumentTests
{
    [Theory]
    [InlineData("""{}""")]
    [InlineData("""[]""")]
    [InlineData("""{"a":{},"b":[],"c":[{}, [], [[]]]}""")]
    [InlineData("""null""")]
    [InlineData("""true""")]
    [InlineData("""  "x"  """)]
    [InlineData("""{"\u0061":1,"b\"c":"d\ne","\u00e9t\u00E9":"\u00e9","\ud83d\ude00":"\ud83d\ude00"}""")]
    [InlineData("""{"name":"caf\u00e9 \"x\" \\ \/ \b\f\n\r\t","plain":"café","emoji":"😀"}""")]
    [InlineData("""{"a":1,"a":2,"b":[1,2],"a":{"c":3}}""")]
    [InlineData("""[0,-0,1,-1,2147483647,2147483648,-2147483648,-2147483649,9223372036854775807,9223372036854775808,-9223372036854775808]""")]
    [InlineData("""[0.1,1e2,1E+2,1e-2,-1.5e-300,1e308,1e309,-1e309,123456789012345678901234567890,79228162514264337593543950335,79228162514264337593543950336,1.0000000000000000000000000001]""")]
    [InlineData("""["2020-01-01","2020-01-01T10:00:00Z","2020-01-01T10:00:00+01:00","2020-13-01","2020","\u0032020-01-01"]""")]
    [InlineData("""{"resourceType":"Patient","name":[{"given":["a","b"],"_given":[null,{"id":"x"}]}],"active":false}""")]
    public void Accepted_json_reads_the_same_as_through_JsonDocument(string json)
    {
        using var expected = JsonDocument.Parse(json);
        using var actual = ResourceDocument.Parse(json);
        Assert.Null(DocumentComparison.FirstDifference(expected.RootElement, actual.RootElement));
    }

    [Fact]
    public void Escaped_names_compare_and_read_unescaped_and_keep_their_raw_bytes()
    {
        using var document = ResourceDocument.Parse("""{"st\u0061tus":"fin\u0061l"}""");
        var root = document.RootElement;
        Assert.True(root.TryGetProperty("status", out var status));
        Assert.True(root.TryGetProperty("status"u8, out _));
        Assert.False(root.TryGetProperty("st\\u0061tus", out _));
        Assert.True(status.ValueEquals("final"));
        Assert.True(status.ValueEquals("final"u8));
        Assert.Equal("final", status.GetString());
        Assert.Equal("\"fin\\u0061l\"", Encoding.UTF8.GetString(status.RawUtf8));
        var property = root.EnumerateObject().Single();
        Assert.Equal("status", property.Name);
        Assert.True(property.NameEquals("status"u8));
        Assert.Equal("st\\u0061tus", Encoding.UTF8.GetString(property.Utf8Name));
    }

    [Fact]
    public void A_repeated_name_gives_its_last_value_and_every_member_is_enumerated()
    {
        using var document = ResourceDocument.Parse("""{"a":1,"b":{"a":9},"a":2}""");
        Assert.Equal(2, document.RootElement.GetProperty("a").GetInt32());
        Assert.Equal(3, document.RootElement.GetPropertyCount());
        Assert.Equal(["a", "b", "a"], document.RootElement.EnumerateObject().Select(p => p.Name));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(64)]
    [InlineData(512)]
    public void Nesting_deeper_than_the_limit_is_refused_as_by_JsonDocument(int maxDepth)
    {
        foreach (var depth in new[] { maxDepth - 1, maxDepth, maxDepth + 1 }.Where(d => d >= 1))
        {
            foreach (var json in new[] { new string('[', depth) + new string(']', depth), string.Concat(Enumerable.Repeat("{\"a\":", depth - 1)) + "{}" + new string('}', depth - 1) })
            {
                var expected = Accepts(() => JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = maxDepth }).Dispose());
                var actual = Accepts(() => ResourceDocument.Parse(json, maxDepth).Dispose());
                Assert.True(expected == actual, $"depth {depth}, limit {maxDepth}: JsonDocument {(expected ? "accepts" : "refuses")}");
            }
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("{")]
    [InlineData("[1,]")]
    [InlineData("""{"a":1,}""")]
    [InlineData("""{"a" 1}""")]
    [InlineData("""{"a":1}}""")]
    [InlineData("""{} x""")]
    [InlineData("""{}{}""")]
    [InlineData("// c\n{}")]
    [InlineData("""{'a':1}""")]
    [InlineData("""nul""")]
    [InlineData("""01""")]
    [InlineData("""1.""")]
    [InlineData("""-""")]
    [InlineData("""[1 2]""")]
    [InlineData("{\"a\":\"b")]
    [InlineData("""{"a":"\x"}""")]
    [InlineData("""{"a":"\u12"}""")]
    [InlineData("""{"a":NaN}""")]
    [InlineData("\"a\u0001b\"")]
    public void Malformed_json_is_refused_with_a_JsonException_as_by_JsonDocument(string json)
    {
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(json).Dispose());
        Assert.ThrowsAny<JsonException>(() => ResourceDocument.Parse(json).Dispose());
    }

    [Fact]
    public void Invalid_utf8_in_a_string_is_treated_as_by_JsonDocument()
    {
        byte[] json = [.. "{\"a\":\""u8, 0xC3, 0x28, .. "\"}"u8];
        var expected = Accepts(() => JsonDocument.Parse(json).Dispose());
        Assert.Equal(expected, Accepts(() => ResourceDocument.Parse(json).Dispose()));
    }

    [Fact]
    public void The_wrong_kind_throws_as_JsonElement_does_and_the_default_is_undefined()
    {
        using var document = ResourceDocument.Parse("""{"a":[1,"x"]}""");
        var array = document.RootElement.GetProperty("a");
        Assert.Throws<InvalidOperationException>(() => array.GetString());
        Assert.Throws<InvalidOperationException>(() => array.TryGetProperty("a", out _));
        Assert.Throws<InvalidOperationException>(() => document.RootElement.GetArrayLength());
        Assert.Throws<InvalidOperationException>(() => array[1].GetInt32());
        Assert.Throws<KeyNotFoundException>(() => document.RootElement.GetProperty("b"));
        Assert.Throws<IndexOutOfRangeException>(() => array[2]);
        Assert.Equal(JsonValueKind.Undefined, default(ResourceElement).ValueKind);
    }

    [Fact]
    public void A_clone_outlives_its_document_and_its_memory()
    {
        var bytes = Encoding.UTF8.GetBytes("""{"fixed":{"system":"http://loinc.org","code":["1","2"]}}""");
        var document = ResourceDocument.Parse(bytes);
        var clone = document.RootElement.GetProperty("fixed").Clone();
        document.Dispose();
        Array.Clear(bytes);
        Assert.Equal("""{"system":"http://loinc.org","code":["1","2"]}""", clone.GetRawText());
        Assert.Equal(2, clone.GetProperty("code").GetArrayLength());
    }

    [Fact]
    public void WriteTo_writes_what_JsonElement_WriteTo_writes()
    {
        const string json = """{ "a" : [1, 2.50, "x\u0041\n", true, false, null, {}], "\u0062" : { "c" : "é" } }""";
        using var expected = JsonDocument.Parse(json);
        using var actual = ResourceDocument.Parse(json);
        Assert.Equal(Written(expected.RootElement.WriteTo), Written(actual.RootElement.WriteTo));
    }

    private static string Written(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer)) write(writer);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static bool Accepts(Action parse)
    {
        try
        {
            parse();
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    [Fact]
    public void A_line_with_more_rows_than_are_taken_up_front_is_read_whole()
    {
        // 70,001 rows in 140 KB: past the rows a pooled parse takes before it starts, so the tokenizer runs out and
        // the parse starts again with more; JsonDocument reads the same.
        var json = "[" + string.Join(",", Enumerable.Range(0, 70_000).Select(i => i % 10)) + "]";
        using var expected = JsonDocument.Parse(json);
        using var actual = ResourceDocument.Parse(json);
        Assert.Equal(70_000, actual.RootElement.GetArrayLength());
        Assert.Null(DocumentComparison.FirstDifference(expected.RootElement, actual.RootElement));
    }

    [Theory]
    [InlineData("[[[[")] [InlineData("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[")] [InlineData("{\"a\":[[[[[[[[[[")] [InlineData("[[[[1")]
    public void Unclosed_containers_with_more_rows_than_any_accepted_text_of_their_length_are_refused(string json)
    {
        // Open brackets are a row a byte, more than the bound for accepted text: the parse runs out of rows before it
        // reaches the end, then starts again with more and refuses the text as JsonDocument does.
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(json).Dispose());
        Assert.Throws<JsonException>(() => ResourceDocument.Parse(json).Dispose());
        Assert.Throws<JsonException>(() => ResourceDocument.Parse(new MemoryStream(Encoding.UTF8.GetBytes(json))).Dispose());
    }
}
