using System.Collections;

namespace Ingestion.Fhir.Json;

/// <summary>The items of an array of a <see cref="ResourceDocument"/>, each found from the last in O(1) (a container's row knows its end).</summary>
public struct ResourceArrayEnumerator : IEnumerable<ResourceElement>, IEnumerator<ResourceElement>
{
    private readonly ResourceDocument _document;
    private readonly int _first;
    private readonly int _end;
    private int _current;
    private int _next;

    internal ResourceArrayEnumerator(ResourceDocument document, int first, int end)
    {
        _document = document;
        _first = first;
        _end = end;
        _current = -1;
        _next = first;
    }

    public readonly ResourceElement Current => _current < 0 ? default : new ResourceElement(_document, _current);

    readonly object IEnumerator.Current => Current;

    public readonly ResourceArrayEnumerator GetEnumerator() => new(_document, _first, _end);

    readonly IEnumerator<ResourceElement> IEnumerable<ResourceElement>.GetEnumerator() => GetEnumerator();

    readonly IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public bool MoveNext()
    {
        if (_next >= _end) return false;
        _current = _next;
        _next = _document.Rows[_current].Next;
        return true;
    }

    public void Reset()
    {
        _current = -1;
        _next = _first;
    }

    public readonly void Dispose()
    {
    }
}
