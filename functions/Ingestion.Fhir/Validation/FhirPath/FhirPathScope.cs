namespace Ingestion.Fhir.Validation.FhirPath;

/// <summary>
/// Evaluation state of one expression run: the environment (%resource, %rootResource, %context, the model) and the
/// iteration variables ($this, $index, $total), saved and restored by the functions that iterate. A scope can be
/// reused for the next run (<see cref="Reset"/>): the invariant walk keeps one per walk instead of one per constraint.
/// </summary>
internal sealed class FhirPathScope
{
    private readonly object[] _single = new object[1];
    private FhirPathElement? _focus;
    private FhirPathElement? _resource;
    private FhirPathElement? _rootResource;
    private bool _resourcesKnown;
    private FhirPathElement? _descendantsOf;
    private IReadOnlyList<object>? _descendants;

    public FhirPathScope(FhirPathModel model) => Model = model;

    public FhirPathModel Model { get; }
    public IReadOnlyList<object> Context { get; private set; } = [];

    /// <summary>The resource of the context element, found only when an expression asks for it.</summary>
    public FhirPathElement? Resource
    {
        get
        {
            FindResources();
            return _resource;
        }
    }

    public FhirPathElement? RootResource
    {
        get
        {
            FindResources();
            return _rootResource;
        }
    }

    public object? This { get; set; }
    public int Index { get; set; }
    public IReadOnlyList<object>? Total { get; set; }

    /// <summary>Readies the scope for a run with <paramref name="focus"/> as %context (null: no input).</summary>
    public void Reset(FhirPathElement? focus)
    {
        _focus = focus;
        _resource = _rootResource = null;
        _resourcesKnown = focus is null;
        This = null;
        Index = 0;
        Total = null;
        _descendantsOf = null;
        _descendants = null;
        if (focus is null)
        {
            Context = FhirPathCompiler.Empty;
            return;
        }
        _single[0] = focus;
        Context = _single;
    }

    /// <summary>
    /// The descendants of an element computed earlier in this run (the tree does not change during a run): the last
    /// one only, which is what repeated <c>%resource.descendants()</c> needs.
    /// </summary>
    public IReadOnlyList<object>? CachedDescendants(FhirPathElement element) => ReferenceEquals(element, _descendantsOf) ? _descendants : null;

    public void CacheDescendants(FhirPathElement element, IReadOnlyList<object> descendants)
    {
        _descendantsOf = element;
        _descendants = descendants;
    }

    private void FindResources()
    {
        if (_resourcesKnown) return;
        _resource = _focus!.Resource;
        _rootResource = _focus.RootResource;
        _resourcesKnown = true;
    }
}

internal delegate IReadOnlyList<object> FhirPathEvaluator(FhirPathScope scope, IReadOnlyList<object> focus);

/// <summary>A Boolean-valued part of an expression, three-valued: null is the empty collection (unknown).</summary>
internal delegate bool? FhirPathCondition(FhirPathScope scope, IReadOnlyList<object> focus);
