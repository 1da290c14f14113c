namespace Ingestion.Fhir.Validation.FhirPath;

/// <summary>
/// A FHIRPath expression that cannot be parsed (<see cref="FhirPathErrorKind.Syntax"/>), uses something this engine does
/// not support or that is wrong for its input types (<see cref="FhirPathErrorKind.Semantic"/>), or fails while evaluating
/// (<see cref="FhirPathErrorKind.Execution"/>, e.g. a singleton expected). Messages name the construct, never data.
/// </summary>
public sealed class FhirPathException : Exception
{
    public FhirPathException(FhirPathErrorKind kind, string message) : base(message) => Kind = kind;

    public FhirPathErrorKind Kind { get; }
}

public enum FhirPathErrorKind
{
    Syntax,
    Semantic,
    Execution,
}
