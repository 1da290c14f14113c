using System.Text.RegularExpressions;
using Ingestion.Fhir.Validation.FhirPath;

namespace Ingestion.Fhir.Validation;

/// <summary>
/// Compiles constraint expressions once per distinct text (ele-1 is shared by every element) and collects the value
/// sets <c>memberOf</c> names so their codes are enumerated at load time. An expression that does not compile is
/// reported (never silently skipped) through the caller's list.
/// </summary>
internal sealed partial class InvariantCompiler
{
    private readonly Dictionary<string, (FhirPathExpression? Expression, string? Error)> _cache = new(StringComparer.Ordinal);

    public HashSet<string> MemberOfValueSets { get; } = new(StringComparer.Ordinal);

    public CompiledInvariant[]? Compile(IReadOnlyList<ConstraintRule> constraints, string elementId, List<string> unevaluated)
    {
        if (constraints.Count == 0) return null;
        var compiled = new List<CompiledInvariant>(constraints.Count);
        foreach (var c in constraints)
        {
            if (string.IsNullOrWhiteSpace(c.Expression))
            {
                unevaluated.Add($"{elementId} {c.Key}: no FHIRPath expression");
                continue;
            }
            if (!_cache.TryGetValue(c.Expression, out var entry))
            {
                try
                {
                    entry = (FhirPathExpression.Compile(c.Expression), null);
                    foreach (Match m in MemberOf().Matches(c.Expression)) MemberOfValueSets.Add(m.Groups[1].Value);
                }
                catch (FhirPathException e)
                {
                    entry = (null, e.Message);
                }
                _cache[c.Expression] = entry;
            }
            if (entry.Expression is null)
            {
                unevaluated.Add($"{elementId} {c.Key}: {entry.Error}");
                continue;
            }
            var severity = c.Severity == "warning" ? IssueSeverity.Warning : IssueSeverity.Error;
            var message = c.Human is { Length: > 0 } human ? $"Constraint {c.Key} failed: {human}" : $"Constraint {c.Key} failed.";
            compiled.Add(new CompiledInvariant(c.Key, severity, entry.Expression, message));
        }
        return compiled.Count > 0 ? compiled.ToArray() : null;
    }

    [GeneratedRegex(@"memberOf\(\s*'([^']+)'\s*\)")]
    private static partial Regex MemberOf();
}
