using System.Buffers;
using System.Buffers.Binary;

namespace Ingestion.Azure.Blobs;

/// <summary>
/// A write-only stream that stages its bytes as blocks (Put Block), up to MaxConcurrency in parallel, and makes
/// them the blob's content only on <see cref="CommitAsync"/> (Put Block List with the write conditions). Memory is
/// bounded by (MaxConcurrency + 1) × BlockSize whatever the size of the blob: a writer waits for a free slot
/// before it can fill the next block. A stream that fits one block is written with a single Put Blob instead.
/// Disposing without commit leaves only uncommitted blocks, which the service discards (invisible to readers).
/// </summary>
public sealed class BlockBlobUploadStream : Stream
{
    private readonly BlobStorageClient _client;
    private readonly string _container;
    private readonly BlobConditions _conditions;
    private readonly int _blockSize;
    private readonly SemaphoreSlim _slots;
    private readonly List<string> _blockIds = [];
    private readonly List<Task> _inFlight = [];
    // Random per upload so concurrent uploads to the same name never reuse each other's uncommitted blocks.
    private readonly Guid _uploadId = Guid.NewGuid();
    private byte[]? _current;
    private int _currentLength;
    private long _length;
    private bool _completed;

    internal BlockBlobUploadStream(BlobStorageClient client, string container, string blob, BlobConditions conditions, int blockSize, int maxConcurrency)
    {
        _client = client;
        _container = container;
        BlobName = blob;
        _conditions = conditions;
        _blockSize = blockSize;
        _slots = new SemaphoreSlim(maxConcurrency, maxConcurrency);
    }

    public string BlobName { get; }

    /// <summary>Blocks staged so far (for tests and progress).</summary>
    public int StagedBlockCount => _blockIds.Count;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => !_completed;
    public override long Length => _length;
    public override long Position { get => _length; set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count), CancellationToken.None).AsTask().GetAwaiter().GetResult();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        while (!buffer.IsEmpty)
        {
            _current ??= ArrayPool<byte>.Shared.Rent(_blockSize);
            var take = Math.Min(buffer.Length, _blockSize - _currentLength);
            buffer.Span[..take].CopyTo(_current.AsSpan(_currentLength));
            _currentLength += take;
            _length += take;
            buffer = buffer[take..];
            if (_currentLength == _blockSize) await StageCurrentAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stages what is left, waits for every block, then commits the block list (or Put Blob when it all fit in one block).</summary>
    public async Task<BlobProperties> CommitAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        try
        {
            if (_blockIds.Count == 0)
            {
                var content = _current is null ? ReadOnlyMemory<byte>.Empty : _current.AsMemory(0, _currentLength);
                return await _client.UploadAsync(_container, BlobName, content, _conditions, cancellationToken).ConfigureAwait(false);
            }
            if (_currentLength > 0) await StageCurrentAsync(cancellationToken).ConfigureAwait(false);
            await Task.WhenAll(_inFlight).ConfigureAwait(false);
            return await _client.CommitBlockListAsync(_container, BlobName, _blockIds, _length, _conditions, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await CompleteAsync().ConfigureAwait(false);
        }
    }

    private async Task StageCurrentAsync(CancellationToken cancellationToken)
    {
        ThrowIfAnyBlockFailed();
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        var buffer = _current!;
        var length = _currentLength;
        _current = null;
        _currentLength = 0;
        var blockId = BlockId(_blockIds.Count);
        _blockIds.Add(blockId);
        _inFlight.Add(Task.Run(async () =>
        {
            try
            {
                await _client.StageBlockAsync(_container, BlobName, blockId, buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
                _slots.Release();
            }
        }, CancellationToken.None));
        _inFlight.RemoveAll(t => t.IsCompletedSuccessfully);
    }

    private void ThrowIfAnyBlockFailed()
    {
        var failed = _inFlight.FirstOrDefault(t => t.IsFaulted || t.IsCanceled);
        failed?.GetAwaiter().GetResult();
    }

    /// <summary>Same length for every block of a blob (a service rule): 16 bytes of upload id + 4 bytes of index, base64.</summary>
    private string BlockId(int index)
    {
        Span<byte> raw = stackalloc byte[20];
        _uploadId.TryWriteBytes(raw);
        BinaryPrimitives.WriteInt32BigEndian(raw[16..], index);
        return Convert.ToBase64String(raw);
    }

    private async Task CompleteAsync()
    {
        if (_completed) return;
        _completed = true;
        try
        {
            await Task.WhenAll(_inFlight).ConfigureAwait(false);
        }
        catch
        {
            // Abandoned or already reported by CommitAsync: staged blocks stay uncommitted and invisible.
        }
        if (_current is not null)
        {
            ArrayPool<byte>.Shared.Return(_current);
            _current = null;
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await CompleteAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) CompleteAsync().GetAwaiter().GetResult();
        base.Dispose(disposing);
    }

    public override void Flush() { }
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
