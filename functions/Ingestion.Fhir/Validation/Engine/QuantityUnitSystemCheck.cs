using Ingestion.Fhir.Validation.FhirPath;

namespace Ingestion.Fhir.Validation;

/// <summary>
/// US Core us-core-3 (<c>value.ofType(Quantity).system.empty() or value.ofType(Quantity).system = 'http://unitsofmeasure.org'</c>)
/// on an Observation's <c>value[x]</c>: from that element, <c>value</c> is its own child — a Quantity's decimal
/// <c>value</c>, or nothing for a CodeableConcept or a primitive — which <c>ofType(Quantity)</c> (exact type) filters out, so
/// the left side is true and the constraint holds; decided with the walk's navigation, without FHIRPath elements or
/// collections (it ran on every Synthea vital sign). One child typed as anything but Quantity (not an object), or none: holds; several,
/// an untyped, an object or a Quantity-typed child: null, the expression decides.
/// </summary>
internal static class QuantityUnitSystemCheck
{
    public const string Expression = "value.ofType(Quantity).system.empty() or value.ofType(Quantity).system = 'http://unitsofmeasure.org'";

    private static readonly string[] Path = ["value"];
    private static readonly string[] ShadowPath = ["_value"];

    /// <summary>The check navigating with <paramref name="model"/> (the types of contained resources' elements).</summary>
    public static Func<FhirPathCursor, bool?> For(FhirPathModel model)
    {
        var steps = FhirPathStepCache.ForPath(Path);
        return cursor =>
        {
            var last = default(FhirPathCursor);
            return FhirPathNavigator.CountPath(model, cursor, Path, ShadowPath, 0, 2, ref last, steps) switch
            {
                0 => true,
                // An object could be typed by a resourceType of its own, as the expression's navigation types it.
                1 when last.Type is { } type && type != "Quantity" && last.Value.ValueKind != System.Text.Json.JsonValueKind.Object => true,
                _ => null,
            };
        };
    }
}
