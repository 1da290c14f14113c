using Ingestion.Fhir.Validation;

namespace Ingestion.Fhir.Tests.Validation;

public sealed class ValidationRunTests : IDisposable
{
    private const string Secret = "Jane-Secret-Doe";
    private readonly string _folder = Directory.CreateTempSubdirectory("validation-run-").FullName;
    private static readonly UsCoreValidator Validator = UsCoreValidator.CreateBuiltIn(new UsCoreValidatorOptions { ReportMustSupport = false });

    private static string Patient(string id, string family) =>
        $$"""{"resourceType":"Patient","id":"{{id}}","identifier":[{"system":"urn:x","value":"1"}],"name":[{"family":"{{family}}"}],"gender":"male"}""";

    private const string ConditionWithoutCategory =
        """{"resourceType":"Condition","code":{"text":"x"},"subject":{"reference":"Patient/p1"}}""";

    [Fact]
    public async Task Every_line_of_a_folder_is_accounted_for_with_its_file_and_line_number()
    {
        var ndjson = string.Join("\r\n", Patient("p1", "A"), "", "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"" + Secret, "{\"resourceType\":\"Nope\"}", ConditionWithoutCategory);
        await File.WriteAllTextAsync(Path.Combine(_folder, "export.ndjson"), ndjson); // no trailing newline
        await File.WriteAllTextAsync(Path.Combine(_folder, "single.json"), Patient("p2", "B"));
        await File.WriteAllTextAsync(Path.Combine(_folder, "notes.txt"), "ignored");

        var run = new ValidationRun(Validator);
        var results = new List<ValidatedResource>();
        await run.RunAsync(_folder, results.Add);

        Assert.Equal(["export.ndjson:1", "export.ndjson:3", "export.ndjson:4", "export.ndjson:5", "single.json:0"],
            results.Select(r => $"{Path.GetFileName(r.File)}:{r.Line}"));
        Assert.Equal(ValidationRun.UnparsedType, results[1].ResourceType);
        Assert.Equal(ResourceParser.RuleMalformedJson, results[1].Result.Issues[0].RuleId);
        Assert.Equal(ResourceParser.RuleResourceTypeUnknown, results[2].Result.Issues[0].RuleId);
        Assert.Contains(results[3].Result.Issues, i => i.RuleId == "Condition.category:min");
        Assert.All(results.SelectMany(r => r.Result.Issues), i => Assert.DoesNotContain(Secret, i.Message));

        Assert.Contains(run.Counters.Types, t => t is { ResourceType: "Patient", Checked: 2, WithErrors: 0 });
        Assert.Contains(run.Counters.Types, t => t is { ResourceType: ValidationRun.UnparsedType, Checked: 2, Unusable: 2 });
        Assert.Contains(run.Counters.Types, t => t is { ResourceType: "Condition", Checked: 1, WithErrors: 1, Unusable: 0 });
    }

    [Fact]
    public async Task Lines_longer_than_the_read_buffer_are_read_whole()
    {
        var longFamily = new string('x', 200_000);
        await File.WriteAllTextAsync(Path.Combine(_folder, "long.ndjson"), Patient("p1", longFamily) + "\n" + Patient("p2", "B") + "\n");
        var run = new ValidationRun(Validator);
        var results = new List<ValidatedResource>();
        await run.RunAsync(Path.Combine(_folder, "long.ndjson"), results.Add);
        Assert.Equal([1L, 2L], results.Select(r => r.Line));
        Assert.All(results, r => Assert.Same(ValidationResult.Valid, r.Result));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
