using Ingestion.Fhir.Validation.FhirPath;

namespace Ingestion.Fhir.Validation;

/// <summary>A constraint of a profile element or data type, its FHIRPath expression compiled once.</summary>
internal sealed record CompiledInvariant(string Key, IssueSeverity Severity, FhirPathExpression Expression, string Message);
