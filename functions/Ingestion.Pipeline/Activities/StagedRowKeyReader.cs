namespace Ingestion.Pipeline.Activities;

/// <summary>Reads one <see cref="RowKeyStaging"/> file back in write order, a block at a time: records are decoded
/// straight from the block into the caller's array (no string, no parse, no allocation per row). Memory is one block.</summary>
public sealed class StagedRowKeyReader : IAsyncDisposable
{
    private const int BlockBytes = 64 * 1024;

    private readonly Stream _stream;
    private readonly string _path;
    private readonly byte[] _block = new byte[BlockBytes];
    private int _offset;
    private int _length;
    private bool _ended;

    internal StagedRowKeyReader(Stream stream, string path)
    {
        _stream = stream;
        _path = path;
    }

    internal async Task ReadHeaderAsync(CancellationToken cancellationToken)
    {
        await FillAsync(RowKeyStaging.HeaderBytes, cancellationToken).ConfigureAwait(false);
        RowKeyStaging.CheckHeader(_block.AsSpan(_offset, _length - _offset), _path);
        _offset += RowKeyStaging.HeaderBytes;
    }

    /// <summary>Fills <paramref name="rows"/> with the next records; returns how many (0 at the end of the file).</summary>
    public async ValueTask<int> ReadAsync(StagedRowKey[] rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var count = 0;
        while (count < rows.Length)
        {
            // A whole record in the block: decode it; else move the rest to the front and read more.
            if (_length - _offset >= 4)
            {
                var width = RowKeyStaging.RecordBytes(RowKeyStaging.TableIndexAt(_block.AsSpan(_offset), _path));
                if (_length - _offset >= width)
                {
                    rows[count++] = RowKeyStaging.Decode(_block.AsSpan(_offset, width));
                    _offset += width;
                    continue;
                }
            }
            if (_ended)
            {
                if (_offset != _length) throw new StagingFormatException(_path, StagingFormatException.Corrupt, $"Staged row keys '{_path}' end inside a record.");
                break;
            }
            await FillAsync(_length - _offset + 1, cancellationToken).ConfigureAwait(false);
        }
        return count;
    }

    /// <summary>Reads until at least <paramref name="bytes"/> bytes are buffered from the offset on, or the stream ends.</summary>
    private async Task FillAsync(int bytes, CancellationToken cancellationToken)
    {
        var kept = _length - _offset;
        _block.AsSpan(_offset, kept).CopyTo(_block);
        _offset = 0;
        _length = kept;
        while (_length < bytes && !_ended)
        {
            var read = await _stream.ReadAsync(_block.AsMemory(_length), cancellationToken).ConfigureAwait(false);
            if (read == 0) _ended = true;
            _length += read;
        }
    }

    public ValueTask DisposeAsync() => _stream.DisposeAsync();
}
