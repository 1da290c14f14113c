using Ingestion.Parquet.Compression;

namespace Ingestion.Parquet.Columns;

/// <summary>Scratch buffers and the codec shared by every column chunk one writer encodes (one chunk at a time).</summary>
internal sealed class ChunkEncodingContext(PageCompressor compressor) : IDisposable
{
    public PageCompressor Compressor { get; } = compressor;

    /// <summary>The uncompressed body of the page being built.</summary>
    public ByteBuffer Page { get; } = new(64 * 1024);

    /// <summary>The compressed body of the page being written.</summary>
    public ByteBuffer CompressedPage { get; } = new(64 * 1024);

    public void Dispose()
    {
        Page.Dispose();
        CompressedPage.Dispose();
    }
}
