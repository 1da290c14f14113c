using System.Buffers;

namespace Ingestion.Parquet.Columns;

/// <summary>
/// The column buffers' arrays, from the shared array pools and back when the writer is disposed. The product opens a
/// writer per part (thousands per run), and each grew every array of every column anew from 1,024 slots: allocation and
/// zeroing per part, the large ones on the large-object heap. A rented array is not cleared: its user writes a slot before
/// reading it (or clears it, as the dictionary's hash slots do).
/// </summary>
internal static class PooledArrays
{
    public static T[] Rent<T>(int minimumLength) => ArrayPool<T>.Shared.Rent(minimumLength);

    /// <summary>Replaces <paramref name="array"/> by one of at least <paramref name="needed"/> slots (at least twice as
    /// many), keeping its first <paramref name="used"/> items; the old one goes back to the pool.</summary>
    public static void Grow<T>(ref T[] array, int needed, int used)
    {
        var next = ArrayPool<T>.Shared.Rent((int)Math.Min(Array.MaxLength, Math.Max((long)array.Length * 2, needed)));
        array.AsSpan(0, used).CopyTo(next);
        Return(ref array);
        array = next;
    }

    /// <summary>Gives the array back and leaves an empty one in its place, so a second return is a no-op.</summary>
    public static void Return<T>(ref T[] array)
    {
        var returned = array;
        array = [];
        if (returned.Length > 0) ArrayPool<T>.Shared.Return(returned);
    }
}
