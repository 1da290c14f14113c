using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Ingestion.Fhir.Ndjson;
using System.Text;
using Ingestion.Fhir.BulkData;
using Ingestion.Pipeline.Sources;
using Ingestion.Pipeline.State;

namespace Ingestion.Pipeline.Tests.Engine;

/// <summary>
/// An in-memory export: kick-off returns a job, the first <see cref="PollsBeforeComplete"/> polls answer
/// "in progress" with a next-poll time, then the manifest. Records kick-offs and deletes (a shared log survives
/// "process restarts" because the test keeps the object).
/// </summary>
internal sealed class ScriptedExportSource : IExportSource, IExportSourceFactory
{
    private readonly Dictionary<string, string> _files;
    private int _polls;

    public ScriptedExportSource(Dictionary<string, string> files) => _files = files;

    public int PollsBeforeComplete { get; init; }
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(50);
    public int KickOffs;
    public ConcurrentBag<string> Deleted { get; } = [];
    public DateTimeOffset TransactionTime { get; init; } = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);
    public ConcurrentBag<DateTimeOffset?> SinceSeen { get; } = [];

    public IExportSource Create(RunInput input) => this;

    public Task<BulkExportJob> KickOffAsync(RunInput input, DateTimeOffset? since, CancellationToken cancellationToken)
    {
        var n = Interlocked.Increment(ref KickOffs);
        SinceSeen.Add(since);
        return Task.FromResult(new BulkExportJob($"http://scripted/status/{n}", DateTimeOffset.UtcNow));
    }

    public Task<BulkExportPollResult> PollAsync(BulkExportJob job, CancellationToken cancellationToken)
    {
        var poll = Interlocked.Increment(ref _polls);
        if (poll <= PollsBeforeComplete)
        {
            return Task.FromResult(new BulkExportPollResult
            {
                Job = job with { PollAttempt = job.PollAttempt + 1, NextPollAt = DateTimeOffset.UtcNow + PollInterval, LastProgress = $"{poll * 10}%" },
                Progress = $"{poll * 10}%",
            });
        }
        return Task.FromResult(new BulkExportPollResult
        {
            Job = job,
            Manifest = new BulkExportManifest
            {
                TransactionTime = TransactionTime,
                Request = "http://scripted/$export",
                Output = _files.Keys.Order(StringComparer.Ordinal).Select(k => new BulkExportFile(k.Split('-')[0], k)).ToList(),
            },
        });
    }

    public async IAsyncEnumerable<NdjsonLine> ReadFileAsync(BulkExportFile file, bool requiresAccessToken, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var number = 0;
        foreach (var line in _files[file.Url].Split('\n'))
        {
            await Task.Yield();
            yield return new NdjsonLine(++number, Encoding.UTF8.GetBytes(line), null);
        }
    }

    public Task DeleteAsync(BulkExportJob job, CancellationToken cancellationToken)
    {
        Deleted.Add(job.StatusUrl);
        return Task.CompletedTask;
    }
}
