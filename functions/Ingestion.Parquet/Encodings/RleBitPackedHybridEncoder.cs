using System.Numerics;

namespace Ingestion.Parquet.Encodings;

/// <summary>
/// The RLE / bit-packing hybrid (Encodings.md, RLE = 3) used for definition levels and dictionary indices.
/// Runs of 8 or more equal values become RLE runs (varint(count &lt;&lt; 1), value in ceil(bitWidth / 8) bytes);
/// everything else is bit-packed LSB first in groups of 8 (varint(groups &lt;&lt; 1 | 1)), the last group zero-padded.
/// No length prefix: callers add the 4-byte length where the page kind needs it.
/// </summary>
internal static class RleBitPackedHybridEncoder
{
    private const int GroupSize = 8;

    public static void Encode<T>(ReadOnlySpan<T> values, int bitWidth, ByteBuffer output)
        where T : unmanaged, IBinaryInteger<T>
    {
        var count = values.Length;
        var i = 0;
        while (i < count)
        {
            var run = RunLength(values, i);
            if (run >= GroupSize)
            {
                WriteRleRun(uint.CreateTruncating(values[i]), run, bitWidth, output);
                i += run;
                continue;
            }

            // Bit-pack whole groups until a run of at least one group starts on a group boundary.
            var start = i;
            i += GroupSize;
            while (i < count && !StartsRun(values, i)) i += GroupSize;
            var groups = (i - start) / GroupSize;
            output.WriteUnsignedVarint(((ulong)groups << 1) | 1);
            BitPack(values[start..Math.Min(i, count)], groups * GroupSize, bitWidth, output);
        }
    }

    /// <summary>Minimum bit width for values 0..maxValue (at least 1: some readers mishandle width 0).</summary>
    public static int BitWidthFor(int maxValue) => Math.Max(1, 32 - BitOperations.LeadingZeroCount((uint)maxValue));

    private static int RunLength<T>(ReadOnlySpan<T> values, int start)
        where T : unmanaged, IBinaryInteger<T>
    {
        var rest = values[start..];
        var different = rest.IndexOfAnyExcept(rest[0]);
        return different < 0 ? rest.Length : different;
    }

    private static bool StartsRun<T>(ReadOnlySpan<T> values, int start)
        where T : unmanaged, IBinaryInteger<T>
    {
        if (values.Length - start < GroupSize) return false;
        var group = values.Slice(start, GroupSize);
        return group.IndexOfAnyExcept(group[0]) < 0;
    }

    private static void WriteRleRun(uint value, int run, int bitWidth, ByteBuffer output)
    {
        output.WriteUnsignedVarint((ulong)run << 1);
        var byteWidth = (bitWidth + 7) / 8;
        for (var b = 0; b < byteWidth; b++) output.WriteByte((byte)(value >> (8 * b)));
    }

    private static void BitPack<T>(ReadOnlySpan<T> values, int paddedCount, int bitWidth, ByteBuffer output)
        where T : unmanaged, IBinaryInteger<T>
    {
        var byteCount = paddedCount / GroupSize * bitWidth;
        var span = output.GetSpan(byteCount);
        ulong accumulator = 0;
        var bits = 0;
        var position = 0;
        foreach (var value in values)
        {
            accumulator |= ulong.CreateTruncating(value) << bits;
            bits += bitWidth;
            while (bits >= 8)
            {
                span[position++] = (byte)accumulator;
                accumulator >>= 8;
                bits -= 8;
            }
        }
        // Zero padding up to the last full group.
        while (position < byteCount)
        {
            span[position++] = (byte)accumulator;
            accumulator >>= 8;
        }
        output.Advance(byteCount);
    }
}
