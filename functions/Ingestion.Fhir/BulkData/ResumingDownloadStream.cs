namespace Ingestion.Fhir.BulkData;

/// <summary>
/// The decoded body of one manifest file that survives dropped connections: after a failure it reopens the file
/// from the byte it had delivered (with <c>Range</c>, when the server honours it, else from the start, discarding the
/// bytes already delivered). Byte-exact resume means no line is ever delivered twice or lost, whatever the caller
/// does with the bytes. Holds a download slot until disposed.
/// </summary>
internal sealed class ResumingDownloadStream : Stream
{
    private readonly Func<long, CancellationToken, Task<(Stream Body, long StartsAt)>> _open;
    private readonly BulkExportClientOptions _options;
    private readonly BulkExportRetryDelay _delay;
    private readonly BulkExportFile _file;
    private readonly IDisposable _slot;
    private Stream? _current;
    private long _position;
    private int _failures;
    private bool _disposed;

    public ResumingDownloadStream(
        Func<long, CancellationToken, Task<(Stream Body, long StartsAt)>> open,
        BulkExportFile file, BulkExportClientOptions options, BulkExportRetryDelay delay, IDisposable slot)
    {
        _open = open;
        _file = file;
        _options = options;
        _delay = delay;
        _slot = slot;
    }

    /// <summary>Reconnections made so far (for reports and tests).</summary>
    public int Resumes { get; private set; }

    /// <summary>Opens the first response now, so a missing or refused file fails at open rather than at first read.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_current is not null) return;
        try
        {
            var (body, startsAt) = await _open(_position, cancellationToken).ConfigureAwait(false);
            _current = body;
        }
        catch (Exception e) when (e is HttpRequestException or Polly.Timeout.TimeoutRejectedException)
        {
            throw new BulkExportFileException(_file.Url, _file.Type, null,
                $"the file could not be fetched ({e.GetType().Name}) after the retries; check the network and the server, then run the export again", innerException: e);
        }
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (buffer.IsEmpty) return 0;
        while (true)
        {
            using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            idle.CancelAfter(_options.DownloadIdleTimeout);
            try
            {
                if (_current is null)
                {
                    var (body, startsAt) = await _open(_position, idle.Token).ConfigureAwait(false);
                    _current = body;
                    await DiscardAsync(body, _position - startsAt, idle.Token).ConfigureAwait(false);
                }
                var read = await _current.ReadAsync(buffer, idle.Token).ConfigureAwait(false);
                _position += read;
                if (read > 0) _failures = 0;
                return read;
            }
            catch (Exception e) when (IsDroppedConnection(e) && !cancellationToken.IsCancellationRequested)
            {
                await DropCurrentAsync().ConfigureAwait(false);
                if (++_failures >= _options.MaxDownloadAttempts)
                    throw new BulkExportFileException(_file.Url, _file.Type, null,
                        $"the download failed {_failures} times in a row without progress ({e.GetType().Name}). Check the network and the server, then run the export again.",
                        innerException: e);
                Resumes++;
                await Task.Delay(_delay.Backoff(_failures - 1), _options.TimeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task DiscardAsync(Stream body, long count, CancellationToken cancellationToken)
    {
        if (count <= 0) return;
        var scratch = System.Buffers.ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            while (count > 0)
            {
                var n = await body.ReadAsync(scratch.AsMemory(0, (int)Math.Min(scratch.Length, count)), cancellationToken).ConfigureAwait(false);
                if (n == 0) throw new IOException("The restarted download ended before the bytes already delivered.");
                count -= n;
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    private static bool IsDroppedConnection(Exception e) =>
        e is IOException or HttpRequestException or InvalidDataException or OperationCanceledException or Polly.Timeout.TimeoutRejectedException
        && e is not BulkExportException;

    private async ValueTask DropCurrentAsync()
    {
        if (_current is null) return;
        try { await _current.DisposeAsync().ConfigureAwait(false); }
        catch (Exception e) when (e is IOException or HttpRequestException) { /* the connection is already gone */ }
        _current = null;
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            _current?.Dispose();
            _slot.Dispose();
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            await DropCurrentAsync().ConfigureAwait(false);
            _slot.Dispose();
        }
        await base.DisposeAsync().ConfigureAwait(false);
    }

}
