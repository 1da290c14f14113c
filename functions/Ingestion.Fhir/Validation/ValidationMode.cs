namespace Ingestion.Fhir.Validation;

/// <summary>
/// Report: profile-conformance errors are recorded and counted, the resource flows on. Strict: they also make the
/// resource unusable (quarantine). Unusable resources (fatal issues) are quarantined in both modes.
/// </summary>
public enum ValidationMode { Report, Strict }
