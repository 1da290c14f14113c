using System.Collections;

namespace Ingestion.Omop;

/// <summary>
/// visit → the same person's previous visit (<see cref="PrecedingVisitBuilder.Preceding"/>): sorted pairs looked up
/// by binary search, 16 bytes a visit that has a predecessor (a dictionary of the run's visits took about twice that
/// and more while it grew). Enumerates in visit order.
/// </summary>
public sealed class VisitPredecessors : IReadOnlyCollection<KeyValuePair<long, long>>
{
    private readonly long[] _visits;
    private readonly long[] _preceding;

    internal VisitPredecessors(List<(long Visit, long Preceding)> pairs)
    {
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(pairs);
        span.Sort(static (a, b) => a.Visit.CompareTo(b.Visit));
        _visits = new long[span.Length];
        _preceding = new long[span.Length];
        for (var i = 0; i < span.Length; i++) (_visits[i], _preceding[i]) = span[i];
    }

    /// <summary>No visit has a predecessor.</summary>
    public static VisitPredecessors Empty { get; } = new([]);

    public int Count => _visits.Length;

    public bool ContainsKey(long visit) => Array.BinarySearch(_visits, visit) >= 0;

    public bool TryGetValue(long visit, out long preceding)
    {
        var i = Array.BinarySearch(_visits, visit);
        preceding = i >= 0 ? _preceding[i] : 0;
        return i >= 0;
    }

    public IEnumerator<KeyValuePair<long, long>> GetEnumerator()
    {
        for (var i = 0; i < _visits.Length; i++) yield return new KeyValuePair<long, long>(_visits[i], _preceding[i]);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
