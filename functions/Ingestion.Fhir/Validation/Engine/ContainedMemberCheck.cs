using Ingestion.Fhir.Json;
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

    public static Func<FhirPathCursor, bool?> WithoutNested { get; } = static cursor => Holds(cursor, ContainedMemberNames.Contained);

    public static Func<FhirPathCursor, bool?> WithoutMeta { get; } = static cursor => Holds(cursor, ContainedMemberNames.Meta);

    private static bool? Holds(in FhirPathCursor cursor, ContainedMemberNames name)
    {
        if (cursor.Value.ValueKind != JsonValueKind.Object || cursor.Table is null) return null; // untyped: choices by name
        // dom-2, dom-4 and dom-5 ask the same scan: where the object's names were read once, its answer is kept there.
        var names = cursor.Members is { } members
            ? members.ContainedMemberNames == ContainedMemberNames.Unknown ? members.ContainedMemberNames = Scan(cursor) : members.ContainedMemberNames
            : Scan(cursor);
        // A contained resource with such a name, or a shape the scan does not judge: the expression decides.
        return (names & (name | ContainedMemberNames.Undecided)) != 0 ? null : true;
    }

    /// <summary>
    /// One pass over the contained resources' names for both questions, as asking each would find it: undecided for a
    /// shape the scan does not judge (then either question answers null), else which of the names some property
    /// starts with (then that question answers null, the other true).
    /// </summary>
    private static ContainedMemberNames Scan(in FhirPathCursor cursor)
    {
        JsonProperties.Find(cursor.Value, cursor.Members, "contained", "_contained", out var contained, out var shadow);
        if (shadow.ValueKind != JsonValueKind.Undefined) return ContainedMemberNames.Scanned | ContainedMemberNames.Undecided;
        if (contained.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null) return ContainedMemberNames.Scanned; // no contained resources
        if (contained.ValueKind != JsonValueKind.Array) return ContainedMemberNames.Scanned | ContainedMemberNames.Undecided;
        var names = ContainedMemberNames.Scanned;
        foreach (var item in contained.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.Null) continue; // navigation skips null items
            if (item.ValueKind != JsonValueKind.Object) return ContainedMemberNames.Scanned | ContainedMemberNames.Undecided;
            foreach (var property in item.EnumerateObject())
            {
                var raw = property.Utf8Name;
                if (!JsonProperties.IsPlain(raw)) return ContainedMemberNames.Scanned | ContainedMemberNames.Undecided;
                if (raw.Length > 0 && raw[0] == (byte)'_') raw = raw[1..];
                if (raw.StartsWith("contained"u8)) names |= ContainedMemberNames.Contained;
                if (raw.StartsWith("meta"u8)) names |= ContainedMemberNames.Meta;
            }
        }
        return names;
    }
}

/// <summary>What <see cref="ContainedMemberCheck"/> found among the contained resources' property names (kept per object).</summary>
[Flags]
internal enum ContainedMemberNames : byte
{
    Unknown = 0,
    Scanned = 1,
    /// <summary>A name is or starts with <c>contained</c> (or its <c>_name</c>): dom-2 is left to the expression.</summary>
    Contained = 2,
    /// <summary>A name is or starts with <c>meta</c>: dom-4 and dom-5 are left to the expression.</summary>
    Meta = 4,
    /// <summary>A shape the scan does not judge: all three are left to the expression.</summary>
    Undecided = 8,
}
