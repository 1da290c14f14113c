using Ingestion.Fhir.Validation.FhirPath;

namespace Ingestion.Fhir.Validation;

/// <summary>
/// A constraint of a profile element or data type, its FHIRPath expression compiled once. <see cref="Native"/> decides
/// it on the walk's cursor without FHIRPath elements: a check in C# for the hot expressions (ele-1 on every element,
/// dom-3 over the whole resource, ref-1, per-1) or the expression's cursor form (<see cref="FhirPathCompiler.CompileCursorCondition"/>).
/// It answers whether the constraint passes — true also where the expression gives empty, which passes too (only
/// false fails) — or null when the expression must decide. <see cref="HoldsWithoutContained"/>: the constraint is about
/// contained resources and holds on a resource without any (dom-2 to dom-5), so the walk skips it there.
/// <see cref="NavigatesFocus"/>: <see cref="Native"/> is a cursor form, whose member paths start at the focus (where
/// several are evaluated on one element, the walk reads the element's names once for them).
/// <see cref="NativeInRootResource"/>: <see cref="Native"/> with <c>%rootResource</c> as well, called instead of it where
/// the walk knows the root (with the walk's cursor on it, its names read once): it answers wherever <see cref="Native"/>
/// does, the same, and also where only the root can tell (ref-1's <c>#id</c> against the contained ids). The suite and
/// the equivalence tests cover the expressions. <see cref="CursorForm"/>: the cursor form <see cref="Native"/> wraps, which
/// the walk calls directly (the cursor by reference, one delegate call instead of two).
/// </summary>
internal sealed record CompiledInvariant(string Key, IssueSeverity Severity, FhirPathExpression Expression, string Message, Func<FhirPathCursor, bool?>? Native = null, bool HoldsWithoutContained = false, bool NavigatesFocus = false, Func<FhirPathCursor, FhirPathCursor, bool?>? NativeInRootResource = null, FhirPathCursorCondition? CursorForm = null);
