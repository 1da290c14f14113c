using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ingestion.Storage;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ingestion.Azure.Cosmos;

/// <summary>
/// <see cref="IStateStore"/> on Cosmos DB for NoSQL through the SDK's stream APIs (bodies written and read with
/// System.Text.Json, no Newtonsoft serializer on the hot path).
/// <para>
/// Partition key /partition = the run id: every document of a run (run, activities, history) shares one logical
/// partition, so each checkpoint is a single-partition point operation (cheapest RU, lowest latency), ETag
/// concurrency applies within one partition, and a run's listing is a single-partition query. Runs are many
/// and similar in size, which spreads load across physical partitions; one run stays far below the 20 GB
/// logical-partition limit. Only listings by kind across runs fan out.
/// </para>
/// <para>
/// Stored shape: { id (escaped), partition, kind, body, updatedAt, ttl? }. Queries use only what the local stand-in
/// also serves: parameterized, partition-key filter in the query text, ORDER BY on id, paging by continuation token;
/// no OFFSET/LIMIT, DISTINCT, GROUP BY, transactional batch or change feed.
/// </para>
/// <para>
/// Kinds listed in <see cref="CosmosStateStoreOptions.TimeToLive"/> (file and audit documents) carry a per-item
/// <c>ttl</c>; the container is created with TTL on and no default expiry, so every other document is kept. The
/// request charge of every call is logged (Debug) with its operation kind, and summed per kind in
/// <see cref="RequestCharges"/>.
/// </para>
/// </summary>
public sealed class CosmosStateStore : IStateStore
{
    private const string PartitionKeyPath = "/partition";
    private readonly Container _container;
    private readonly CosmosStateStoreOptions _options;
    private readonly ILogger _logger;

    public CosmosStateStore(Container container, CosmosStateStoreOptions? options = null, ILogger<CosmosStateStore>? logger = null)
    {
        _container = container ?? throw new ArgumentNullException(nameof(container));
        _options = options ?? new CosmosStateStoreOptions();
        _logger = logger ?? NullLogger<CosmosStateStore>.Instance;
    }

    /// <summary>The Cosmos container (tests read raw items through it).</summary>
    internal Container Container => _container;

    /// <summary>Request units consumed so far, per operation kind (read, create, replace, upsert, patch, delete, query).</summary>
    public RequestChargeTally RequestCharges { get; } = new();

    /// <summary>
    /// Creates the database and container (partition key /partition, TTL on without a default expiry) when absent and
    /// returns the store.
    /// </summary>
    public static async Task<CosmosStateStore> CreateAsync(CosmosClient client, CosmosStateStoreOptions? options = null, ILogger<CosmosStateStore>? logger = null, CancellationToken cancellationToken = default)
    {
        options ??= new CosmosStateStoreOptions();
        if (!options.CreateIfNotExists) return new CosmosStateStore(client.GetContainer(options.DatabaseId, options.ContainerId), options, logger);
        var database = (await client.CreateDatabaseIfNotExistsAsync(options.DatabaseId, cancellationToken: cancellationToken).ConfigureAwait(false)).Database;
        // DefaultTimeToLive -1: expiry on, but only for items that carry their own ttl.
        var properties = new ContainerProperties(options.ContainerId, PartitionKeyPath) { DefaultTimeToLive = -1 };
        var container = (await database.CreateContainerIfNotExistsAsync(properties, options.ThroughputOnCreate, cancellationToken: cancellationToken).ConfigureAwait(false)).Container;
        return new CosmosStateStore(container, options, logger);
    }

    public async Task<StateDocument?> GetAsync(string partition, string id, CancellationToken cancellationToken = default)
    {
        using var response = await _container.ReadItemStreamAsync(CosmosDocumentId.Escape(id), new PartitionKey(partition), cancellationToken: cancellationToken).ConfigureAwait(false);
        Charged("read", response);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        EnsureSuccess(response, partition, id);
        return await ReadDocumentAsync(response, cancellationToken).ConfigureAwait(false);
    }

