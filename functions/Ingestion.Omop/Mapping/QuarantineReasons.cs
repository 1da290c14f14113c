namespace Ingestion.Omop;

/// <summary>Why the mapper quarantined a resource: stable codes (no patient values) used in the report and the
/// quarantine record.</summary>
public static class QuarantineReasons
{
    public const string MissingResourceType = "missing-resource-type";
    public const string MissingId = "missing-id";
    public const string MissingSubject = "missing-subject";
    public const string UnresolvableSubject = "unresolvable-subject";
    public const string MissingDate = "missing-date";
    public const string InvalidDate = "invalid-date";
    public const string MissingBirthDate = "missing-birth-date";
    public const string Malformed = "malformed-resource";
    /// <summary>A Claim or ExplanationOfBenefit naming neither an encounter nor a prescription: cost needs the event it paid for.</summary>
    public const string MissingCostEvent = "missing-cost-event";
}
