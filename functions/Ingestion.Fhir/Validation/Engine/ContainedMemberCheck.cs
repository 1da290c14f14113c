using System.Runtime.InteropServices;
using System.Text.Json;
using Ingestion.Fhir.Validation.FhirPath;

namespace Ingestion.Fhir.Validation;

/// <summary>
/// dom-2 (<c>contained.contained.empty()</c>), dom-4 (<c>contained.meta.versionId.empty() and
/// contained.meta.lastUpdated.empty()</c>) and dom-5 (<c>contained.meta.security.empty()</c>) on a resource with
/// contained resources: they hold when no contained resource has a property named <c>contained</c> (dom-2) or
/// <c>meta</c> (dom-4, dom-5), which is one pass over each contained resource's names instead of typing each by its
/// <c>resourceType</c> and navigating it once per path (a Synthea ExplanationOfBenefit: two contained resources, four
/// paths). Navigation finds nothing under a contained resource whose names neither are nor start with the name or its
/// <c>_name</c> (typed, it looks the name and <c>_name</c> up; untyped, also a choice spelled name + type), so the
/// constraint holds. Anything else — such a name, an escaped or non-ASCII name, a <c>_contained</c> on the root, a
/// <c>contained</c> that is not an array of objects — answers null and the expression decides.
/// </summary>
internal static class ContainedMemberCheck
{
    public const string NestedExpression = "contained.contained.empty()";
    public const string VersionExpression = "contained.meta.versionId.empty() and contained.meta.lastUpdated.empty()";
    public const string SecurityExpression = "contained.meta.security.empty()";

    public static Func<FhirPathCursor, bool?> WithoutNested { get; } = static cursor => Holds(cursor, "contained"u8);

    public static Func<FhirPathCursor, bool?> WithoutMeta { get; } = static cursor => Holds(cursor, "meta"u8);

    private static bool? Holds(in FhirPathCursor cursor, ReadOnlySpan<byte> name)
    {
        if (cursor.Value.ValueKind != JsonValueKind.Object || cursor.Table is null) return null; // untyped: choices by name
        JsonProperties.Find(cursor.Value, cursor.Members, "contained", "_contained", out var contained, out var shadow);
        if (shadow.ValueKind != JsonValueKind.Undefined) return null;
        if (contained.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null) return true; // no contained resources
        if (contained.ValueKind != JsonValueKind.Array) return null;
        foreach (var item in contained.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.Null) continue; // navigation skips null items
            if (item.ValueKind != JsonValueKind.Object) return null;
            foreach (var property in item.EnumerateObject())
            {
                var raw = JsonMarshal.GetRawUtf8PropertyName(property);
                if (!JsonProperties.IsPlain(raw)) return null;
                if (raw.Length > 0 && raw[0] == (byte)'_') raw = raw[1..];
                if (raw.StartsWith(name)) return null;
            }
        }
        return true;
    }
}