    public async Task<StateDocument> CreateAsync(StateDocument document, CancellationToken cancellationToken = default)
    {
        using var content = Serialize(document);
        using var response = await _container.CreateItemStreamAsync(content, new PartitionKey(document.Partition), cancellationToken: cancellationToken).ConfigureAwait(false);
        Charged("create", response);
        EnsureSuccess(response, document.Partition, document.Id);
        return await ReadDocumentAsync(response, cancellationToken).ConfigureAwait(false);
    }

    public async Task<StateDocument> ReplaceAsync(StateDocument document, string ifMatchETag, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(ifMatchETag);
        using var content = Serialize(document);
        using var response = await _container.ReplaceItemStreamAsync(content, CosmosDocumentId.Escape(document.Id), new PartitionKey(document.Partition),
            new ItemRequestOptions { IfMatchEtag = ifMatchETag }, cancellationToken).ConfigureAwait(false);
        Charged("replace", response);
        EnsureSuccess(response, document.Partition, document.Id);
        return await ReadDocumentAsync(response, cancellationToken).ConfigureAwait(false);
    }

    public async Task<StateDocument> UpsertAsync(StateDocument document, CancellationToken cancellationToken = default)
    {
        using var content = Serialize(document);
        using var response = await _container.UpsertItemStreamAsync(content, new PartitionKey(document.Partition), cancellationToken: cancellationToken).ConfigureAwait(false);
        Charged("upsert", response);
        EnsureSuccess(response, document.Partition, document.Id);
        return await ReadDocumentAsync(response, cancellationToken).ConfigureAwait(false);
    }

    public async Task<StateDocument> IncrementAsync(string partition, string id, IReadOnlyList<KeyValuePair<string, long>> deltas, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(deltas);
        if (deltas.Count == 0) return await GetAsync(partition, id, cancellationToken).ConfigureAwait(false) ?? throw new StateNotFoundException(partition, id);
        var escapedId = CosmosDocumentId.Escape(id);
        // Patch Increment is atomic on the server and creates a missing leaf, but not missing parent objects (the
        // service answers 400; the stand-in even misplaces the value). So patch only when every parent exists,
        // which holds after a counter's first use; otherwise create them by an ETag-checked replace.
        if (deltas.Count <= 9 && await ParentsExistAsync(partition, id, deltas, cancellationToken).ConfigureAwait(false))
        {
            var operations = deltas.Select(d => PatchOperation.Increment("/body" + NormalizePath(d.Key), d.Value)).ToList();
            operations.Add(PatchOperation.Set("/updatedAt", DateTimeOffset.UtcNow.ToString("O")));
            using var response = await _container.PatchItemStreamAsync(escapedId, new PartitionKey(partition), operations, cancellationToken: cancellationToken).ConfigureAwait(false);
            Charged("patch", response);
            if (response.StatusCode != HttpStatusCode.BadRequest)
            {
                EnsureSuccess(response, partition, id);
                return await ReadDocumentAsync(response, cancellationToken).ConfigureAwait(false);
            }
            // 400: a parent was removed meanwhile: fall through.
        }
        return await IncrementByReplaceAsync(partition, id, deltas, cancellationToken).ConfigureAwait(false);
    }

    public async Task DeleteAsync(string partition, string id, string? ifMatchETag = null, CancellationToken cancellationToken = default)
    {
        var options = ifMatchETag is null ? null : new ItemRequestOptions { IfMatchEtag = ifMatchETag };
        using var response = await _container.DeleteItemStreamAsync(CosmosDocumentId.Escape(id), new PartitionKey(partition), options, cancellationToken).ConfigureAwait(false);
        Charged("delete", response);
        if (response.StatusCode == HttpStatusCode.NotFound) return;
        EnsureSuccess(response, partition, id);
    }

    public IAsyncEnumerable<StateDocument> QueryPartitionAsync(string partition, string? kind = null, CancellationToken cancellationToken = default) =>
        QueryAsync(PartitionQuery(partition, kind, descending: false), new PartitionKey(partition), sortById: true, cancellationToken);

