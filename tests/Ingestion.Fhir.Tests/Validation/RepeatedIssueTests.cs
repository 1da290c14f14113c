using Ingestion.Fhir.Json;
using Ingestion.Fhir.Validation;
using Xunit;

namespace Ingestion.Fhir.Tests.Validation;

/// <summary>
/// A finding raised again at the same location is the issue raised before (<see cref="ValidationContext"/>'s
/// <c>Add(ref last, …)</c>): every issue it lists equals the one <c>Add</c> would build, across locations that share
/// prefixes, indexes of one and more digits, children, profiles and depths; and the walk reuses them on real resources.
/// </summary>
public sealed class RepeatedIssueTests
{
    private static string Describe(ValidationIssue issue) =>
        $"{issue.Severity}|{issue.Code}|{issue.Location}|{issue.RuleId}|{issue.Profile}|{issue.Message}";

    [Fact]
    public void A_repeated_finding_equals_the_issue_built_for_its_location()
    {
        var random = new Random(19);
        string[] names = ["Observation", "Obs", "component", "code", "coding", "c", "Observation.code"];
        string?[] children = [null, "code", "c", "category", "dataAbsentReason"];
        string?[] profiles = [null, "http://a/p", "http://a/q"];
        string[] rules = ["Observation.code:must-support", "Observation.code:min"];
        var reusing = new ValidationContext(null, reportMustSupport: true);
        var building = new ValidationContext(null, reportMustSupport: true);
        ValidationIssue? last = null;
        var depth = 0;
        var reused = 0;
        for (var step = 0; step < 20_000; step++)
        {
            switch (random.Next(6))
            {
                case 0 when depth < 5:
                    var name = names[random.Next(names.Length)];
                    var index = random.Next(3) == 0 ? -1 : random.Next(2) == 0 ? random.Next(3) : random.Next(1, 1200);
                    reusing.Push(name, index);
                    building.Push(name, index);
                    depth++;
                    break;
                case 1 when depth > 0:
                    reusing.Pop();
                    building.Pop();
                    depth--;
                    break;
                case 2 when depth > 0:
                    var newIndex = random.Next(2) == 0 ? random.Next(3) : random.Next(1, 1200);
                    reusing.SetIndex(newIndex);
                    building.SetIndex(newIndex);
                    break;
                case 3:
                    reusing.Profile = building.Profile = profiles[random.Next(profiles.Length)];
                    break;
                default:
                    var child = children[random.Next(children.Length)];
                    var rule = rules[random.Next(rules.Length)];
                    var severity = random.Next(4) == 0 ? IssueSeverity.Warning : IssueSeverity.Information;
                    for (var repeat = random.Next(1, 3); repeat > 0; repeat--)
                    {
                        var before = last;
                        reusing.Add(ref last, severity, "informational", rule, "Must-support element absent.", child);
                        building.Add(severity, "informational", rule, "Must-support element absent.", child);
                        Assert.Equal(Describe(building.Issues![^1]), Describe(reusing.Issues![^1]));
                        Assert.Same(last, reusing.Issues![^1]);
                        if (ReferenceEquals(before, last)) reused++;
                    }
                    break;
            }
        }
        Assert.Equal(building.Issues!.Select(Describe), reusing.Issues!.Select(Describe));
        Assert.InRange(reused, 1000, building.Issues!.Count - 1000); // both ways taken often
    }

    [Fact]
    public void The_walk_gives_the_same_issue_again_for_the_same_finding_in_another_resource()
    {
        var validator = UsCoreValidator.CreateBuiltIn();
        const string first = """{"resourceType":"Observation","id":"a","status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"laboratory"}]}],"code":{"coding":[{"system":"http://loinc.org","code":"2339-0"}]},"subject":{"reference":"Patient/p1"},"effectiveDateTime":"2020-01-01","valueQuantity":{"value":1,"unit":"mg/dL","system":"http://unitsofmeasure.org","code":"mg/dL"}}""";
        var second = first.Replace("\"id\":\"a\"", "\"id\":\"b\"", StringComparison.Ordinal);
        using var a = ResourceDocument.Parse(first);
        using var b = ResourceDocument.Parse(second);
        var issuesA = validator.Validate(a.RootElement).Issues;
        var issuesB = validator.Validate(b.RootElement).Issues;
        Assert.NotEmpty(issuesA);
        Assert.Equal(issuesA.Select(Describe), issuesB.Select(Describe));
        Assert.Contains(issuesB, issue => issuesA.Any(earlier => ReferenceEquals(earlier, issue)));
    }
}
