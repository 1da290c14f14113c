namespace Ingestion.Fhir.Validation.FhirPath;

/// <summary>
/// Evaluation state of one expression run: the environment (%resource, %rootResource, %context, the model) and the
/// iteration variables ($this, $index, $total), saved and restored by the functions that iterate.
/// </summary>
internal sealed class FhirPathScope
{
    public FhirPathScope(FhirPathModel model) => Model = model;

    public FhirPathModel Model { get; }
    public IReadOnlyList<object> Context { get; set; } = [];
    public FhirPathElement? Resource { get; set; }
    public FhirPathElement? RootResource { get; set; }
    public object? This { get; set; }
    public int Index { get; set; }
    public IReadOnlyList<object>? Total { get; set; }
}

internal delegate IReadOnlyList<object> FhirPathEvaluator(FhirPathScope scope, IReadOnlyList<object> focus);
