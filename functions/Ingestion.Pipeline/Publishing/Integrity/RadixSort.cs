namespace Ingestion.Pipeline.Publishing;

/// <summary>
/// A least-significant-digit radix sort of fixed-size records by their key words (<see cref="IRadixOrder{T}"/>), a byte
/// at a time: per byte one counting pass and one scatter into the other buffer, and a byte that no two records differ in
/// is skipped (a table index, the high bytes of small numbers). The fan-in's keys are mostly 64-bit hashes, where this
/// is a fixed handful of linear passes instead of a comparison sort's ~log2(n) passes of compares and swaps (IntroSort
/// was ~11 % of the N = 100 fan-in's samples: docs/benchmarks.md, "After fanin4"). Stable; needs a scratch span as long
/// as the records. Below <see cref="SmallSort"/> records, an insertion sort by the order's comparer.
/// </summary>
internal static class RadixSort
{
    internal const int SmallSort = 64;

    public static void Sort<T, TOrder>(Span<T> records, Span<T> scratch, TOrder order)
        where TOrder : struct, IRadixOrder<T>
    {
        if (records.Length < SmallSort)
        {
            InsertionSort(records, order);
            return;
        }
        if (scratch.Length < records.Length) throw new ArgumentException("The scratch span is shorter than the records.", nameof(scratch));
        var words = order.Words;
        Span<ulong> varying = stackalloc ulong[words];
        for (var w = 0; w < words; w++)
        {
            var first = order.Word(records[0], w);
            var bits = 0UL;
            foreach (ref readonly var record in records) bits |= order.Word(record, w) ^ first;
            varying[w] = bits;
        }
        Span<int> offsets = stackalloc int[256];
        var from = records;
        var to = scratch[..records.Length];
        var inScratch = false;
        for (var w = words - 1; w >= 0; w--)
        {
            for (var shift = 0; shift < 64; shift += 8)
            {
                if (((varying[w] >> shift) & 0xFF) == 0) continue;
                offsets.Clear();
                foreach (ref readonly var record in from) offsets[(int)(order.Word(record, w) >> shift) & 0xFF]++;
                var sum = 0;
                for (var d = 0; d < offsets.Length; d++) (offsets[d], sum) = (sum, sum + offsets[d]);
                foreach (ref readonly var record in from) to[offsets[(int)(order.Word(record, w) >> shift) & 0xFF]++] = record;
                var swap = from;
                from = to;
                to = swap;
                inScratch = !inScratch;
            }
        }
        if (inScratch) from.CopyTo(records);
    }

    private static void InsertionSort<T, TOrder>(Span<T> records, TOrder order)
        where TOrder : struct, IRadixOrder<T>
    {
        for (var i = 1; i < records.Length; i++)
        {
            var record = records[i];
            var j = i - 1;
            while (j >= 0 && order.Compare(record, records[j]) < 0)
            {
                records[j + 1] = records[j];
                j--;
            }
            records[j + 1] = record;
        }
    }
}
