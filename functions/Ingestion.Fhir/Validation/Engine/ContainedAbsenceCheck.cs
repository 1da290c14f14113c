namespace Ingestion.Fhir.Validation;

/// <summary>
/// dom-2, dom-3, dom-4 and dom-5 (no nested contained resources; every contained resource referenced; no versionId,
/// lastUpdated or security labels on contained resources) are evaluated at the root of every resource, and each is
/// about its contained resources: every expression filters or navigates <c>contained</c> and so holds when the
/// resource has neither <c>contained</c> nor <c>_contained</c>, which is nearly every resource. The invariant walk
/// notes that while it looks at the resource's property names anyway (<see cref="InvariantWalkState.Shape"/>) and
/// skips them there, instead of four scans of the root object per resource.
/// </summary>
internal static class ContainedAbsenceCheck
{
    /// <summary>The R4 expressions (on every DomainResource), the only texts skipped.</summary>
    public static readonly IReadOnlySet<string> Expressions = new HashSet<string>(StringComparer.Ordinal)
    {
        "contained.contained.empty()",
        ContainedReferenceCheck.Expression,
        "contained.meta.versionId.empty() and contained.meta.lastUpdated.empty()",
        "contained.meta.security.empty()",
    };
}
