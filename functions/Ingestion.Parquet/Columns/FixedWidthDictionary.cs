using System.Numerics;
using System.Runtime.CompilerServices;

namespace Ingestion.Parquet.Columns;

/// <summary>
/// The distinct values of a fixed-width column chunk in first-seen order, each with its dictionary index, keyed by the
/// value's bits (<typeparamref name="TBits"/>, so -0.0 and +0.0, and NaN payloads, stay distinct). One lookup per
/// value appended: an open-addressing table of 4-byte slots (index + 1, 0 = empty; linear probing, at most half full)
/// over the value array, a quarter of <see cref="Dictionary{TKey, TValue}"/>'s memory per entry and no entry objects
/// to chase. Indices are the same as a dictionary filled in the same order would give.
/// </summary>
internal sealed class FixedWidthDictionary<T, TBits>
    where T : unmanaged
    where TBits : unmanaged, IEquatable<TBits>
{
    private const int InitialSlots = 512;

    private T[] _values = new T[InitialSlots / 2];
    private int[] _slots = new int[InitialSlots];
    private int _shift = 64 - BitOperations.Log2(InitialSlots);
    private int _count;

    public FixedWidthDictionary()
    {
        if (Unsafe.SizeOf<TBits>() != Unsafe.SizeOf<T>() || Unsafe.SizeOf<TBits>() is not (4 or 8))
            throw new ArgumentException("TBits must be a 4- or 8-byte type of the size of T.");
    }

    public int Count => _count;

    /// <summary>The distinct values, index order.</summary>
    public ReadOnlySpan<T> Values => _values.AsSpan(0, _count);

    /// <summary>The value's index; a value not seen before is added with the next index (<paramref name="added"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int IndexOf(T value, out bool added)
    {
        var bits = Unsafe.BitCast<T, TBits>(value);
        var mask = _slots.Length - 1;
        // Fibonacci hashing: the top bits of the product, good for sequential and random keys alike.
        var slot = (int)((Widen(bits) * 0x9E3779B97F4A7C15UL) >> _shift);
        while (true)
        {
            var entry = _slots[slot];
            if (entry == 0) break;
            if (Unsafe.BitCast<T, TBits>(_values[entry - 1]).Equals(bits))
            {
                added = false;
                return entry - 1;
            }
            slot = (slot + 1) & mask;
        }

        added = true;
        var index = _count++;
        if (index == _values.Length) Array.Resize(ref _values, index * 2);
        _values[index] = value;
        _slots[slot] = index + 1;
        if (_count * 2 > _slots.Length) Grow();
        return index;
    }

    public void Clear()
    {
        _slots.AsSpan().Clear();
        _count = 0;
    }

    private void Grow()
    {
        _slots = new int[_slots.Length * 2];
        _shift--;
        var mask = _slots.Length - 1;
        for (var index = 0; index < _count; index++)
        {
            var slot = (int)((Widen(Unsafe.BitCast<T, TBits>(_values[index])) * 0x9E3779B97F4A7C15UL) >> _shift);
            while (_slots[slot] != 0) slot = (slot + 1) & mask;
            _slots[slot] = index + 1;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Widen(TBits bits) =>
        Unsafe.SizeOf<TBits>() == 8 ? Unsafe.As<TBits, ulong>(ref bits) : Unsafe.As<TBits, uint>(ref bits);
}
