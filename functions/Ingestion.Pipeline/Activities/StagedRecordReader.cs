using System.Buffers;
using Ingestion.Storage;

namespace Ingestion.Pipeline.Activities;

/// <summary>Reads one binary staged file of <typeparamref name="T"/> records back in write order, a block at a time:
/// records are decoded straight from the block into the caller's array (no line, no parse). Memory is one block (grown
/// only for a record longer than it), rented from the shared pool and returned on dispose: the fan-in opens a reader per
/// staged file, one after the other, so one block serves them all instead of a fresh array each.</summary>
internal sealed class StagedRecordReader<T> : IAsyncDisposable where T : IStagedRecord<T>
{
    /// <summary>Longest record accepted: a length field beyond it means a damaged file, not a record to buffer.</summary>
    private const int MaxRecordBytes = 16 << 20;

    /// <summary>Twice the lake's file buffer (64 KiB), so each read asks for more than that buffer holds and the stream
    /// reads straight into the block: with a 64 KiB block every read after the first (less a cut record) went through
    /// the stream's own buffer, one more copy and one more 64 KiB array per staged file opened.</summary>
    private const int DefaultBlockBytes = 128 * 1024;

    private readonly Stream _stream;
    private readonly string _path;
    private byte[] _block;
    private int _offset;
    private int _length;
    private bool _ended;

    private StagedRecordReader(Stream stream, string path, int blockBytes)
    {
        _stream = stream;
        _path = path;
        _block = ArrayPool<byte>.Shared.Rent(Math.Max(blockBytes, StagedFileFormat.HeaderBytes));
    }

    /// <summary>Opens a staged file and checks its header; null when the file does not exist and neither does a text
    /// file of an older build in its place (that fails: its records would otherwise be silently missing).</summary>
    public static async Task<StagedRecordReader<T>?> OpenAsync(ILake lake, string path, CancellationToken cancellationToken, int blockBytes = DefaultBlockBytes)
    {
        ArgumentNullException.ThrowIfNull(lake);
        if (await lake.GetAsync(path, cancellationToken).ConfigureAwait(false) is null)
        {
            var legacy = StagedFileFormat.LegacyTextPathOf(path);
            if (legacy != path && await lake.GetAsync(legacy, cancellationToken).ConfigureAwait(false) is not null)
                T.Format.Check(default, legacy);
            return null;
        }
        var reader = new StagedRecordReader<T>(await lake.OpenReadAsync(path, cancellationToken).ConfigureAwait(false), path, blockBytes);
        try
        {
            await reader.FillAsync(StagedFileFormat.HeaderBytes, cancellationToken).ConfigureAwait(false);
            T.Format.Check(reader._block.AsSpan(0, reader._length), path);
            reader._offset = StagedFileFormat.HeaderBytes;
            return reader;
        }
        catch
        {
            await reader.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Fills <paramref name="records"/> with the next records; returns how many (0 at the end of the file).</summary>
    public async ValueTask<int> ReadAsync(T[] records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        var count = 0;
        while (count < records.Length)
        {
            // A whole record in the block: decode it; else move the rest to the front and read more.
            var available = _length - _offset;
            var size = available == 0 ? 0 : T.SizeOf(_block.AsSpan(_offset, available), _path);
            if (size > 0 && size <= available)
            {
                records[count++] = T.Decode(_block.AsSpan(_offset, size));
                _offset += size;
                continue;
            }
            if (_ended)
            {
                if (available != 0) throw T.Format.Corrupt(_path, "end inside a record");
                break;
            }
            if (size > MaxRecordBytes) throw T.Format.Corrupt(_path, "hold a record longer than any staged one");
            await FillAsync(size > 0 ? size : available + 1, cancellationToken).ConfigureAwait(false);
        }
        return count;
    }

    /// <summary>Reads until at least <paramref name="bytes"/> bytes are buffered from the offset on, or the stream ends.</summary>
    private async Task FillAsync(int bytes, CancellationToken cancellationToken)
    {
        var kept = _length - _offset;
        if (bytes > _block.Length)
        {
            var grown = ArrayPool<byte>.Shared.Rent(bytes);
            _block.AsSpan(_offset, kept).CopyTo(grown);
            ArrayPool<byte>.Shared.Return(_block);
            _block = grown;
        }
        else _block.AsSpan(_offset, kept).CopyTo(_block);
        _offset = 0;
        _length = kept;
        while (_length < bytes && !_ended)
        {
            var read = await _stream.ReadAsync(_block.AsMemory(_length), cancellationToken).ConfigureAwait(false);
            if (read == 0) _ended = true;
            _length += read;
        }
    }

    public ValueTask DisposeAsync()
    {
        if (_block.Length != 0) ArrayPool<byte>.Shared.Return(_block);
        _block = [];
        return _stream.DisposeAsync();
    }
}
