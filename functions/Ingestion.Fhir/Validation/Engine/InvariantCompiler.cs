using Ingestion.Fhir.Json;
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
    private readonly Dictionary<string, (FhirPathExpression? Expression, Func<FhirPathCursor, bool?>? Native, FhirPathCursorCondition? CursorForm, string? Error)> _cache = new(StringComparer.Ordinal);
    private readonly bool _bestPractice;
    private readonly FhirPathModel _model;

    /// <param name="model">What the cursor forms navigate with (contained resources by their base definitions).</param>
    public InvariantCompiler(bool bestPractice, FhirPathModel model)
    {
        _bestPractice = bestPractice;
        _model = model;
    }

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
                    var expression = FhirPathExpression.Compile(c.Expression);
                    var native = HandWritten(c.Expression) ?? c.Expression switch
                    {
                        QuantityUnitSystemCheck.Expression => QuantityUnitSystemCheck.For(_model),
                        QuantityCodeSystemCheck.Expression => QuantityCodeSystemCheck.Create(),
                        _ => null,
                    };
                    var cursorForm = native is null ? FhirPathCompiler.CompileCursorCondition(FhirPathParser.Parse(c.Expression), _model) : null;
                    entry = (expression, native ?? CursorNative(cursorForm), cursorForm, null);
                    foreach (Match m in MemberOf().Matches(c.Expression)) MemberOfValueSets.Add(m.Groups[1].Value);
                }
                catch (FhirPathException e)
                {
                    entry = (null, null, null, e.Message);
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
            // dom-2 to dom-5 are skipped on resources without contained resources.
            compiled.Add(new CompiledInvariant(c.Key, severity, entry.Expression, message, entry.Native, ContainedAbsenceCheck.Expressions.Contains(c.Expression), entry.CursorForm is not null,
                c.Expression == ReferenceFormCheck.Expression ? ReferenceFormCheck.HoldsInRoot : null, entry.CursorForm));
        }
        return compiled.Count > 0 ? compiled.ToArray() : null;
    }

    /// <summary>
    /// ele-1 runs on every element: its meaning (a value, or a child other than id) is checked natively; dom-3 would
    /// walk the whole resource as FHIRPath elements; dom-2/4/5 would type and navigate each contained resource per path; ref-1 and per-1 (on every Reference, Period), us-core-1 and vs-1 (on
    /// every Observation's effective[x]), us-core-3 (on its value[x], built with the model), qty-3 (on every Quantity) and us-core-16/17 (every NPI) are decided natively in their common cases. Any other expression of the cursor form's shape is evaluated on the walk's cursor.
    /// </summary>
    private static Func<FhirPathCursor, bool?>? HandWritten(string expression) => expression switch
    {
        Ele1 => Ele1Check,
        ContainedReferenceCheck.Expression => ContainedReferenceCheck.Holds,
        ReferenceFormCheck.Expression => ReferenceFormCheck.Holds,
        PeriodOrderCheck.Expression => PeriodOrderCheck.Holds,
        ContainedMemberCheck.NestedExpression => ContainedMemberCheck.WithoutNested,
        ContainedMemberCheck.VersionExpression or ContainedMemberCheck.SecurityExpression => ContainedMemberCheck.WithoutMeta,
        DateTimePrecisionCheck.DayExpression or DateTimePrecisionCheck.MonthExpression => DateTimePrecisionCheck.Holds,
        NpiCheck.DigitsExpression => NpiCheck.HasTenDigits,
        NpiCheck.CheckDigitExpression => NpiCheck.HasValidCheckDigit,
        _ => null,
    };

    /// <summary>A cursor form as a native check: empty passes as true does (the walk reports only false), undecided is null.</summary>
    internal static Func<FhirPathCursor, bool?>? CursorNative(FhirPathCursorCondition? condition) => condition is null ? null : cursor => Verdict(condition(cursor));

    /// <summary>A cursor form's answer as a constraint's verdict: empty passes as true does, undecided (null) is left to the expression.</summary>
    internal static bool? Verdict(FhirPathTruth truth) => truth switch
    {
        FhirPathTruth.True or FhirPathTruth.Empty => true,
        FhirPathTruth.False => false,
        _ => null,
    };

    /// <summary>The native ele-1: the walk recognises it by this instance (it holds on any primitive value).</summary>
    public static Func<FhirPathCursor, bool?> Ele1Check { get; } = static element => HasValueOrChildren(in element);

    /// <summary>ele-1 without evaluating children(): a primitive value, or any property other than id (in the object or the _name object).</summary>
    internal static bool HasValueOrChildren(in FhirPathCursor element)
    {
        if (element.HasPrimitiveValue) return true;
        return HasNonIdProperty(element.Value) || HasNonIdProperty(element.Shadow);
    }

    private static bool HasNonIdProperty(ResourceElement value)
    {
        if (value.ValueKind != System.Text.Json.JsonValueKind.Object) return false;
        foreach (var property in value.EnumerateObject())
        {
            // Raw bytes for a plain name (nearly all): NameEquals would check for escapes twice per property.
            var raw = property.Utf8Name;
            if (JsonProperties.IsPlain(raw) ? !raw.SequenceEqual("id"u8) && !raw.SequenceEqual("resourceType"u8) : !property.NameEquals("id"u8) && !property.NameEquals("resourceType"u8)) return true;
        }
        return false;
    }

    [GeneratedRegex(@"memberOf\(\s*'([^']+)'\s*\)")]
    private static partial Regex MemberOf();
}
