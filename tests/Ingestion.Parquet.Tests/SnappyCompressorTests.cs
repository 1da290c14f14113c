using Ingestion.Parquet.Compression;

namespace Ingestion.Parquet.Tests;

/// <summary>The writer's Snappy block compressor, decoded by an independent implementation (IronSnappy).</summary>
public sealed class SnappyCompressorTests
{
    public static TheoryData<string, int> Inputs() => new()
    {
        { "random", 0 }, { "random", 1 }, { "random", 14 }, { "random", 15 }, { "random", 16 }, { "random", 1000 },
        { "random", 65_535 }, { "random", 65_536 }, { "random", 65_537 }, { "random", 300_000 },
        { "repeated", 20 }, { "repeated", 65_536 }, { "repeated", 1_000_000 },
        { "mixed", 5_000 }, { "mixed", 200_000 }, { "mixed", 1_048_576 },
    };

    [Theory]
    [MemberData(nameof(Inputs))]
    public void CompressedPagesDecodeBackToTheSameBytes(string kind, int length)
    {
        var input = Make(kind, length, seed: length);
        using var output = new ByteBuffer();
        var compressor = new SnappyCompressor();
        compressor.Compress(input, output);
        compressor.Compress(input, output); // a reused compressor (its hash table) gives the same stream again

        var single = output.Length / 2;
        Assert.True(output.WrittenSpan[..single].SequenceEqual(output.WrittenSpan[single..]));
        Assert.Equal(input, IronSnappy.Snappy.Decode(output.WrittenSpan[..single]));
        Assert.True(single <= SnappyCompressor.MaxCompressedLength(length));
        if (kind == "repeated" && length >= 65_536) Assert.True(single < length / 20, $"{single} bytes for {length} repetitive bytes");
    }

    private static byte[] Make(string kind, int length, int seed)
    {
        var random = new Random(seed);
        var bytes = new byte[length];
        switch (kind)
        {
            case "random":
                random.NextBytes(bytes);
                break;
            case "repeated":
                for (var i = 0; i < length; i++) bytes[i] = (byte)"mg/dL;"[i % 6];
                break;
            default:
                // Column-like data: runs, small integers and repeated short strings, with random noise.
                for (var i = 0; i < length; i++)
                    bytes[i] = random.Next(4) switch { 0 => (byte)random.Next(256), 1 => (byte)(i / 7), _ => (byte)"LOINC:1234"[i % 10] };
                break;
        }
        return bytes;
    }
}
