using Ingestion.Fhir.Json;
using System.Text;
using System.Text.Json;
using Ingestion.Fhir.Validation;

namespace Ingestion.Fhir.Tests.Validation;

/// <summary>
/// Random resources, with and without repeated names (at any depth, written plainly or with escapes that decode
/// equal), read by <see cref="ResourceParser"/> and by the runtime's own strict reader (<c>AllowDuplicateProperties =
/// false</c>) and <c>TryGetProperty</c>: the parser must find exactly the repeats the runtime finds, and otherwise the
/// same resourceType and id, wherever those members sit.
/// </summary>
public sealed class RandomJsonParseTests
{
    // A small pool repeats often; the escaped spellings decode to other names of the pool.
    private static readonly string[] Names =
    [
        "a", "b", "id", "url", "value", "\\u0061", "valu\\u0065", "i\\u0064", "extension", "longname_abcdefgh",
        "longname_abcdefgX", "longname_Xbcdefgh", "resourceType", "resource\\u0054ype", "é", "\\u00e9",
    ];

    private static readonly string[] Strings = ["", "x", "Patient", "Observation", "NotAType", "line\\nbreak", "quote\\\"d", "\\u00e9t\\u00e9", "ü", "back\\\\slash"];

    [Fact]
    public void The_parser_finds_exactly_the_repeated_names_the_runtime_finds_and_the_same_type_and_id()
    {
        var random = new Random(19);
        int duplicates = 0, parsed = 0;
        for (var i = 0; i < 4000; i++)
        {
            var json = RandomResource(random);
            var bytes = Encoding.UTF8.GetBytes(json);
            var result = ResourceParser.Parse(bytes);
            if (RuntimeSeesDuplicate(bytes))
            {
                duplicates++;
                Assert.True(result.Error?.RuleId == ResourceParser.RuleDuplicateKey, $"missed a repeated name in case {i}");
                continue;
            }
            Assert.True(result.Error?.RuleId != ResourceParser.RuleDuplicateKey, $"a repeat that is none in case {i}");
            using var lenient = ResourceDocument.Parse(bytes);
            var root = lenient.RootElement;
            var hasType = root.TryGetProperty("resourceType", out var type) && type.ValueKind == JsonValueKind.String;
            if (!hasType)
            {
                Assert.Equal(ResourceParser.RuleResourceTypeMissing, result.Error?.RuleId);
            }
            else if (!FhirResourceTypes.IsKnown(type.GetString()!))
            {
                Assert.Equal(ResourceParser.RuleResourceTypeUnknown, result.Error?.RuleId);
            }
            else
            {
                parsed++;
                Assert.True(result.Succeeded, $"case {i}: {result.Error?.RuleId}");
                Assert.Equal(type.GetString(), result.ResourceType);
                Assert.Equal(root.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null, result.Id);
                result.Document!.Dispose();
            }
        }
        // The generator must exercise both sides.
        Assert.InRange(duplicates, 800, 3200);
        Assert.True(parsed > 400, $"only {parsed} parsed resources");
    }

    private static bool RuntimeSeesDuplicate(byte[] bytes)
    {
        try
        {
            using var _ = JsonDocument.Parse(bytes, new JsonDocumentOptions { AllowDuplicateProperties = false, MaxDepth = ResourceParserOptions.DefaultMaxDepth });
            return false;
        }
        catch (JsonException)
        {
            return true;
        }
    }

    private static string RandomResource(Random random)
    {
        var members = new List<string>();
        var count = random.Next(0, 5);
        for (var i = 0; i < count; i++) members.Add(Member(random, random.Next(0, 4)));
        // resourceType and id at random places, sometimes missing, sometimes not strings.
        var typeRoll = random.Next(10);
        if (typeRoll < 8) members.Insert(random.Next(members.Count + 1), "\"resourceType\":\"" + (typeRoll < 6 ? "Patient" : typeRoll == 6 ? "Observation" : "NotAType") + "\"");
        else if (typeRoll == 8) members.Insert(random.Next(members.Count + 1), "\"resourceType\":7");
        var idRoll = random.Next(4);
        if (idRoll < 2) members.Insert(random.Next(members.Count + 1), "\"id\":\"p" + random.Next(100) + "\"");
        else if (idRoll == 2) members.Insert(random.Next(members.Count + 1), "\"id\":" + random.Next(100));
        return "{" + string.Join(",", members) + "}";
    }

    private static string Member(Random random, int depth) =>
        "\"" + Names[random.Next(Names.Length)] + "\"" + (random.Next(5) == 0 ? " : " : ":") + Value(random, depth);

    private static string Value(Random random, int depth)
    {
        var roll = random.Next(depth > 0 ? 8 : 5);
        switch (roll)
        {
            case 0: return "\"" + Strings[random.Next(Strings.Length)] + "\"";
            case 1: return random.Next(-5, 100000).ToString(System.Globalization.CultureInfo.InvariantCulture);
            case 2: return random.Next(2) == 0 ? "true" : "null";
            case 3: return "1.5e3";
            case 4: return "\"" + new string('z', random.Next(0, 80)) + "\"";
            case 5 or 6:
                {
                    var members = Enumerable.Range(0, random.Next(0, 7)).Select(_ => Member(random, depth - 1));
                    return "{" + string.Join(",", members) + "}";
                }
            default:
                {
                    var items = Enumerable.Range(0, random.Next(0, 4)).Select(_ => Value(random, depth - 1));
                    return "[" + string.Join(random.Next(3) == 0 ? " , " : ",", items) + "]";
                }
        }
    }
}
