namespace Ingestion.DemoServer;

/// <summary>One spooled output file of an export.</summary>
internal sealed record ExportFile(string Type, string Name, long Count);

/// <summary>
/// One kick-off: its spool folder, the background task filling it, and when it may report completion.
/// </summary>
internal sealed class ExportJob(string id, string request, DateTimeOffset transactionTime, DateTimeOffset readyAt, string directory)
{
    private readonly CancellationTokenSource _cancel = new();

    public string Id { get; } = id;
    public string Request { get; } = request;
    public DateTimeOffset TransactionTime { get; } = transactionTime;
    public DateTimeOffset ReadyAt { get; } = readyAt;
    public string Directory { get; } = directory;
    public Task<ExportSpoolResult>? Spooling { get; private set; }
    public CancellationToken Cancellation => _cancel.Token;

    private long _linesWritten;

    /// <summary>Lines spooled so far (shown in X-Progress while the export is being written).</summary>
    public long LinesWritten => Interlocked.Read(ref _linesWritten);

    public void ReportLines(long total) => Interlocked.Exchange(ref _linesWritten, total);

    public void Start(Func<CancellationToken, Task<ExportSpoolResult>> spool) => Spooling = Task.Run(() => spool(_cancel.Token));

    /// <summary>Stops spooling and deletes the files (DELETE on the status URL, or server shutdown).</summary>
    public async Task CancelAsync()
    {
        await _cancel.CancelAsync();
        try
        {
            if (Spooling is not null) await Spooling;
        }
        catch (OperationCanceledException)
        {
            // expected: the export was cancelled mid-spool
        }
        catch (Exception)
        {
            // a failed spool has nothing more to clean than its folder
        }
        if (System.IO.Directory.Exists(Directory)) System.IO.Directory.Delete(Directory, recursive: true);
        _cancel.Dispose();
    }
}

/// <summary>What a finished spool produced: the output files, deleted[] files and the error[] file, if any.</summary>
internal sealed record ExportSpoolResult(IReadOnlyList<ExportFile> Output, IReadOnlyList<ExportFile> Deleted, IReadOnlyList<ExportFile> Error);
