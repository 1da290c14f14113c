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

    /// <summary>Clinical resources without a subject/patient reference are unusable (fatal).</summary>
    public bool RequireSubject { get; init; } = true;

    /// <summary>
    /// Evaluate the invariants the definitions mark as best practice (dom-6 "a resource should have narrative"), as
    /// warnings. Off by default: bulk exports carry no narrative, so every resource would warn.
    /// </summary>
    public bool ReportBestPractice { get; init; }

    /// <summary>Package (.tgz), Bundle (.json) or folder paths for <see cref="UsCoreValidator.FromPackagesAsync"/>; empty = built-in rules.</summary>
    public IReadOnlyList<string> Packages { get; init; } = [];
}
