using Ingestion.Fhir.Json;
using System.Text.Json;

namespace Ingestion.Omop;

/// <summary>
/// Maps one FHIR R4 resource to OMOP CDM 5.4 rows. Pure: no I/O, safe to share across threads.
/// Never drops a record silently: every call ends Mapped, NotCovered (a resource type this mapping does not
/// cover, e.g. Claim), Excluded by its FHIR status (refuted, cancelled, entered in error ...: counted by reason, not
/// an error) or Quarantined with a reason (codes only, no patient values).
/// </summary>
public interface IOmopMapper
{
    MappingOutcome Map(ResourceElement resource, MappedRows rows, MappingReport report);
}

public enum MappingStatus { Mapped, NotCovered, Quarantined, Excluded }

public readonly record struct MappingOutcome(MappingStatus Status, int Rows, string? QuarantineReason)
{
    /// <summary>Why the resource was excluded by its status (<c>Type.element=code</c>), when it was.</summary>
    public string? ExclusionReason { get; init; }

    public static MappingOutcome Exclude(string reason) => new(MappingStatus.Excluded, 0, null) { ExclusionReason = reason };
    public static MappingOutcome Mapped(int rows) => new(MappingStatus.Mapped, rows, null);
    public static MappingOutcome NotCovered => new(MappingStatus.NotCovered, 0, null);
    public static MappingOutcome Quarantine(string reason) => new(MappingStatus.Quarantined, 0, reason);
}
