using System.Numerics;
using System.Runtime.CompilerServices;

namespace Ingestion.Parquet.Columns;

/// <summary>
/// The distinct values of a fixed-width column chunk in first-seen order, each with its dictionary index, keyed by the
/// value's bits (<typeparamref name="TBits"/>, so -0.0 and +0.0, and NaN payloads, stay distinct). Looked up a run of
/// values at a time (<see cref="IndexRange"/>): an open-addressing table of 4-byte slots (index + 1, 0 = empty; linear
/// probing, at most half full) over the value array, a quarter of <see cref="Dictionary{TKey, TValue}"/>'s memory per
/// entry and no entry objects to chase. Indices are the same as a dictionary filled in the same order would give.
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

    /// <summary>
    /// Writes each value's index to <paramref name="indices"/>, adding values not seen before with the next index, and
    /// stops right after the value whose addition takes <see cref="Count"/> past <paramref name="maxCount"/> (the
    /// caller's dictionary page limit). Returns how many values it consumed.
    /// </summary>
    public int IndexRange(ReadOnlySpan<T> values, Span<int> indices, int maxCount)
    {
        // A chunk's values arrive here in runs: the table, its mask and shift stay in registers (a lookup per value
        // was a call that reloaded them from the fields each time).
        var slots = _slots;
        var known = _values;
        var shift = _shift;
        var mask = slots.Length - 1;
        var count = _count;
        var last = -1;
        for (var i = 0; i < values.Length; i++)
        {
            var value = values[i];
            var bits = Unsafe.BitCast<T, TBits>(value);
            // Rows of one person, visit or date come together: a repeat of the value before costs one comparison.
            if (last >= 0 && Unsafe.BitCast<T, TBits>(known[last]).Equals(bits))
            {
                indices[i] = last;
                continue;
            }
            // Fibonacci hashing: the top bits of the product, good for sequential and random keys alike.
            var slot = (int)((Widen(bits) * 0x9E3779B97F4A7C15UL) >> shift);
            int entry;
            while ((entry = slots[slot]) != 0 && !Unsafe.BitCast<T, TBits>(known[entry - 1]).Equals(bits)) slot = (slot + 1) & mask;
            if (entry != 0)
            {
                indices[i] = last = entry - 1;
                continue;
            }

            if (count == known.Length)
            {
                Array.Resize(ref _values, count * 2);
                known = _values;
            }
            known[count] = value;
            indices[i] = last = count;
            slots[slot] = ++count;
            if (count * 2 > slots.Length)
            {
                _count = count;
                Grow();
                (slots, shift) = (_slots, _shift);
                mask = slots.Length - 1;
            }
            if (count > maxCount)
            {
                _count = count;
                return i + 1;
            }
        }
        _count = count;
        return values.Length;
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