    /// <summary>
    /// One page of a single-partition query, resumed from the service's continuation token (the stand-in has no
    /// OFFSET/LIMIT, and the service charges OFFSET for every skipped item). Pages are in stored-id order.
    /// </summary>
    public async Task<StatePage> QueryPartitionPageAsync(string partition, string? kind, int pageSize, string? continuationToken = null, bool descending = false, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        var options = new QueryRequestOptions { MaxItemCount = pageSize, PartitionKey = new PartitionKey(partition) };
        var documents = new List<StateDocument>(pageSize);
        // A page may come back empty with a token (the service ends a page on time or RU budget): keep reading until
        // there is something to return or nothing is left.
        do
        {
            using var iterator = _container.GetItemQueryStreamIterator(PartitionQuery(partition, kind, descending), continuationToken, options);
            if (!iterator.HasMoreResults) return new StatePage(documents, null);
            using var response = await iterator.ReadNextAsync(cancellationToken).ConfigureAwait(false);
            Charged("query", response);
            EnsureQuerySuccess(response);
            using var page = await JsonDocument.ParseAsync(response.Content, cancellationToken: cancellationToken).ConfigureAwait(false);
            foreach (var element in page.RootElement.GetProperty("Documents").EnumerateArray()) documents.Add(ToStateDocument(element, null));
            continuationToken = response.ContinuationToken;
        }
        while (documents.Count == 0 && continuationToken is not null);
        return new StatePage(documents, continuationToken);
    }

    // The partition-key filter stays in the query text too: the stand-in needs it, the service ignores the redundancy.
    private static QueryDefinition PartitionQuery(string partition, string? kind, bool descending)
    {
        var query = new QueryDefinition((kind is null
                ? "SELECT * FROM c WHERE c.partition = @partition ORDER BY c.id"
                : "SELECT * FROM c WHERE c.partition = @partition AND c.kind = @kind ORDER BY c.id") + (descending ? " DESC" : ""))
            .WithParameter("@partition", partition);
        return kind is null ? query : query.WithParameter("@kind", kind);
    }

    public IAsyncEnumerable<StateDocument> QueryKindAsync(string kind, CancellationToken cancellationToken = default) =>
        QueryAsync(new QueryDefinition("SELECT * FROM c WHERE c.kind = @kind").WithParameter("@kind", kind), null, sortById: false, cancellationToken);

    private async IAsyncEnumerable<StateDocument> QueryAsync(QueryDefinition query, PartitionKey? partitionKey, bool sortById, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var options = new QueryRequestOptions { MaxItemCount = _options.QueryPageSize };
        if (partitionKey is { } key) options.PartitionKey = key;
        using var iterator = _container.GetItemQueryStreamIterator(query, requestOptions: options);
        while (iterator.HasMoreResults)
        {
            using var response = await iterator.ReadNextAsync(cancellationToken).ConfigureAwait(false);
            Charged("query", response);
            EnsureQuerySuccess(response);
            using var page = await JsonDocument.ParseAsync(response.Content, cancellationToken: cancellationToken).ConfigureAwait(false);
            var documents = page.RootElement.GetProperty("Documents").EnumerateArray().Select(element => ToStateDocument(element, null));
            // Escaped ids sort like the originals except around escaped characters; order by the real id within a page.
            foreach (var document in sortById ? documents.OrderBy(d => d.Id, StringComparer.Ordinal) : documents)
                yield return document;
        }
    }

