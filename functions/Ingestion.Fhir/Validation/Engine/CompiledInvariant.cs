using Ingestion.Fhir.Validation.FhirPath;

namespace Ingestion.Fhir.Validation;

/// <summary>
/// A constraint of a profile element or data type, its FHIRPath expression compiled once. <see cref="Native"/> is an
/// equivalent check in C# for the few expressions that run on every element (ele-1); the suite covers the expression.
/// </summary>
internal sealed record CompiledInvariant(string Key, IssueSeverity Severity, FhirPathExpression Expression, string Message, Func<FhirPathCursor, bool>? Native = null);
