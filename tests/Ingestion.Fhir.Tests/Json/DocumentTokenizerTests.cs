using System.Text;
using Xunit;

namespace Ingestion.Fhir.Tests.Json;

/// <summary>
/// <see cref="Ingestion.Fhir.Json.DocumentTokenizer"/> accepts exactly what <see cref="System.Text.Json.Utf8JsonReader"/>
/// accepts and builds the rows the reader's tokens built (<see cref="ReaderRows"/>), on generated malformed and edge input.
/// </summary>
public sealed class DocumentTokenizerTests
{
    // Small documents with every token kind, escapes, whitespace and nesting, to cut, flip and stretch.
    private static readonly string[] Seeds =
    [
        """{"resourceType":"Observation","id":"a1","valueQuantity":{"value":-12.5e-3,"unit":"mg"},"component":[{"code":{"text":"x"}},[],{}],"flag":true,"none":null,"off":false}""",
        """ { "na\u006De" : [ "caf\u00e9" , "\"q\"\\\/\b\f\n\r\t" , 0 , -0.0 , 1E+2 , [ [ ] ] , { } ] , "é" : "😀" } """,
        """[1,"two",{"3":[4,{"5":"six"}]},true,false,null,-7.25,"\ud83d\ude00"]""",
        "\t\r\n\"just a string\"\r\n",
    ];

    // Bytes that change what a position means: structure, number and literal parts, escapes, controls, non-ASCII.
    private static readonly byte[] Replacements =
        [.. "{}[]\":,\\ 0159-+.eEtfnulrsx/'"u8, (byte)'\t', (byte)'\n', (byte)'\r', 0x00, 0x01, 0x0B, 0x0C, 0x1F, 0x7F, 0x80, 0xA0, 0xC3, 0xE9, 0xEF, 0xFF];

    [Fact]
    public void Every_truncation_of_a_document_is_accepted_or_refused_as_by_the_reader()
    {
        foreach (var seed in Seeds)
        {
            var bytes = Encoding.UTF8.GetBytes(seed);
            for (var length = 0; length <= bytes.Length; length++) AssertAgrees(bytes.AsSpan(0, length), $"seed {Array.IndexOf(Seeds, seed)} cut at {length}");
            for (var start = 1; start < bytes.Length; start++) AssertAgrees(bytes.AsSpan(start), $"seed {Array.IndexOf(Seeds, seed)} from {start}");
        }
    }

    [Fact]
    public void A_byte_replaced_inserted_or_deleted_anywhere_is_accepted_or_refused_as_by_the_reader()
    {
        var cases = 0;
        foreach (var seed in Seeds)
        {
            var bytes = Encoding.UTF8.GetBytes(seed);
            for (var at = 0; at <= bytes.Length; at++)
            {
                foreach (var b in Replacements)
                {
                    if (at < bytes.Length)
                    {
                        byte[] replaced = [.. bytes];
                        replaced[at] = b;
                        AssertAgrees(replaced, $"seed {Array.IndexOf(Seeds, seed)}, byte {at} replaced by 0x{b:X2}");
                    }
                    AssertAgrees([.. bytes.AsSpan(0, at), b, .. bytes.AsSpan(at)], $"seed {Array.IndexOf(Seeds, seed)}, 0x{b:X2} inserted at {at}");
                    cases += 2;
                }
                if (at < bytes.Length) AssertAgrees([.. bytes.AsSpan(0, at), .. bytes.AsSpan(at + 1)], $"seed {Array.IndexOf(Seeds, seed)}, byte {at} deleted");
            }
        }
        Assert.True(cases > 20_000, "the mutations ran");
    }

    [Theory]
    [InlineData("0")] [InlineData("-0")] [InlineData("01")] [InlineData("-01")] [InlineData("00")] [InlineData("1.")] [InlineData(".1")]
    [InlineData("1e")] [InlineData("1e+")] [InlineData("1e-")] [InlineData("1e-5")] [InlineData("1E5")] [InlineData("1.5e")] [InlineData("1.5E+07")]
    [InlineData("+1")] [InlineData("--1")] [InlineData("1-")] [InlineData("0x1")] [InlineData("1.2.3")] [InlineData("1e5.5")] [InlineData("1e5e5")]
    [InlineData("0.0")] [InlineData("-")] [InlineData("-a")] [InlineData("-.5")] [InlineData("0e0")] [InlineData("0E-0")] [InlineData("1ee5")]
    [InlineData("Infinity")] [InlineData("-Infinity")] [InlineData("NaN")] [InlineData("1e0001")] [InlineData("123456789012345678901234567890.123456789e-123")]
    [InlineData("1/")] [InlineData("1 2")] [InlineData("1,")] [InlineData("1\"")] [InlineData("1a")] [InlineData("0.")] [InlineData("0.e1")]
    public void Numbers_are_accepted_or_refused_as_by_the_reader(string number)
    {
        foreach (var json in new[] { number, $" {number} ", $"[{number}]", $"[{number},1]", $"{{\"n\":{number}}}", $"{{\"n\":{number},\"m\":1}}", $"[{number} ]", $"{{\"n\":{number} }}" })
            AssertAgrees(Encoding.UTF8.GetBytes(json), $"number case {json.Length}");
    }

