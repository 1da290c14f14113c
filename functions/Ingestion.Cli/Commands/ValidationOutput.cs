using System.Text.Json;
using Ingestion.Fhir.Validation;

namespace Ingestion.Cli.Commands;

/// <summary>Prints `validate` results as text lines or one JSON document: locations and rule ids, never values.</summary>
internal sealed class ValidationOutput(bool json, TextWriter writer)
{
    private readonly List<object> _issues = [];

    public void Issues(string file, long line, string resourceType, ValidationResult result)
    {
        foreach (var issue in result.Issues)
        {
            if (issue.Severity == IssueSeverity.Information) continue;
            if (json)
            {
                _issues.Add(new
                {
                    file, line, resourceType, severity = issue.Severity.ToString().ToLowerInvariant(), code = issue.Code,
                    location = issue.Location, rule = issue.RuleId, profile = issue.Profile, message = issue.Message, usable = result.Usable,
                });
            }
            else
            {
                var where = line > 0 ? $"{file}:{line}" : file;
                writer.WriteLine($"{where}: {issue.Severity.ToString().ToLowerInvariant()} {issue.Location} [{issue.RuleId}] {issue.Message}");
            }
        }
    }

    public void Finish(UsCoreValidator validator, ValidationCounters counters)
    {
        if (json)
        {
            var summary = new
            {
                rules = validator.Source,
                notEvaluated = new
                {
                    constraints = validator.UnevaluatedConstraints,
                    bindings = validator.UnresolvedBindings,
                    slices = validator.UnevaluatedSlices,
                },
                issues = _issues,
                types = counters.Types,
                failures = counters.Rules.Where(r => r.Severity <= IssueSeverity.Warning).Select(r => new
                {
                    r.ResourceType, r.Profile, r.RuleId, severity = r.Severity.ToString().ToLowerInvariant(), r.Message, r.Resources, r.Occurrences,
                }),
            };
            writer.WriteLine(JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase }));
            return;
        }
        writer.WriteLine();
        writer.WriteLine($"== summary (rules: {validator.Source})");
        // Coverage, so nobody mistakes a clean run for full conformance: invariants and some bindings are not checked.
        writer.WriteLine($"not evaluated: {validator.UnevaluatedConstraints.Values.Sum(c => c.Count)} FHIRPath constraints in {validator.UnevaluatedConstraints.Count} profiles, "
            + $"{validator.UnresolvedBindings.Values.Sum(b => b.Count)} bindings without an enumerable value set, {validator.UnevaluatedSlices.Values.Sum(s => s.Count)} slices");
        writer.Write(counters.ToReport(IssueSeverity.Warning));
    }
}
