using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Ingestion.Storage.Catalog;

/// <summary>
/// The run catalog as a typed facade over <see cref="IStateStore"/> (SQLite embedded, Cosmos DB in Azure).
/// Partition = run id for the run row, its file rows and its audit trail; partition <c>source:&lt;id&gt;</c> for the
/// watermark, the source's run index (so listing a source's runs is one partition query) and source audit entries.
/// Counters are the store's atomic increment; nothing scans the files to count.
/// </summary>
public sealed class StateStoreRunCatalog(IStateStore store) : IRunCatalog
{
    private const string RunId = "run";
    private const string RunKind = "run";
    private const string FileKind = "file";
    private const string AuditKind = "audit";
    private const string IndexKind = "run-index";
    private const string WatermarkId = "watermark";
    private const string WatermarkKind = "watermark";
    private const int MaxConflictRetries = 20;

    private static readonly JsonSerializerOptions Json = CreateJson();

    public static string SourcePartition(string sourceId) => "source:" + sourceId;

    /// <summary>The index of every run (all sources): the dashboard's unfiltered list is one partition query, not a cross-partition scan.</summary>
    public const string AllRunsPartition = "runs";

    // Index ids sort newest-last by creation time, so a descending page is the newest runs first.
    private static string IndexId(RunRecord run) => "run:" + run.CreatedAt.UtcDateTime.ToString("yyyyMMdd'T'HHmmss.fffffff", CultureInfo.InvariantCulture) + ":" + run.RunId;

    private static string FileId(int index) => "file:" + index.ToString("D6", CultureInfo.InvariantCulture);

    public async Task<bool> CreateRunAsync(RunRecord run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        try
        {
            await Guard(() => store.CreateAsync(new StateDocument(run.RunId, RunId, RunKind, ToBody(run)), cancellationToken)).ConfigureAwait(false);
        }
        catch (StateConflictException)
        {
            return false;
        }
        var entry = ToBody(new RunIndexEntry(run.RunId, run.CreatedAt));
        foreach (var partition in new[] { SourcePartition(run.SourceId), AllRunsPartition })
            await Guard(() => store.UpsertAsync(new StateDocument(partition, IndexId(run), IndexKind, entry.DeepClone().AsObject()), cancellationToken)).ConfigureAwait(false);
        return true;
    }

