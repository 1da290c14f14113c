using System.Numerics;

namespace Ingestion.Pipeline.Publishing;

/// <summary>
/// An in-place most-significant-digit radix sort (American flag sort) of fixed-size records by their key words
/// (<see cref="IRadixOrder{T}"/>), a byte at a time: per byte one counting pass and one in-place permutation into the
/// byte's buckets, then each bucket by the next byte; a byte that all records of a bucket share is skipped, and a bucket
/// below <see cref="SmallSort"/> records is finished by an insertion sort through the order's comparer. The fan-in's keys
/// are mostly 64-bit hashes, where two or three bytes leave buckets of a few records: a few linear passes instead of a
/// comparison sort's ~log2(n) passes of compares and swaps (IntroSort was ~11 % of the N = 100 fan-in's samples:
/// docs/benchmarks.md, "After fanin4"). Not stable (records that compare equal come out in no particular order); no
/// memory beyond the records.
/// </summary>
internal static class RadixSort
{
    internal const int SmallSort = 48;

    private const int Buckets = 256;

    public static void Sort<T, TOrder>(Span<T> records, TOrder order)
        where TOrder : struct, IRadixOrder<T>
    {
        if (records.Length < SmallSort)
        {
            InsertionSort(records, order);
            return;
        }
        if (FirstDifferingByte(records, order) is (var word, var shift)) Sort(records, word, shift, order);
    }

    /// <summary>The first key byte (word, shift) that some records differ in; null when every key is equal. One pass
    /// instead of a counting pass per shared byte: the fan-in's keys start with a small table index or row number whose
    /// upper bytes every record shares (seven counting passes over a whole run for a table index).</summary>
    private static (int Word, int Shift)? FirstDifferingByte<T, TOrder>(ReadOnlySpan<T> records, TOrder order)
        where TOrder : struct, IRadixOrder<T>
    {
        var words = order.Words;
        for (var word = 0; word < words; word++)
        {
            var first = order.Word(records[0], word);
            var differing = 0UL;
            foreach (ref readonly var record in records) differing |= order.Word(record, word) ^ first;
            if (differing != 0) return (word, (63 - BitOperations.LeadingZeroCount(differing)) & ~7);
        }
        return null;
    }

    /// <summary>Sorts records that share every key byte before byte <paramref name="shift"/>/8 of word <paramref name="word"/>.</summary>
    private static void Sort<T, TOrder>(Span<T> records, int word, int shift, TOrder order)
        where TOrder : struct, IRadixOrder<T>
    {
        Span<int> counts = stackalloc int[Buckets];
        Span<int> next = stackalloc int[Buckets];
        Span<int> ends = stackalloc int[Buckets];
        var words = order.Words;
        while (true)
        {
            if (records.Length < SmallSort)
            {
                InsertionSort(records, order);
                return;
            }
            if (word == words) return; // every key byte equal: nothing left to order by
            counts.Clear();
            foreach (ref readonly var record in records) counts[Digit(record, word, shift, order)]++;
            var (nextWord, nextShift) = shift == 0 ? (word + 1, 56) : (word, shift - 8);
            if (counts[Digit(records[0], word, shift, order)] == records.Length)
            {
                // One bucket holds them all: the same sort by the next byte, no permutation.
                (word, shift) = (nextWord, nextShift);
                continue;
            }
            var sum = 0;
            for (var b = 0; b < Buckets; b++)
            {
                next[b] = sum;
                sum += counts[b];
                ends[b] = sum;
            }
            for (var b = 0; b < Buckets; b++)
            {
                while (next[b] < ends[b])
                {
                    // Carry the record at the bucket's next free place to its own bucket, and the one found there on, until
                    // a record of this bucket comes back.
                    var carried = records[next[b]];
                    var digit = Digit(carried, word, shift, order);
                    while (digit != b)
                    {
                        (carried, records[next[digit]]) = (records[next[digit]], carried);
                        next[digit]++;
                        digit = Digit(carried, word, shift, order);
                    }
                    records[next[b]++] = carried;
                }
            }
            var start = 0;
            for (var b = 0; b < Buckets; b++)
            {
                if (counts[b] > 1) Sort(records.Slice(start, counts[b]), nextWord, nextShift, order);
                start += counts[b];
            }
            return;
        }
    }

    private static int Digit<T, TOrder>(in T record, int word, int shift, TOrder order)
        where TOrder : struct, IRadixOrder<T> =>
        (int)(order.Word(record, word) >> shift) & (Buckets - 1);

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
