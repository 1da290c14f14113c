using Ingestion.Fhir.Validation.FhirPath;

namespace Ingestion.Fhir.Validation;

/// <summary>
/// A constraint of a profile element or data type, its FHIRPath expression compiled once. <see cref="Native"/> is an
/// equivalent check in C# for the few expressions that are hot (ele-1 on every element, dom-3 over the whole resource);
/// it answers null when the expression must decide. <see cref="HoldsWithoutContained"/>: the constraint is about
/// contained resources and holds on a resource without any (dom-2 to dom-5), so the walk skips it there. The suite
/// and the equivalence tests cover the expressions.
/// </summary>
internal sealed record CompiledInvariant(string Key, IssueSeverity Severity, FhirPathExpression Expression, string Message, Func<FhirPathCursor, bool?>? Native = null, bool HoldsWithoutContained = false);
