namespace Ingestion.Fhir.Validation;

/// <summary>Validator settings, bound from the configuration section <see cref="SectionName"/> ("Validation").</summary>
public sealed record UsCoreValidatorOptions
{
    public const string SectionName = "Validation";

    public ValidationMode Mode { get; init; } = ValidationMode.Report;

    /// <summary>
    /// Profile to use per resource type when a resource declares none (key: resource type, e.g. "Condition"; value: a
    /// profile canonical URL or a US Core profile id such as "us-core-condition-problems-health-concerns").
    /// </summary>
    public IReadOnlyDictionary<string, string> ProfileOverrides { get; init; } = new Dictionary<string, string>();

    /// <summary>Report absent must-support elements as information issues.</summary>
    public bool ReportMustSupport { get; init; } = true;

    /// <summary>
    /// Choose a US Core profile by type and content (LOINC code, category) for a resource that declares none in
    /// <c>meta.profile</c>: our rule, not FHIR's (a resource conforms to a profile only if it claims it). When false,
    /// such resources get their <see cref="ProfileOverrides"/> entry or else the base R4 definition only.
    /// </summary>
    public bool SelectProfileByContent { get; init; } = true;

    /// <summary>
    /// Clinical resources without a subject/patient reference are unusable (fatal): our rule, not FHIR's (R4 makes
    /// <c>Observation.subject</c> optional), because an unattributed row cannot be mapped to a person. When false, the
    /// profile's own cardinality still applies (US Core requires subject: an error, not fatal).
    /// </summary>
    public bool RequireSubject { get; init; } = true;

    /// <summary>
    /// Evaluate the invariants the definitions mark as best practice (dom-6 "a resource should have narrative"), as
    /// warnings. Off by default: bulk exports carry no narrative, so every resource would warn.
    /// </summary>
    public bool ReportBestPractice { get; init; }

    /// <summary>
    /// Skip a JSON object already validated clean, byte for byte, in the same element context (<see cref="SubtreeMemo"/>):
    /// the same issues either way. Off only to compare (tests, the validation benchmark); not a configuration setting.
    /// </summary>
    internal bool RememberCleanSubtrees { get; init; } = true;

    /// <summary>Package (.tgz), Bundle (.json) or folder paths for <see cref="UsCoreValidator.FromPackagesAsync"/>; empty = built-in rules.</summary>
    public IReadOnlyList<string> Packages { get; init; } = [];
}
