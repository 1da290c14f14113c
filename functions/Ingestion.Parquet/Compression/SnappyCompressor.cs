using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Ingestion.Parquet.Compression;

/// <summary>
/// Snappy raw block format (google/snappy format_description.txt): a varint of the uncompressed length, then literals
/// and copies. Greedy hash matching on 4-byte sequences within 64 KiB blocks, as the reference compressor does, so
/// every copy offset fits in two bytes. Writes straight into the caller's buffer: no per-page allocation.
/// </summary>
internal sealed class SnappyCompressor
{
    private const int BlockSize = 1 << 16;
    private const int HashBits = 14;
    private const int InputMargin = 15;

    private readonly ushort[] _table = new ushort[1 << HashBits];

    /// <summary>Upper bound of the compressed size (the reference MaxCompressedLength).</summary>
    public static int MaxCompressedLength(int length) => 32 + length + length / 6;

    public void Compress(ReadOnlySpan<byte> input, ByteBuffer output)
    {
        var span = output.GetSpan(MaxCompressedLength(input.Length));
        var position = WriteVarint(span, (uint)input.Length);
        for (var start = 0; start < input.Length; start += BlockSize)
            position = CompressBlock(input.Slice(start, Math.Min(BlockSize, input.Length - start)), span, position);
        output.Advance(position);
    }

    private int CompressBlock(ReadOnlySpan<byte> block, Span<byte> output, int position)
    {
        var nextEmit = 0;
        if (block.Length >= InputMargin)
        {
            Array.Clear(_table);
            var ipLimit = block.Length - InputMargin;
            var ip = 1;
            while (true)
            {
                // Find a 4-byte match; skip faster the longer nothing matches (incompressible data).
                var skip = 32;
                int candidate;
                while (true)
                {
                    var current = Load32(block, ip);
                    var hash = Hash(current);
                    candidate = _table[hash];
                    _table[hash] = (ushort)ip;
                    if (Load32(block, candidate) == current && candidate < ip) break;
                    ip += skip++ >> 5;
                    if (ip > ipLimit) goto Done;
                }

                position = EmitLiteral(block[nextEmit..ip], output, position);
                while (true)
                {
                    var matched = 4 + CommonPrefix(block[(candidate + 4)..], block[(ip + 4)..]);
                    position = EmitCopy(ip - candidate, matched, output, position);
                    ip += matched;
                    nextEmit = ip;
                    if (ip >= ipLimit) goto Done;
                    _table[Hash(Load32(block, ip - 1))] = (ushort)(ip - 1);
                    var current = Load32(block, ip);
                    var hash = Hash(current);
                    candidate = _table[hash];
                    _table[hash] = (ushort)ip;
                    if (Load32(block, candidate) != current) break;
                }
                ip++;
                if (ip > ipLimit) break;
            }
        }
        Done:
        if (nextEmit < block.Length) position = EmitLiteral(block[nextEmit..], output, position);
        return position;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Load32(ReadOnlySpan<byte> block, int offset) => BinaryPrimitives.ReadUInt32LittleEndian(block[offset..]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Hash(uint value) => (int)((value * 0x1E35A7BDu) >> (32 - HashBits));

    private static int CommonPrefix(ReadOnlySpan<byte> earlier, ReadOnlySpan<byte> later)
    {
        var length = Math.Min(earlier.Length, later.Length);
        var matched = 0;
        while (matched + 8 <= length)
        {
            var difference = BinaryPrimitives.ReadUInt64LittleEndian(earlier[matched..]) ^ BinaryPrimitives.ReadUInt64LittleEndian(later[matched..]);
            if (difference != 0) return matched + BitOperations.TrailingZeroCount(difference) / 8;
            matched += 8;
        }
        while (matched < length && earlier[matched] == later[matched]) matched++;
        return matched;
    }

    private static int EmitLiteral(ReadOnlySpan<byte> literal, Span<byte> output, int position)
    {
        if (literal.IsEmpty) return position;
        var n = literal.Length - 1;
        if (n < 60) output[position++] = (byte)(n << 2);
        else
        {
            var bytes = n < 1 << 8 ? 1 : n < 1 << 16 ? 2 : n < 1 << 24 ? 3 : 4;
            output[position++] = (byte)((59 + bytes) << 2);
            for (var i = 0; i < bytes; i++) output[position++] = (byte)(n >> (8 * i));
        }
        literal.CopyTo(output[position..]);
        return position + literal.Length;
    }

    private static int EmitCopy(int offset, int length, Span<byte> output, int position)
    {
        while (length >= 68)
        {
            position = EmitCopyTwoByteOffset(offset, 64, output, position);
            length -= 64;
        }
        if (length > 64)
        {
            position = EmitCopyTwoByteOffset(offset, 60, output, position);
            length -= 60;
        }
        if (length >= 12 || offset >= 2048) return EmitCopyTwoByteOffset(offset, length, output, position);
        output[position++] = (byte)(1 | ((length - 4) << 2) | ((offset >> 8) << 5));
        output[position++] = (byte)offset;
        return position;
    }

    private static int EmitCopyTwoByteOffset(int offset, int length, Span<byte> output, int position)
    {
        output[position++] = (byte)(2 | ((length - 1) << 2));
        output[position++] = (byte)offset;
        output[position++] = (byte)(offset >> 8);
        return position;
    }

    private static int WriteVarint(Span<byte> output, uint value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            output[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        output[i++] = (byte)value;
        return i;
    }
}
