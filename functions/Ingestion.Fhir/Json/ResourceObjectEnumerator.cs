using System.Collections;

namespace Ingestion.Fhir.Json;

/// <summary>The members of an object of a <see cref="ResourceDocument"/>, in document order (repeats included, as JsonElement's).</summary>
public struct ResourceObjectEnumerator : IEnumerable<ResourceProperty>, IEnumerator<ResourceProperty>
{
    private readonly ResourceDocument _document;
    private readonly int _first;
    private readonly int _end;
    private int _current;
    private int _next;

    internal ResourceObjectEnumerator(ResourceDocument document, int first, int end)
    {
        _document = document;
        _first = first;
        _end = end;
        _current = -1;
        _next = first;
    }

    public readonly ResourceProperty Current => _current < 0 ? default : new ResourceProperty(_document, _current);

    readonly object IEnumerator.Current => Current;

    public readonly ResourceObjectEnumerator GetEnumerator() => new(_document, _first, _end);

    readonly IEnumerator<ResourceProperty> IEnumerable<ResourceProperty>.GetEnumerator() => GetEnumerator();

    readonly IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public bool MoveNext()
    {
        if (_next >= _end) return false;
        _current = _next;
        // A name row, then its value: the next member starts after the value.
        _next = _document.Rows[_current + 1].Next;
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
