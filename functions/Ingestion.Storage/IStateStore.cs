using System.Text.Json.Nodes;

namespace Ingestion.Storage;

/// <summary>
/// A partitioned document store with optimistic concurrency: the durable state of orchestrations
/// (runs, activities, history, watermarks). Narrow on purpose so SQLite (embedded) and Cosmos DB (Azure)
/// implement it the same way. Partition = run id (all of one run's documents live together, so every
/// checkpoint of a run is a single-partition operation).
/// </summary>
public interface IStateStore
{
    /// <summary>Reads one document, or null when it does not exist.</summary>
    Task<StateDocument?> GetAsync(string partition, string id, CancellationToken cancellationToken = default);

    /// <summary>Creates a document; throws <see cref="StateConflictException"/> when it already exists.</summary>
    Task<StateDocument> CreateAsync(StateDocument document, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces a document only if its current ETag equals <paramref name="ifMatchETag"/>;
    /// throws <see cref="StateConflictException"/> when it changed (or <see cref="StateNotFoundException"/> when gone).
    /// </summary>
    Task<StateDocument> ReplaceAsync(StateDocument document, string ifMatchETag, CancellationToken cancellationToken = default);

    /// <summary>Creates or replaces a document unconditionally.</summary>
    Task<StateDocument> UpsertAsync(StateDocument document, CancellationToken cancellationToken = default);

    /// <summary>
    /// Atomically adds each delta to the numeric property at its JSON-pointer-like path inside the body
    /// (e.g. "/counters/resourcesRead"), creating missing properties with the delta as value.
    /// Throws <see cref="StateNotFoundException"/> when the document does not exist.
    /// </summary>
    Task<StateDocument> IncrementAsync(string partition, string id, IReadOnlyList<KeyValuePair<string, long>> deltas, CancellationToken cancellationToken = default);

    /// <summary>Deletes a document (no-op when absent). With an ETag, deletes only that version.</summary>
    Task DeleteAsync(string partition, string id, string? ifMatchETag = null, CancellationToken cancellationToken = default);

    /// <summary>All documents of one partition, optionally only those of one kind, ordered by id.</summary>
    IAsyncEnumerable<StateDocument> QueryPartitionAsync(string partition, string? kind = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// One page of a partition's documents (optionally of one kind) in id order, or reverse id order when
    /// <paramref name="descending"/> (newest first for sortable ids such as run ids): at most
    /// <paramref name="pageSize"/> documents and a token for the next page (null when there is none). The run list of
    /// a source is one such partition-scoped, paged query. Tokens are opaque, belong to the store that issued them and
    /// go with the same query (partition, kind, direction).
    /// </summary>
    Task<StatePage> QueryPartitionPageAsync(string partition, string? kind, int pageSize, string? continuationToken = null, bool descending = false, CancellationToken cancellationToken = default);

    /// <summary>All documents of one kind across partitions (e.g. every run for a listing), unordered.</summary>
    IAsyncEnumerable<StateDocument> QueryKindAsync(string kind, CancellationToken cancellationToken = default);
}

/// <summary>
/// One stored document. <see cref="Body"/> is the caller's JSON object; <see cref="ETag"/> and
/// <see cref="UpdatedAt"/> are set by the store (ignored on write).
/// </summary>
public sealed record StateDocument(string Partition, string Id, string Kind, JsonObject Body)
{
    public string? ETag { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }
}

/// <summary>A page of documents and the token for the next one (null = last page).</summary>
public sealed record StatePage(IReadOnlyList<StateDocument> Documents, string? ContinuationToken);

/// <summary>Base of the state store's typed errors.</summary>
public class StateStoreException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The document exists already (create) or changed since it was read (ETag mismatch).</summary>
public sealed class StateConflictException(string partition, string id, Exception? inner = null)
    : StateStoreException($"State document '{id}' in partition '{partition}' was changed by another writer (or already exists).", inner)
{
    public string Partition { get; } = partition;
    public string Id { get; } = id;
}

/// <summary>The document does not exist.</summary>
public sealed class StateNotFoundException(string partition, string id, Exception? inner = null)
    : StateStoreException($"State document '{id}' in partition '{partition}' does not exist.", inner)
{
    public string Partition { get; } = partition;
    public string Id { get; } = id;
}