    public async Task<RunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken)
    {
        var doc = await Guard(() => store.GetAsync(runId, RunId, cancellationToken)).ConfigureAwait(false);
        return doc is null ? null : FromBody<RunRecord>(doc.Body);
    }

    public async Task<RunRecord> UpdateRunAsync(string runId, Func<RunRecord, RunRecord> update, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(update);
        for (var attempt = 0; ; attempt++)
        {
            var doc = await Guard(() => store.GetAsync(runId, RunId, cancellationToken)).ConfigureAwait(false)
                ?? throw new KeyNotFoundException($"Run '{runId}' is not in the run catalog.");
            var current = FromBody<RunRecord>(doc.Body);
            // Counters belong to the increment: never written back from a (possibly stale) copy.
            var next = update(current) with { Counters = current.Counters };
            if (next == current) return current;
            try
            {
                await Guard(() => store.ReplaceAsync(doc with { Body = ToBody(next) }, doc.ETag!, cancellationToken)).ConfigureAwait(false);
                return next;
            }
            catch (StateConflictException) when (attempt < MaxConflictRetries)
            {
                // A counter increment or another step changed the row: read it again.
            }
        }
    }

    public Task AddToCountersAsync(string runId, RunCounters delta, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delta);
        var deltas = new List<KeyValuePair<string, long>>();
        void Add(string name, long value)
        {
            if (value != 0) deltas.Add(new("/counters/" + name, value));
        }
        Add("filesDone", delta.FilesDone);
        Add("filesFailed", delta.FilesFailed);
        Add("resourcesRead", delta.ResourcesRead);
        Add("resourcesMapped", delta.ResourcesMapped);
        Add("resourcesQuarantined", delta.ResourcesQuarantined);
        Add("resourcesUnmapped", delta.ResourcesUnmapped);
        Add("serverErrors", delta.ServerErrors);
        return deltas.Count == 0 ? Task.CompletedTask : Guard(() => store.IncrementAsync(runId, RunId, deltas, cancellationToken));
    }

    public async Task<RunPage> ListRunsAsync(RunQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        // One partition-scoped, paged index query (newest first), then point reads; filters that drop runs make the
        // next index page smaller, so a page never holds more than PageSize runs and the token resumes exactly there.
        var partition = query.SourceId is { } sourceId ? SourcePartition(sourceId) : AllRunsPartition;
        var size = Math.Max(1, query.PageSize);
        var runs = new List<RunRecord>(size);
        var token = query.ContinuationToken;
        do
        {
            var page = await Guard(() => store.QueryPartitionPageAsync(partition, IndexKind, size - runs.Count, token, descending: true, cancellationToken)).ConfigureAwait(false);
            foreach (var doc in page.Documents)
            {
                var entry = FromBody<RunIndexEntry>(doc.Body);
                if (!InTimeRange(entry.CreatedAt, query)) continue;
                if (await GetRunAsync(entry.RunId, cancellationToken).ConfigureAwait(false) is { } run && Matches(run, query)) runs.Add(run);
            }
            token = page.ContinuationToken;
        }
        while (runs.Count < size && token is not null);
        return new RunPage(runs, token);
    }

    public async Task PutFilesAsync(string runId, IReadOnlyList<RunFileRecord> files, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(files);
        foreach (var file in files)
            await Guard(() => store.UpsertAsync(new StateDocument(runId, FileId(file.Index), FileKind, ToBody(file)), cancellationToken)).ConfigureAwait(false);
    }

    public async Task<RunFileRecord?> GetFileAsync(string runId, int index, CancellationToken cancellationToken)
    {
        var doc = await Guard(() => store.GetAsync(runId, FileId(index), cancellationToken)).ConfigureAwait(false);
        return doc is null ? null : FromBody<RunFileRecord>(doc.Body);
    }

    public async Task<RunFileRecord> UpdateFileAsync(string runId, int index, Func<RunFileRecord, RunFileRecord> update, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(update);
        for (var attempt = 0; ; attempt++)
        {
            var doc = await Guard(() => store.GetAsync(runId, FileId(index), cancellationToken)).ConfigureAwait(false)
                ?? throw new KeyNotFoundException($"Run '{runId}' has no file {index} in the run catalog.");
            var next = update(FromBody<RunFileRecord>(doc.Body));
            try
            {
                await Guard(() => store.ReplaceAsync(doc with { Body = ToBody(next) }, doc.ETag!, cancellationToken)).ConfigureAwait(false);
                return next;
            }
            catch (StateConflictException) when (attempt < MaxConflictRetries)
            {
            }
        }
    }

    public async IAsyncEnumerable<RunFileRecord> ListFilesAsync(string runId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var doc in Guard(() => store.QueryPartitionAsync(runId, FileKind, cancellationToken), cancellationToken).ConfigureAwait(false))
            yield return FromBody<RunFileRecord>(doc.Body);
    }

    public async Task<SourceWatermarkRecord?> GetWatermarkAsync(string sourceId, CancellationToken cancellationToken)
    {
        var doc = await Guard(() => store.GetAsync(SourcePartition(sourceId), WatermarkId, cancellationToken)).ConfigureAwait(false);
        return doc is null ? null : FromBody<SourceWatermarkRecord>(doc.Body) with { ETag = doc.ETag };
    }

    public async Task<SourceWatermarkRecord> AdvanceWatermarkAsync(SourceWatermarkRecord watermark, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(watermark);
        var partition = SourcePartition(watermark.SourceId);
        for (var attempt = 0; ; attempt++)
        {
            var doc = await Guard(() => store.GetAsync(partition, WatermarkId, cancellationToken)).ConfigureAwait(false);
            try
            {
                if (doc is null)
                {
                    var created = await Guard(() => store.CreateAsync(new StateDocument(partition, WatermarkId, WatermarkKind, ToBody(watermark with { ETag = null })), cancellationToken)).ConfigureAwait(false);
                    return watermark with { ETag = created.ETag };
                }
                var current = FromBody<SourceWatermarkRecord>(doc.Body) with { ETag = doc.ETag };
                // Forward only: an older (or repeated) run never moves it back.
                if (watermark.TransactionTime <= current.TransactionTime) return current;
                var replaced = await Guard(() => store.ReplaceAsync(doc with { Body = ToBody(watermark with { ETag = null }) }, doc.ETag!, cancellationToken)).ConfigureAwait(false);
                return watermark with { ETag = replaced.ETag };
            }
            catch (StateConflictException) when (attempt < MaxConflictRetries)
            {
            }
        }
    }

    public async Task AppendAuditAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        try
        {
            await Guard(() => store.CreateAsync(new StateDocument(entry.Scope, "audit:" + entry.EntryId, AuditKind, ToBody(entry)), cancellationToken)).ConfigureAwait(false);
        }
        catch (StateConflictException)
        {
            // Written before (a re-run of the same step): once is enough.
        }
    }

    public async IAsyncEnumerable<AuditEntry> ListAuditAsync(string scope, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var entries = new List<AuditEntry>();
        await foreach (var doc in Guard(() => store.QueryPartitionAsync(scope, AuditKind, cancellationToken), cancellationToken).ConfigureAwait(false))
            entries.Add(FromBody<AuditEntry>(doc.Body));
        foreach (var entry in entries.OrderBy(e => e.At)) yield return entry;
    }

    public async Task DeleteRunAsync(string runId, CancellationToken cancellationToken)
    {
        var run = await GetRunAsync(runId, cancellationToken).ConfigureAwait(false);
        var ids = new List<string>();
        await foreach (var doc in Guard(() => store.QueryPartitionAsync(runId, null, cancellationToken), cancellationToken).ConfigureAwait(false)) ids.Add(doc.Id);
        foreach (var id in ids.Where(i => i != RunId)) await Guard(() => store.DeleteAsync(runId, id, null, cancellationToken)).ConfigureAwait(false);
        if (run is not null)
        {
            foreach (var partition in new[] { SourcePartition(run.SourceId), AllRunsPartition })
                await Guard(() => store.DeleteAsync(partition, IndexId(run), null, cancellationToken)).ConfigureAwait(false);
        }
        // The run row last: a purge interrupted midway can be repeated.
        await Guard(() => store.DeleteAsync(runId, RunId, null, cancellationToken)).ConfigureAwait(false);
    }

    private static bool InTimeRange(DateTimeOffset at, RunQuery query) =>
        (query.CreatedFrom is null || at >= query.CreatedFrom) && (query.CreatedTo is null || at < query.CreatedTo);

    private static bool Matches(RunRecord run, RunQuery query) =>
        (query.SourceId is null || string.Equals(run.SourceId, query.SourceId, StringComparison.Ordinal))
        && (query.Status is null || run.Status == query.Status)
        && InTimeRange(run.CreatedAt, query);

    /// <summary>Store failures other than conflicts (locked, disk full, unreachable) become one clear catalog error.</summary>
    private static async Task<T> Guard<T>(Func<Task<T>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (Exception ex) when (IsStoreFailure(ex))
        {
            throw new RunCatalogException($"The run catalog cannot be read or written: {ex.Message}", ex);
        }
    }

    private static async Task Guard(Func<Task> action)
    {
        try
        {
            await action().ConfigureAwait(false);
        }
        catch (Exception ex) when (IsStoreFailure(ex))
        {
            throw new RunCatalogException($"The run catalog cannot be read or written: {ex.Message}", ex);
        }
    }

    private static async IAsyncEnumerable<StateDocument> Guard(Func<IAsyncEnumerable<StateDocument>> query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var e = query().GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            bool more;
            try
            {
                more = await e.MoveNextAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (IsStoreFailure(ex))
            {
                throw new RunCatalogException($"The run catalog cannot be read: {ex.Message}", ex);
            }
            if (!more) yield break;
            yield return e.Current;
        }
    }

    private static bool IsStoreFailure(Exception ex) => ex is not (StateConflictException or StateNotFoundException or OperationCanceledException or RunCatalogException or KeyNotFoundException)
        && ex is StateStoreException or IOException or UnauthorizedAccessException or System.Data.Common.DbException or InvalidOperationException;

    private static JsonObject ToBody<T>(T value) => JsonSerializer.SerializeToNode(value, Json)!.AsObject();

    private static T FromBody<T>(JsonObject body) => body.Deserialize<T>(Json) ?? throw new InvalidDataException($"Catalog document is not a {typeof(T).Name}.");

    private static JsonSerializerOptions CreateJson()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            TypeInfoResolver = JsonTypeInfoResolver.Combine(CatalogJsonContext.Default, new DefaultJsonTypeInfoResolver()),
        };
        options.Converters.Add(new JsonStringEnumConverter());
        options.MakeReadOnly();
        return options;
    }

    private sealed record RunIndexEntry(string RunId, DateTimeOffset CreatedAt);
}