    private async Task<StateDocument> IncrementByReplaceAsync(string partition, string id, IReadOnlyList<KeyValuePair<string, long>> deltas, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < _options.MaxIncrementAttempts; attempt++)
        {
            var current = await GetAsync(partition, id, cancellationToken).ConfigureAwait(false) ?? throw new StateNotFoundException(partition, id);
            var body = (JsonObject)current.Body.DeepClone();
            foreach (var (path, delta) in deltas) StateBodyPath.Add(body, NormalizePath(path), delta);
            try
            {
                return await ReplaceAsync(current with { Body = body }, current.ETag!, cancellationToken).ConfigureAwait(false);
            }
            catch (StateConflictException)
            {
                await Task.Delay(Random.Shared.Next(5, 20 * (attempt + 1)), cancellationToken).ConfigureAwait(false);
            }
        }
        throw new StateConflictException(partition, id);
    }

    private async Task<bool> ParentsExistAsync(string partition, string id, IReadOnlyList<KeyValuePair<string, long>> deltas, CancellationToken cancellationToken)
    {
        if (deltas.All(d => NormalizePath(d.Key).LastIndexOf('/') == 0)) return true;
        var current = await GetAsync(partition, id, cancellationToken).ConfigureAwait(false) ?? throw new StateNotFoundException(partition, id);
        return deltas.All(d => StateBodyPath.ParentExists(current.Body, NormalizePath(d.Key)));
    }

    private static string NormalizePath(string path) => path.StartsWith('/') ? path : "/" + path;

    private void Charged(string operation, ResponseMessage response)
    {
        var charge = response.Headers?.RequestCharge ?? 0;
        RequestCharges.Add(operation, charge);
        // Operation kind, status and charge only: never ids or bodies (ids may name runs, bodies may hold counts of PHI-bearing files).
        _logger.LogDebug("Cosmos {Operation} {Status}: {RequestCharge} RU", operation, (int)response.StatusCode, charge);
    }

    private static void EnsureQuerySuccess(ResponseMessage response)
    {
        if (!response.IsSuccessStatusCode)
            throw new StateStoreException($"State query failed: HTTP {(int)response.StatusCode} {response.Headers?["x-ms-substatus"] ?? ""}.".TrimEnd());
    }

    private MemoryStream Serialize(StateDocument document)
    {
        ArgumentException.ThrowIfNullOrEmpty(document.Partition);
        ArgumentException.ThrowIfNullOrEmpty(document.Id);
        var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("id", CosmosDocumentId.Escape(document.Id));
            writer.WriteString("partition", document.Partition);
            writer.WriteString("kind", document.Kind);
            writer.WritePropertyName("body");
            document.Body.WriteTo(writer);
            writer.WriteString("updatedAt", DateTimeOffset.UtcNow);
            if (_options.TimeToLive.TryGetValue(document.Kind, out var ttl)) writer.WriteNumber("ttl", Math.Max(1, (long)Math.Ceiling(ttl.TotalSeconds)));
            writer.WriteEndObject();
        }
        stream.Position = 0;
        return stream;
    }

    private static async Task<StateDocument> ReadDocumentAsync(ResponseMessage response, CancellationToken cancellationToken)
    {
        using var json = await JsonDocument.ParseAsync(response.Content, cancellationToken: cancellationToken).ConfigureAwait(false);
        return ToStateDocument(json.RootElement, response.Headers.ETag);
    }

    private static StateDocument ToStateDocument(JsonElement element, string? etag)
    {
        var body = element.TryGetProperty("body", out var b) && b.ValueKind == JsonValueKind.Object ? JsonNode.Parse(b.GetRawText())!.AsObject() : new JsonObject();
        DateTimeOffset? updatedAt = element.TryGetProperty("updatedAt", out var u) && u.TryGetDateTimeOffset(out var at) ? at : null;
        return new StateDocument(element.GetProperty("partition").GetString()!, CosmosDocumentId.Unescape(element.GetProperty("id").GetString()!),
            element.TryGetProperty("kind", out var k) ? k.GetString() ?? string.Empty : string.Empty, body)
        {
            ETag = etag ?? (element.TryGetProperty("_etag", out var e) ? e.GetString() : null),
            UpdatedAt = updatedAt,
        };
    }

    private static void EnsureSuccess(ResponseMessage response, string partition, string id)
    {
        if (response.IsSuccessStatusCode) return;
        throw response.StatusCode switch
        {
            HttpStatusCode.Conflict or HttpStatusCode.PreconditionFailed => new StateConflictException(partition, id),
            HttpStatusCode.NotFound => new StateNotFoundException(partition, id),
            // Status and sub-status only: the error body may quote the document.
            _ => new StateStoreException($"State store call failed: HTTP {(int)response.StatusCode} (sub-status {response.Headers?["x-ms-substatus"] ?? "none"})."),
        };
    }
}
