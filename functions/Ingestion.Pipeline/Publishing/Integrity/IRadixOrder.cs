namespace Ingestion.Pipeline.Publishing;

/// <summary>
/// An order of fixed-size records that <see cref="RadixSort"/> can sort by their bytes: the sort key as
/// <see cref="Words"/> unsigned 64-bit words, most significant first, which compared word by word give the same order as
/// <see cref="IComparer{T}.Compare"/> (the merges of <see cref="SpilledSort{T, TComparer}"/> still compare).
/// </summary>
internal interface IRadixOrder<T> : IComparer<T>
{
    /// <summary>How many words the key has (a constant of the order).</summary>
    int Words { get; }

    /// <summary>Word <paramref name="word"/> of <paramref name="record"/>'s key (0 the most significant).</summary>
    ulong Word(in T record, int word);
}

/// <summary>Signed numbers as unsigned words of the same order (the sign bit flipped), for <see cref="IRadixOrder{T}.Word"/>.</summary>
internal static class RadixWord
{
    public static ulong Of(long value) => (ulong)value ^ 0x8000_0000_0000_0000UL;

    public static ulong Of(int value) => (uint)value ^ 0x8000_0000U;
}
