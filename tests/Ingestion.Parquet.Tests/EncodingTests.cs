using Ingestion.Parquet.Encodings;
using Ingestion.Parquet.Thrift;

namespace Ingestion.Parquet.Tests;

/// <summary>Byte-exact checks of the low-level encodings against the examples and rules of the format spec.</summary>
public sealed class EncodingTests
{
    [Fact]
    public void BitPackedRunsPackLeastSignificantBitFirstAsInTheSpecExample()
    {
        // Encodings.md: 0..7 with bit width 3 packs to 10001000 11000110 11111010, behind header (1 group << 1 | 1).
        using var output = new ByteBuffer();
        RleBitPackedHybridEncoder.Encode<int>([0, 1, 2, 3, 4, 5, 6, 7], 3, output);
        Assert.Equal(new byte[] { 0x03, 0b10001000, 0b11000110, 0b11111010 }, output.WrittenSpan.ToArray());
    }

    [Fact]
    public void RepeatedValuesBecomeOneRleRunWithAVarintHeader()
    {
        using var output = new ByteBuffer();
        RleBitPackedHybridEncoder.Encode<byte>(Enumerable.Repeat((byte)1, 300).ToArray(), 1, output);
        // varint(300 << 1) = 0xD8 0x04, then the value in one byte.
        Assert.Equal(new byte[] { 0xD8, 0x04, 0x01 }, output.WrittenSpan.ToArray());
    }

    [Fact]
    public void AShortTailIsBitPackedAndZeroPaddedToAWholeGroup()
    {
        using var output = new ByteBuffer();
        RleBitPackedHybridEncoder.Encode<int>([5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 1, 2], 10, output);
        // RLE run of 10 fives (2-byte value for width 10), then one bit-packed group holding 1, 2 and six zeros.
        Assert.Equal(new byte[] { 20, 5, 0, 0x03, 0x01, 0x08, 0, 0, 0, 0, 0, 0, 0, 0 }, output.WrittenSpan.ToArray());
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(255, 8)]
    [InlineData(256, 9)]
    public void DictionaryIndexBitWidthCoversTheLargestIndex(int maxIndex, int bits) =>
        Assert.Equal(bits, RleBitPackedHybridEncoder.BitWidthFor(maxIndex));

    [Fact]
    public void CompactProtocolUsesDeltaFieldHeadersZigzagVarintsAndLongFormForJumps()
    {
        using var output = new ByteBuffer();
        var writer = new ThriftCompactWriter(output);
        writer.StructBegin();
        writer.I32Field(1, -1);          // delta 1, type i32 (5): 0x15, zigzag(-1) = 1
        writer.I64Field(2, 300);         // delta 1, type i64 (6): 0x16, zigzag(300) = 600 = 0xD8 0x04
        writer.BoolField(3, true);       // 0x11: the value lives in the type nibble (1 = true)
        writer.StringField(20, "é");     // delta 17 > 15: type byte 0x08, zigzag(20) = 40, then length-prefixed UTF-8
        writer.ListFieldBegin(21, ThriftCompactWriter.ElementType.I32, 2);
        writer.I32(7);
        writer.I32(-7);
        writer.StructEnd();
        Assert.Equal(new byte[] { 0x15, 0x01, 0x16, 0xD8, 0x04, 0x11, 0x08, 40, 0x02, 0xC3, 0xA9, 0x19, 0x25, 14, 13, 0x00 },
            output.WrittenSpan.ToArray());
    }

    [Fact]
    public void NestedStructsRestoreTheEnclosingFieldIdDelta()
    {
        using var output = new ByteBuffer();
        var writer = new ThriftCompactWriter(output);
        writer.StructBegin();
        writer.StructFieldBegin(5);
        writer.I32Field(1, 0);
        writer.StructEnd();
        writer.I32Field(6, 0); // delta from 5, not from the inner 1
        writer.StructEnd();
        Assert.Equal(new byte[] { 0x5C, 0x15, 0x00, 0x00, 0x15, 0x00, 0x00 }, output.WrittenSpan.ToArray());
    }
}
