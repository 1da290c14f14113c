using System.IO.Compression;
using Ingestion.Parquet.Format;

namespace Ingestion.Parquet.Compression;

/// <summary>
/// Compresses one page body with the file's codec (Compression.md: SNAPPY is the raw block format, GZIP is RFC 1952).
/// One per writer: it owns the Snappy hash table.
/// </summary>
internal sealed class PageCompressor
{
    // zlib's default level: the level other Parquet writers use for GZIP, balancing size and speed.
    private static readonly ZLibCompressionOptions GzipOptions = new() { CompressionLevel = 6 };

    private readonly ParquetCompression _compression;
    private readonly SnappyCompressor _snappy = new();

    public PageCompressor(ParquetCompression compression) => _compression = compression;

    public CompressionCodec Codec => _compression switch
    {
        ParquetCompression.Uncompressed => CompressionCodec.Uncompressed,
        ParquetCompression.Snappy => CompressionCodec.Snappy,
        ParquetCompression.Gzip => CompressionCodec.Gzip,
        _ => throw new ArgumentOutOfRangeException(nameof(_compression)),
    };

    /// <summary>Appends the compressed form of <paramref name="page"/> to <paramref name="output"/>; returns its length.</summary>
    public int Compress(ReadOnlySpan<byte> page, ByteBuffer output)
    {
        var before = output.Length;
        switch (_compression)
        {
            case ParquetCompression.Uncompressed:
                output.Write(page);
                break;
            case ParquetCompression.Snappy:
                _snappy.Compress(page, output);
                break;
            case ParquetCompression.Gzip:
                using (var gzip = new GZipStream(new ByteBufferStream(output), GzipOptions, leaveOpen: false))
                    gzip.Write(page);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(_compression));
        }
        return output.Length - before;
    }
}