    [Theory]
    [InlineData("""\u00e9""")] [InlineData("""\u00E9""")] [InlineData("""\uABCD\uabcd""")] [InlineData("""\u00g9""")] [InlineData("""\u12""")] [InlineData("""\u""")]
    [InlineData("""\U0041""")] [InlineData("""\x""")] [InlineData("""\'""")] [InlineData("""\/""")] [InlineData("""\b\f\n\r\t""")] [InlineData("""\\""")]
    [InlineData("\\\"")] [InlineData("""\ud800""")] [InlineData("""\uDFFF\uD800""")] [InlineData("""\ud83d\ude00""")] [InlineData("""a\""")] [InlineData("""\0""")]
    [InlineData("""\a""")] [InlineData("""\ """)] [InlineData("\\\t")] [InlineData("a\tb")] [InlineData("a\nb")] [InlineData("\u007f")] [InlineData("\u001f")]
    public void Escapes_and_raw_control_bytes_in_strings_and_names_are_treated_as_by_the_reader(string text)
    {
        foreach (var json in new[] { $"\"{text}\"", $"[\"{text}\"]", $"{{\"{text}\":1}}", $"{{\"a\":\"{text}\"}}", $"{{\"a\":\"{text}x{text}\",\"{text}{text}\":[]}}" })
            AssertAgrees(Encoding.UTF8.GetBytes(json), "escape case");
    }

    [Fact]
    public void Strings_of_every_length_end_where_the_reader_ends_them_wherever_the_stop_byte_falls()
    {
        // Strings around and past the 32-byte step, with a quote, a backslash escape, a control byte or a plain byte at every offset.
        byte[] stops = [(byte)'"', (byte)'\\', 0x00, 0x1F, 0x20, 0x7F, 0x80, (byte)'a'];
        for (var length = 0; length <= 80; length++)
        {
            for (var at = 0; at <= length; at++)
            {
                foreach (var stop in stops)
                {
                    var text = Enumerable.Repeat((byte)'a', length).ToArray();
                    if (at < length) text[at] = stop;
                    AssertAgrees([(byte)'"', .. text, (byte)'"'], $"string of {length}, 0x{stop:X2} at {at}");
                    AssertAgrees([.. "{\"k\":\""u8, .. text, .. "\",\""u8, .. text, .. "\":0}"u8], $"member string of {length}, 0x{stop:X2} at {at}");
                    AssertAgrees([(byte)'"', .. text], $"unterminated string of {length}, 0x{stop:X2} at {at}");
                }
            }
        }
    }

    [Fact]
    public void A_string_ends_where_the_reader_ends_it_wherever_an_earlier_string_left_the_64_byte_stop_window()
    {
        // The first string's length puts the window's edge (the scan's 64-byte mask starts at that string) at every
        // offset of the second, which has a quote, an escape or a control byte at every offset of its own.
        byte[][] stops = [[(byte)'"'], [.. @"\\"u8], [.. @"\"""u8], [.. @"\u00e9"u8], [.. @"\ud800"u8], [.. @"\x"u8], [0x1F], [0x80]];
        for (var first = 0; first <= 70; first++)
        {
            var a = Enumerable.Repeat((byte)'a', first).ToArray();
            for (var at = 0; at <= 24; at++)
            {
                foreach (var stop in stops)
                {
                    byte[] second = [.. Enumerable.Repeat((byte)'b', at), .. stop, .. Enumerable.Repeat((byte)'c', 24 - at)];
                    AssertAgrees([.. "[\""u8, .. a, .. "\",\""u8, .. second, .. "\"]"u8], $"second string after {first} bytes, stop of {stop.Length} at {at}");
                    AssertAgrees([.. "{\""u8, .. a, .. "\":\""u8, .. second, .. "\"}"u8], $"value after a name of {first} bytes, stop of {stop.Length} at {at}");
                    AssertAgrees([.. "[\""u8, .. a, .. "\",\""u8, .. second], $"unterminated second string after {first} bytes, stop of {stop.Length} at {at}");
                }
            }
        }
    }

    [Fact]
    public void Backslash_runs_of_odd_and_even_length_across_the_window_edges_are_read_as_by_the_reader()
    {
        // An even run is escaped backslashes and the quote after it ends the string; an odd run escapes the quote.
        for (var run = 1; run <= 6; run++)
        {
            for (var before = 52; before <= 140; before++)
            {
                byte[] text = [.. Enumerable.Repeat((byte)'a', before), .. Enumerable.Repeat((byte)'\\', run)];
                AssertAgrees([(byte)'"', .. text, .. "\"x\""u8], $"run of {run} after {before} bytes, then a quote");
                AssertAgrees([.. "{\"k\":\""u8, .. text, .. "\",\"l\":0}"u8], $"run of {run} after {before} bytes in a member");
                AssertAgrees([.. "[\""u8, .. text, .. "u0041\"]"u8], $"run of {run} after {before} bytes, then u0041");
                AssertAgrees([(byte)'"', .. text], $"run of {run} after {before} bytes at the end of the text");
            }
        }
    }

    [Theory]
    [InlineData(1)] [InlineData(2)] [InlineData(5)] [InlineData(31)] [InlineData(63)] [InlineData(64)] [InlineData(65)] [InlineData(127)] [InlineData(128)] [InlineData(129)]
    public void Texts_shorter_than_one_window_or_of_exactly_one_or_two_windows_are_read_as_by_the_reader(int length)
    {
        // A string, an object and an array of short strings, each exactly `length` bytes, then their last bytes cut or replaced.
        var items = Math.Max(1, (length - 1) / 5);
        string[] shapes =
        [
            "\"" + new string('a', Math.Max(0, length - 2)) + "\"",
            "{\"k\":\"" + new string('a', Math.Max(0, length - 8)) + "\"}",
            "[" + string.Join(",", Enumerable.Repeat("\"ab\"", items)) + new string(' ', Math.Max(0, length - 1 - (5 * items))) + "]",
        ];
        foreach (var shape in shapes)
        {
            var bytes = Encoding.UTF8.GetBytes(shape);
            AssertAgrees(bytes, $"shape of {bytes.Length} bytes");
            for (var back = 1; back <= Math.Min(8, bytes.Length); back++)
            {
                AssertAgrees(bytes.AsSpan(0, bytes.Length - back), $"shape of {bytes.Length} bytes cut by {back}");
                foreach (var b in Replacements)
                {
                    byte[] replaced = [.. bytes];
                    replaced[^back] = b;
                    AssertAgrees(replaced, $"shape of {bytes.Length} bytes, byte {back} from the end replaced by 0x{b:X2}");
                }
            }
        }
    }

    [Theory]
    [InlineData("true")] [InlineData("false")] [InlineData("null")] [InlineData("tru")] [InlineData("truee")] [InlineData("True")] [InlineData("nul")]
    [InlineData("nulll")] [InlineData("falsey")] [InlineData("f")] [InlineData("[true,false,null]")] [InlineData("[true false]")] [InlineData("[true,]")]
    [InlineData("")] [InlineData(" ")] [InlineData("{}")] [InlineData("[]")] [InlineData("{} {}")] [InlineData("[] x")] [InlineData("{,}")] [InlineData("[,1]")]
    [InlineData("{\"a\"}")] [InlineData("{\"a\":}")] [InlineData("{\"a\":1,}")] [InlineData("{\"a\" 1}")] [InlineData("{1:1}")] [InlineData("{'a':1}")]
    [InlineData("[1]]")] [InlineData("{\"a\":1}}")] [InlineData("[}")] [InlineData("{]")] [InlineData("// c\n{}")] [InlineData("{}/**/")] [InlineData("[1,,2]")]
    [InlineData("\u000b{}")] [InlineData("\u000c{}")] [InlineData("\u00a0{}")] [InlineData("{}\u0000")] [InlineData("\ufeff{}")] [InlineData("{\"a\":[{\"b\":[]},{}],\"c\":{\"d\":{}}}")]
    public void Literals_structure_and_whitespace_are_accepted_or_refused_as_by_the_reader(string json) =>
        AssertAgrees(Encoding.UTF8.GetBytes(json), "structure case");

    [Theory]
    [InlineData(1)] [InlineData(2)] [InlineData(64)] [InlineData(65)] [InlineData(512)]
    public void Nesting_at_the_limit_is_accepted_and_one_past_it_refused_as_by_the_reader(int maxDepth)
    {
        foreach (var depth in new[] { maxDepth - 1, maxDepth, maxDepth + 1 }.Where(d => d >= 1))
        {
            var arrays = new string('[', depth) + new string(']', depth);
            var objects = string.Concat(Enumerable.Repeat("{\"a\":", depth - 1)) + "{}" + new string('}', depth - 1);
            var mixed = string.Concat(Enumerable.Range(0, depth).Select(i => i % 2 == 0 ? "[1," : "{\"a\":")) + "0"
                        + string.Concat(Enumerable.Range(0, depth).Reverse().Select(i => i % 2 == 0 ? "]" : "}"));
            foreach (var json in new[] { arrays, objects, mixed })
                AssertAgrees(Encoding.UTF8.GetBytes(json), $"depth {depth}, limit {maxDepth}", maxDepth);
        }
    }

    [Fact]
    public void Invalid_utf8_inside_strings_and_names_is_accepted_and_outside_them_refused_as_by_the_reader()
    {
        byte[][] invalid = [[0xC3, 0x28], [0x80], [0xFF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0xC0, 0xAF]];
        foreach (var bad in invalid)
        {
            AssertAgrees([.. "{\"a\":\""u8, .. bad, .. "\"}"u8], "invalid UTF-8 in a string");
            AssertAgrees([.. "{\""u8, .. bad, .. "\":1}"u8], "invalid UTF-8 in a name");
            AssertAgrees([.. "{\"a\":"u8, .. bad, .. "}"u8], "invalid UTF-8 as a value");
            AssertAgrees([.. bad, .. "{}"u8], "invalid UTF-8 before the value");
            AssertAgrees([.. "[1]"u8, .. bad], "invalid UTF-8 after the value");
        }
        Assert.NotNull(ReaderRows.Tokenize([.. "{\"a\":\""u8, 0xC3, 0x28, .. "\"}"u8], 64));
    }

    [Fact]
    public void The_escape_findings_equal_the_byte_searches_they_replace()
    {
        // Fragments around the D800 range, escaped backslashes before "u", and plain text, in values and names.
        string[] fragments =
        [
            @"\ud800", @"\\ud800", @"\\\ud800", @"\uD7FF", @"\uDC00", @"\uDfFf", @"\uE000", @"\u0044", @"\\u", @"\\uD", @"\\uD8",
            @"\\ud9x", @"\\udg", @"\\uDA", @"\""ud800", @"u\u0064800", @"\n", @"\\", "plain", "ud800", "", "\u00e9",
        ];
        var random = new Random(7);
        var checkedCases = 0;
        for (var i = 0; i < 20_000; i++)
        {
            string Text() => string.Concat(Enumerable.Range(0, random.Next(1, 4)).Select(_ => fragments[random.Next(fragments.Length)]));
            var bytes = Encoding.UTF8.GetBytes($"{{\"{Text()}\":\"{Text()}\",\"b\":[\"{Text()}\"]}}");
            var rows = new Ingestion.Fhir.Json.DocumentRow[Ingestion.Fhir.Json.DocumentTokenizer.MostRows(bytes.Length)];
            Ingestion.Fhir.Json.TextEscapes escapes;
            try
            {
                Assert.True(Ingestion.Fhir.Json.DocumentTokenizer.Fill(bytes, 64, rows, out escapes) >= 0);
            }
            catch (System.Text.Json.JsonException)
            {
                continue;  // a repeated name or a bad escape: only accepted text has findings
            }
            var firstEscape = bytes.AsSpan().IndexOf((byte)'\\');
            Assert.Equal(firstEscape >= 0, (escapes & Ingestion.Fhir.Json.TextEscapes.Any) != 0);
            Assert.Equal(firstEscape >= 0 && RawSurrogateSearch(bytes.AsSpan(firstEscape)), (escapes & Ingestion.Fhir.Json.TextEscapes.SurrogateLike) != 0);
            checkedCases++;
        }
        Assert.True(checkedCases > 10_000, "most cases are valid JSON");
    }

    /// <summary>The search the finding replaced (ResourceParser.MayHaveSurrogateEscape before): a backslash-u, then D or d, then 8–F.</summary>
    private static bool RawSurrogateSearch(ReadOnlySpan<byte> json)
    {
        int at;
        while ((at = json.IndexOf("\\u"u8)) >= 0)
        {
            json = json[(at + 2)..];
            if (json.Length >= 2 && json[0] is (byte)'d' or (byte)'D' && json[1] is >= (byte)'8' and <= (byte)'9' or >= (byte)'a' and <= (byte)'f' or >= (byte)'A' and <= (byte)'F')
                return true;
        }
        return false;
    }

    [Theory]
    [InlineData("7")] [InlineData("[0]")] [InlineData("[0,0]")] [InlineData("[[0],[0]]")] [InlineData("[[0],[0,0],[[0]]]")] [InlineData("[1,2,[3]]")]
    public void Texts_of_one_row_for_every_two_bytes_reach_the_row_bound_exactly_and_fit_in_it(string json)
    {
        // Arrays of one-digit numbers are the densest JSON: a row for every two bytes plus one, no fewer bytes for any.
        var bytes = Encoding.UTF8.GetBytes(json);
        var bound = Ingestion.Fhir.Json.DocumentTokenizer.MostRows(bytes.Length);
        Assert.Equal(bound, Ingestion.Fhir.Json.DocumentTokenizer.Fill(bytes, 64, new Ingestion.Fhir.Json.DocumentRow[bound], out _));
        Assert.Equal(-1, Ingestion.Fhir.Json.DocumentTokenizer.Fill(bytes, 64, new Ingestion.Fhir.Json.DocumentRow[bound - 1], out _));
        AssertAgrees(bytes, "a text at the row bound");
        byte[] thousand = [(byte)'[', .. Enumerable.Range(0, 1000).SelectMany(_ => "0,"u8.ToArray()), (byte)'0', (byte)']'];
        Assert.Equal(Ingestion.Fhir.Json.DocumentTokenizer.MostRows(thousand.Length),
            Ingestion.Fhir.Json.DocumentTokenizer.Fill(thousand, 64, new Ingestion.Fhir.Json.DocumentRow[Ingestion.Fhir.Json.DocumentTokenizer.MostRows(thousand.Length)], out _));
    }

    [Fact]
    public void Every_accepted_text_fits_in_the_row_bound()
    {
        // Random dense documents (short numbers, empty strings and names, empty and nested containers, literals, some
        // whitespace): rows as many as the bound never run out, and the rows are the reader's.
        var random = new Random(19);
        var accepted = 0;
        for (var i = 0; i < 5_000; i++)
        {
            var text = new StringBuilder();
            Value(text, random, 0);
            var bytes = Encoding.UTF8.GetBytes(text.ToString());
            var rows = new Ingestion.Fhir.Json.DocumentRow[Ingestion.Fhir.Json.DocumentTokenizer.MostRows(bytes.Length)];
            Assert.True(Ingestion.Fhir.Json.DocumentTokenizer.Fill(bytes, 512, rows, out _) >= 0, $"document {i} ran out of rows");
            AssertAgrees(bytes, $"document {i}");
            accepted++;
        }
        Assert.Equal(5_000, accepted);

        static void Value(StringBuilder text, Random random, int depth)
        {
            if (random.Next(4) == 0) text.Append(' ');
            switch (depth > 6 ? random.Next(5) : random.Next(8))
            {
                case 0: text.Append(random.Next(10)); break;
                case 1: text.Append("\"\""); break;
                case 2: text.Append(random.Next(2) == 0 ? "-1.5e3" : "null"); break;
                case 3: text.Append(random.Next(2) == 0 ? "true" : "\"\\n\""); break;
                case 4: text.Append(random.Next(2) == 0 ? "[]" : "{}"); break;
                case 5 or 6:
                    text.Append('[');
                    for (var n = random.Next(1, 6); n > 0; n--)
                    {
                        Value(text, random, depth + 1);
                        if (n > 1) text.Append(',');
                    }
                    text.Append(']');
                    break;
                default:
                    text.Append('{');
                    for (var n = random.Next(1, 4); n > 0; n--)
                    {
                        text.Append(random.Next(2) == 0 ? "\"\":" : "\"k\" : ");
                        Value(text, random, depth + 1);
                        if (n > 1) text.Append(',');
                    }
                    text.Append('}');
                    break;
            }
        }
    }

    private static void AssertAgrees(ReadOnlySpan<byte> json, string what, int maxDepth = 512)
    {
        var difference = ReaderRows.Disagreement(json, maxDepth);
        Assert.True(difference is null, $"{what}: {difference}");
    }
}
