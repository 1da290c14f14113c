using System.IO.Hashing;

namespace Ingestion.Fhir.Validation;

/// <summary>
/// A set of UTF-8 byte-string pairs, looked up by the two spans as they lie in a document (a Coding's system and code):
/// no transcoding to chars, no concatenation, no string. Open addressing over a power-of-two slot array; the pairs'
/// bytes in one array. Built once, immutable afterwards.
/// </summary>
internal sealed class Utf8PairSet
{
    private readonly byte[] _bytes;
    private readonly (int Start, int FirstLength, int SecondLength)[] _pairs;
    private readonly int[] _slots; // index into _pairs + 1; 0 = empty
    private readonly int _mask;

    public Utf8PairSet(IReadOnlyList<(byte[] First, byte[] Second)> pairs)
    {
        _bytes = new byte[pairs.Sum(p => p.First.Length + p.Second.Length)];
        _pairs = new (int, int, int)[pairs.Count];
        var size = 4;
        while (size < pairs.Count * 2) size *= 2;
        _slots = new int[size];
        _mask = size - 1;
        var at = 0;
        for (var i = 0; i < pairs.Count; i++)
        {
            var (first, second) = pairs[i];
            if (Contains(first, second)) continue; // a duplicate: the one stored answers
            first.CopyTo(_bytes, at);
            second.CopyTo(_bytes, at + first.Length);
            _pairs[i] = (at, first.Length, second.Length);
            at += first.Length + second.Length;
            var slot = Hash(first, second) & _mask;
            while (_slots[slot] != 0) slot = (slot + 1) & _mask;
            _slots[slot] = i + 1;
        }
    }

    public bool Contains(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        var slot = Hash(first, second) & _mask;
        while (_slots[slot] is var index and not 0)
        {
            var (start, firstLength, secondLength) = _pairs[index - 1];
            if (firstLength == first.Length && secondLength == second.Length
                && _bytes.AsSpan(start, firstLength).SequenceEqual(first) && _bytes.AsSpan(start + firstLength, secondLength).SequenceEqual(second)) return true;
            slot = (slot + 1) & _mask;
        }
        return false;
    }

    private static int Hash(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        var h = XxHash3.HashToUInt64(second) ^ (first.IsEmpty ? 0 : XxHash3.HashToUInt64(first, unchecked((long)0x9E3779B97F4A7C15)) * 0xC2B2AE3D27D4EB4FUL);
        return (int)(h ^ (h >> 32)) & int.MaxValue;
    }
}
