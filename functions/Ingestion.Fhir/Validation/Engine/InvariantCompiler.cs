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
    private const string Ele1 = "hasValue() or (children().count() > id.count())";
    private readonly Dictionary<string, (FhirPathExpression? Expression, string? Error)> _cache = new(StringComparer.Ordinal);
    private readonly bool _bestPractice;

    public InvariantCompiler(bool bestPractice) => _bestPractice = bestPractice;

    public HashSet<string> MemberOfValueSets { get; } = new(StringComparer.Ordinal);

    public CompiledInvariant[]? Compile(IReadOnlyList<ConstraintRule> constraints, string elementId, List<string> unevaluated)
    {
        if (constraints.Count == 0) return null;
        var compiled = new List<CompiledInvariant>(constraints.Count);
        foreach (var c in constraints)
        {
            if (c.BestPractice && !_bestPractice) continue; // a recommendation, reported only when configured
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
            // ele-1 runs on every element: its meaning (a value, or a child other than id) is checked natively; dom-3
            // would walk the whole resource as FHIRPath elements; ref-1, per-1 and dom-2/4/5 (on every Reference,
            // Period) are decided natively in their common cases, dom-2 to dom-5 are skipped on resources without
            // contained resources.
            compiled.Add(new CompiledInvariant(c.Key, severity, entry.Expression, message, NativeFor(c.Expression), ContainedAbsenceCheck.Expressions.Contains(c.Expression)));
        }
        return compiled.Count > 0 ? compiled.ToArray() : null;
    }

    private static Func<FhirPathCursor, bool?>? NativeFor(string expression) => expression switch
    {
        Ele1 => Ele1Check,
        ContainedReferenceCheck.Expression => ContainedReferenceCheck.Holds,
        ReferenceFormCheck.Expression => ReferenceFormCheck.Holds,
        PeriodOrderCheck.Expression => PeriodOrderCheck.Holds,
        _ => null,
    };

    /// <summary>The native ele-1: the walk recognises it by this instance (it holds on any primitive value).</summary>
    public static Func<FhirPathCursor, bool?> Ele1Check { get; } = static element => HasValueOrChildren(element);

    /// <summary>ele-1 without evaluating children(): a primitive value, or any property other than id (in the object or the _name object).</summary>
    private static bool HasValueOrChildren(FhirPathCursor element)
    {
        if (element.HasPrimitiveValue) return true;
        return HasNonIdProperty(element.Value) || HasNonIdProperty(element.Shadow);
    }

    private static bool HasNonIdProperty(System.Text.Json.JsonElement value)
    {
        if (value.ValueKind != System.Text.Json.JsonValueKind.Object) return false;
        foreach (var property in value.EnumerateObject())
        {
            if (!property.NameEquals("id"u8) && !property.NameEquals("resourceType"u8)) return true;
        }
        return false;
    }

    [GeneratedRegex(@"memberOf\(\s*'([^']+)'\s*\)")]
    private static partial Regex MemberOf();
}
