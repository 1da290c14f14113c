namespace Ingestion.Pipeline.Publishing;

/// <summary>
/// The runtime's introspective sort (<c>ArraySortHelper</c>: median-of-three quicksort, insertion sort below 17
/// records, heapsort past the depth limit), but generic over a struct comparer so each comparison is a direct, inlinable
/// call: <c>Span.Sort(TComparer)</c> boxes a struct comparer and calls it through <see cref="IComparer{T}"/>, which was
/// about a quarter of the integrity pass (docs/benchmarks.md, "After fanin2"). Not stable, like the runtime's.
/// </summary>
internal static class IntroSort
{
    private const int InsertionSortThreshold = 16;

    public static void Sort<T, TComparer>(Span<T> keys, TComparer comparer)
        where TComparer : struct, IComparer<T>
    {
        if (keys.Length > 1) Sort(keys, 2 * (System.Numerics.BitOperations.Log2((uint)keys.Length) + 1), comparer);
    }

    private static void Sort<T, TComparer>(Span<T> keys, int depthLimit, TComparer comparer)
        where TComparer : struct, IComparer<T>
    {
        var length = keys.Length;
        while (length > 1)
        {
            if (length <= InsertionSortThreshold)
            {
                InsertionSort(keys[..length], comparer);
                return;
            }
            if (depthLimit == 0)
            {
                HeapSort(keys[..length], comparer);
                return;
            }
            depthLimit--;
            var pivot = Partition(keys[..length], comparer);
            Sort(keys[(pivot + 1)..length], depthLimit, comparer);
            length = pivot;
        }
    }

    /// <summary>Median of three as the pivot, moved next to the end; returns its final position.</summary>
    private static int Partition<T, TComparer>(Span<T> keys, TComparer comparer)
        where TComparer : struct, IComparer<T>
    {
        var hi = keys.Length - 1;
        var middle = hi >> 1;
        SwapIfGreater(keys, 0, middle, comparer);
        SwapIfGreater(keys, 0, hi, comparer);
        SwapIfGreater(keys, middle, hi, comparer);
        var pivot = keys[middle];
        (keys[middle], keys[hi - 1]) = (keys[hi - 1], keys[middle]);
        int left = 0, right = hi - 1;
        while (left < right)
        {
            // The bounds keep an inconsistent comparer from running off the span.
            while (left < hi - 1 && comparer.Compare(keys[++left], pivot) < 0) { }
            while (right > 0 && comparer.Compare(pivot, keys[--right]) < 0) { }
            if (left >= right) break;
            (keys[left], keys[right]) = (keys[right], keys[left]);
        }
        if (left != hi - 1) (keys[left], keys[hi - 1]) = (keys[hi - 1], keys[left]);
        return left;
    }

    private static void SwapIfGreater<T, TComparer>(Span<T> keys, int i, int j, TComparer comparer)
        where TComparer : struct, IComparer<T>
    {
        if (comparer.Compare(keys[i], keys[j]) > 0) (keys[i], keys[j]) = (keys[j], keys[i]);
    }

    private static void InsertionSort<T, TComparer>(Span<T> keys, TComparer comparer)
        where TComparer : struct, IComparer<T>
    {
        for (var i = 0; i < keys.Length - 1; i++)
        {
            var record = keys[i + 1];
            var j = i;
            while (j >= 0 && comparer.Compare(record, keys[j]) < 0)
            {
                keys[j + 1] = keys[j];
                j--;
            }
            keys[j + 1] = record;
        }
    }

    private static void HeapSort<T, TComparer>(Span<T> keys, TComparer comparer)
        where TComparer : struct, IComparer<T>
    {
        var n = keys.Length;
        for (var i = n >> 1; i >= 1; i--) DownHeap(keys, i, n, comparer);
        for (var i = n; i > 1; i--)
        {
            (keys[0], keys[i - 1]) = (keys[i - 1], keys[0]);
            DownHeap(keys, 1, i - 1, comparer);
        }
    }

    private static void DownHeap<T, TComparer>(Span<T> keys, int i, int n, TComparer comparer)
        where TComparer : struct, IComparer<T>
    {
        var record = keys[i - 1];
        while (i <= n >> 1)
        {
            var child = 2 * i;
            if (child < n && comparer.Compare(keys[child - 1], keys[child]) < 0) child++;
            if (comparer.Compare(record, keys[child - 1]) >= 0) break;
            keys[i - 1] = keys[child - 1];
            i = child;
        }
        keys[i - 1] = record;
    }
}
