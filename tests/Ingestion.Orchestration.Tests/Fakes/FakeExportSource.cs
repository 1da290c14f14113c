using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Ingestion.Fhir.BulkData;
using Ingestion.Fhir.Ndjson;
using Ingestion.Pipeline.Sources;

namespace Ingestion.Orchestration.Tests.Fakes;

/// <summary>
/// A scripted Bulk Data server: kick-off and each status poll answer from a script (a result or an exception);
/// counts every call and every DELETE. Once it has answered a manifest, a status URL keeps answering that manifest
/// (as the Bulk Data spec requires until the export is deleted): the file activity re-reads it for the download URLs,
/// counted in <see cref="ManifestReads"/>, not in <see cref="Polls"/>.
/// </summary>
internal sealed class FakeExportSource : IExportSource, IExportSourceFactory
{
    private readonly ConcurrentQueue<Func<BulkExportJob, BulkExportPollResult>> _polls = new();
    private readonly ConcurrentDictionary<string, BulkExportPollResult> _completed = new(StringComparer.Ordinal);
    private int _kickOffs, _pollCount, _deletes, _manifestReads;

    /// <summary>Kick-off answers by attempt number (1-based); default: accepted.</summary>
    public Func<int, BulkExportRequest, BulkExportJob> KickOff { get; set; } = (_, _) => new BulkExportJob("https://ehr.test/status/1", DateTimeOffset.UtcNow);

    /// <summary>When the script is empty: what every further poll answers.</summary>
    public Func<BulkExportJob, BulkExportPollResult>? ThenAlways { get; set; }

    public ConcurrentQueue<BulkExportRequest> Requests { get; } = new();
    public int KickOffs => _kickOffs;
    public int Polls => _pollCount;
    public int Deletes => _deletes;
    public int ManifestReads => _manifestReads;

    public IExportSource Create(ExportRunInput input) => this;

    public FakeExportSource ThenPending(TimeSpan retryAfter, string? progress = null)
    {
        _polls.Enqueue(job => Pending(job, retryAfter, progress));
        return this;
    }

    public FakeExportSource ThenManifest(int outputFiles, int errorFiles = 0, DateTimeOffset? transactionTime = null)
    {
        _polls.Enqueue(job => Complete(job, outputFiles, errorFiles, transactionTime ?? new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero)));
        return this;
    }

    /// <summary>A complete manifest of Patient files whose sizes the source knows, as a landed folder does (index i has bytes[i]).</summary>
    public FakeExportSource ThenManifestOfSizes(params long[] bytes) =>
        ThenManifestOf(bytes.Select((n, i) => new BulkExportFile("Patient", $"https://ehr.test/files/{i}.ndjson", 10) { Bytes = n }));

    /// <summary>A complete manifest of Patient files with these resource counts (index i has counts[i]).</summary>
    public FakeExportSource ThenManifestOfCounts(params long[] counts) =>
        ThenManifestOf(counts.Select((n, i) => new BulkExportFile("Patient", $"https://ehr.test/files/{i}.ndjson", n)));

    private FakeExportSource ThenManifestOf(IEnumerable<BulkExportFile> output)
    {
        var files = output.ToList();
        _polls.Enqueue(job => new BulkExportPollResult
        {
            Job = job,
            Manifest = new BulkExportManifest
            {
                TransactionTime = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero),
                Request = "https://ehr.test/$export",
                Output = files,
            },
        });
        return this;
    }

    public FakeExportSource ThenThrow(Exception ex)
    {
        _polls.Enqueue(_ => throw ex);
        return this;
    }

    public static BulkExportPollResult Pending(BulkExportJob job, TimeSpan retryAfter, string? progress = null) =>
        new() { Job = job with { NextPollAt = DateTimeOffset.UtcNow + retryAfter, PollAttempt = job.PollAttempt + 1 }, Progress = progress };

    public static BulkExportPollResult Complete(BulkExportJob job, int outputFiles, int errorFiles, DateTimeOffset transactionTime) => new()
    {
        Job = job,
        Manifest = new BulkExportManifest
        {
            TransactionTime = transactionTime,
            Request = "https://ehr.test/$export",
            Output = Enumerable.Range(0, outputFiles).Select(i => new BulkExportFile("Patient", $"https://ehr.test/files/{i}.ndjson", 1)).ToList(),
            Error = Enumerable.Range(0, errorFiles).Select(i => new BulkExportFile("OperationOutcome", $"https://ehr.test/errors/{i}.ndjson")).ToList(),
        },
    };

    Task<BulkExportJob> IExportSource.KickOffAsync(BulkExportRequest request, CancellationToken cancellationToken)
    {
        Requests.Enqueue(request);
        return Task.FromResult(KickOff(Interlocked.Increment(ref _kickOffs), request));
    }

    Task<BulkExportPollResult> IExportSource.PollAsync(BulkExportJob job, CancellationToken cancellationToken)
    {
        if (_completed.TryGetValue(job.StatusUrl, out var done))
        {
            Interlocked.Increment(ref _manifestReads);
            return Task.FromResult(done with { Job = job });
        }
        Interlocked.Increment(ref _pollCount);
        var result = _polls.TryDequeue(out var next) ? next(job)
            : ThenAlways is { } always ? always(job)
            : throw new InvalidOperationException("The fake server's poll script is exhausted.");
        if (result.Manifest is not null) _completed[job.StatusUrl] = result;
        return Task.FromResult(result);
    }

    async IAsyncEnumerable<NdjsonLine> IExportSource.ReadFileAsync(BulkExportFile file, bool requiresAccessToken, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.CompletedTask;
        yield break;
    }

    Task IExportSource.DeleteAsync(BulkExportJob job, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _deletes);
        return Task.CompletedTask;
    }
}
