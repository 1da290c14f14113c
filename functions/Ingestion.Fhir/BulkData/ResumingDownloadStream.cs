using System.Net;
using Polly;
using Polly.Retry;

namespace Ingestion.Fhir.BulkData;

/// <summary>
/// The decoded body of one manifest file that survives dropped connections: after a failure it reopens the file
/// from the byte it had delivered (with <c>Range</c>, when the server honours it, else from the start, discarding the
/// bytes already delivered). Byte-exact resume means no line is ever delivered twice or lost, whatever the caller
/// does with the bytes. This is the download's ONE retry policy: transient statuses, dropped connections and idle
/// timeouts share <see cref="BulkExportClientOptions.MaxDownloadAttempts"/> (requests in a row without progress).
/// It also stops a body past <see cref="BulkExportClientOptions.MaxBytesPerResource"/> × count (endless body,
/// decompression bomb). Holds a download slot until disposed.
/// </summary>
internal sealed class ResumingDownloadStream : Stream
{
    private readonly Func<long, CancellationToken, Task<(Stream Body, long StartsAt)>> _open;
    private readonly BulkExportClientOptions _options;
    private readonly BulkExportFile _file;
    private readonly IDisposable _slot;
    private readonly ResiliencePipeline _retry;
    private readonly long _maxBytes;
    private Stream? _current;
    private long _position;
    private bool _disposed;

    public ResumingDownloadStream(
        Func<long, CancellationToken, Task<(Stream Body, long StartsAt)>> open,
        BulkExportFile file, BulkExportClientOptions options, BulkExportRetryDelay delay, IDisposable slot)
    {
        _open = open;
        _file = file;
        _options = options;
        _slot = slot;
        _maxBytes = MaxBytes(file, options);
        _retry = new ResiliencePipelineBuilder { TimeProvider = options.TimeProvider }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = Math.Max(0, options.MaxDownloadAttempts - 1),
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception switch
                {
                    BulkExportTransientResponseException { IsMissingFile: true } => args.AttemptNumber < options.ExpiredFileRetries,
                    { } e => IsDroppedConnection(e),
                    null => false,
                }),
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(
                    args.Outcome.Exception is BulkExportTransientResponseException { RetryAfter: { } wait } ? wait : delay.Backoff(args.AttemptNumber)),
                OnRetry = async _ =>
                {
                    Resumes++;
                    await DropCurrentAsync().ConfigureAwait(false);
                },
            })
            .Build();
    }

    /// <summary>Reconnections made so far (for reports and tests).</summary>
    public int Resumes { get; private set; }

    /// <summary>Opens the first response now, so a missing or refused file fails at open rather than at first read.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_current is not null) return;
        await RunAsync(async ct =>
        {
            await EnsureOpenAsync(ct).ConfigureAwait(false);
            return 0;
        }, cancellationToken).ConfigureAwait(false);
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
        return await RunAsync(async ct =>
        {
            await EnsureOpenAsync(ct).ConfigureAwait(false);
            var read = await WithIdleTimeout((body, token) => body.ReadAsync(buffer, token), ct).ConfigureAwait(false);
            _position += read;
            if (_position > _maxBytes)
                throw new BulkExportFileException(_file.Url, _file.Type, null,
                    $"the file is larger than {_maxBytes} decoded bytes, more than its announced count of {_file.Count?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(none)"} resources can fill; the download was stopped (Fhir:MaxBytesPerResource, Fhir:MaxFileBytes)");
            return read;
        }, cancellationToken).ConfigureAwait(false);
    }

    private async Task<int> RunAsync(Func<CancellationToken, Task<int>> attempt, CancellationToken cancellationToken)
    {
        try
        {
            return await _retry.ExecuteAsync(async ct => await attempt(ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }
        catch (BulkExportTransientResponseException e)
        {
            await DropCurrentAsync().ConfigureAwait(false);
            var reason = e.IsMissingFile
                ? "the file URL has expired or is gone; export files are kept only for a limited time, so run the export again"
                : $"the server kept failing ({e.Message}) for {_options.MaxDownloadAttempts} requests in a row; try again later";
            throw new BulkExportFileException(_file.Url, _file.Type, null, reason, e.StatusCode);
        }
        catch (Exception e) when (IsDroppedConnection(e) && !cancellationToken.IsCancellationRequested)
        {
            await DropCurrentAsync().ConfigureAwait(false);
            throw new BulkExportFileException(_file.Url, _file.Type, null,
                $"the download failed {_options.MaxDownloadAttempts} times in a row without progress ({e.GetType().Name}). Check the network and the server, then run the export again.",
                innerException: e);
        }
    }

    private async Task EnsureOpenAsync(CancellationToken cancellationToken)
    {
        if (_current is not null) return;
        await WithIdleTimeout(async (_, token) =>
        {
            var (body, startsAt) = await _open(_position, token).ConfigureAwait(false);
            _current = body;
            await DiscardAsync(body, _position - startsAt, token).ConfigureAwait(false);
            return 0;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs one step that must make progress within <see cref="BulkExportClientOptions.DownloadIdleTimeout"/>.</summary>
    private async Task<int> WithIdleTimeout(Func<Stream, CancellationToken, ValueTask<int>> step, CancellationToken cancellationToken)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        idle.CancelAfter(_options.DownloadIdleTimeout);
        try
        {
            return await step(_current ?? Null, idle.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"No byte arrived for {_options.DownloadIdleTimeout} (Fhir:DownloadIdleTimeout).", e);
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

    private static long MaxBytes(BulkExportFile file, BulkExportClientOptions options)
    {
        if (file.Count is not { } count) return options.MaxFileBytes;
        var perCount = count >= long.MaxValue / Math.Max(1, options.MaxBytesPerResource)
            ? long.MaxValue
            : count * options.MaxBytesPerResource + options.MaxLineBytes;
        return Math.Min(perCount, options.MaxFileBytes);
    }

    private static bool IsDroppedConnection(Exception e) =>
        e is IOException or HttpRequestException or InvalidDataException or TimeoutException or Polly.Timeout.TimeoutRejectedException or BulkExportTransientResponseException
        && e is not BulkExportException
        && !(e is HttpRequestException h && Net.RefusedAddressException.Find(h) is not null);

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
