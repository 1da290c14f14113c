using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace Ingestion.Storage.Embedded;

/// <summary>
/// The embedded state store: one SQLite file (WAL mode) shared safely by every worker of the process and by
/// processes that take turns on it (a restarted host picks up where the old one stood). ETags are random
/// per write, as in Cosmos DB. Kinds with a time to live (<see cref="SqliteStateStoreOptions.TimeToLive"/>) expire
/// like Cosmos DB items with a ttl: counted from the last write, invisible once expired, their row reused by the next
/// write of the same id.
/// </summary>
public sealed class SqliteStateStore : IStateStore, IDisposable
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS state_documents (
            partition TEXT NOT NULL,
            id TEXT NOT NULL,
            kind TEXT NOT NULL,
            body TEXT NOT NULL,
            etag TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            expires_at TEXT NULL,
            PRIMARY KEY (partition, id)
        );
        CREATE INDEX IF NOT EXISTS ix_state_documents_kind ON state_documents (kind);
        """;

    // Timestamps are ISO 8601 in UTC ("O"), so text comparison is time order.
    private const string NotExpired = "(expires_at IS NULL OR expires_at > $now)";

    private readonly SqliteDatabase _database;
    private readonly TimeProvider _time;
    private readonly IReadOnlyDictionary<string, TimeSpan> _timeToLive;
    // Keeps a shared in-memory database alive for the store's lifetime (":memory:" mode).
    private readonly SqliteConnection? _keepAlive;
    // Writers of this process take turns here instead of in SQLite: a write that finds another connection holding the
    // database's write lock gets SQLITE_BUSY, and Microsoft.Data.Sqlite retries that after a fixed Thread.Sleep(150) —
    // a file activity's catalog update stalled 150 ms whenever two ended at once (docs/benchmarks.md "After tail2").
    // Writes are short and never await inside, so a lock is enough; other processes still meet SQLite's locking.
    private readonly Lock _writes = new();

    public SqliteStateStore(SqliteStateStoreOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _time = timeProvider ?? TimeProvider.System;
        _timeToLive = options.TimeToLive;
        _database = options.DatabasePath == SqliteStateStoreOptions.InMemory
            ? SqliteDatabase.InMemory(Schema, out _keepAlive)
            : SqliteDatabase.File(options.DatabasePath, Schema);
        AddExpiryColumnToOlderFiles();
    }

    private void AddExpiryColumnToOlderFiles()
    {
        using var connection = Open();
        using var check = connection.CreateCommand();
        check.CommandText = "SELECT COUNT(*) FROM pragma_table_info('state_documents') WHERE name = 'expires_at'";
        if (Convert.ToInt64(check.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) > 0) return;
        using var alter = connection.CreateCommand();
        alter.CommandText = "ALTER TABLE state_documents ADD COLUMN expires_at TEXT NULL";
        alter.ExecuteNonQuery();
    }

    public Task<StateDocument?> GetAsync(string partition, string id, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var connection = Open();
        return Task.FromResult(Read(connection, partition, id, Now()));
    }

    public Task<StateDocument> CreateAsync(StateDocument document, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var stored = Stamp(document);
        var body = stored.Body.ToJsonString();
        lock (_writes)
        {
            using var connection = Open();
            using var command = ReplacingExpired(connection, stored, body,
                "INSERT INTO state_documents (partition, id, kind, body, etag, updated_at, expires_at) VALUES ($p, $i, $k, $b, $e, $u, $x)");
            try
            {
                command.ExecuteNonQuery();
            }
            catch (SqliteException e) when (e.SqliteErrorCode == 19 /* SQLITE_CONSTRAINT */)
            {
                throw new StateConflictException(document.Partition, document.Id, e);
            }
            return Task.FromResult(stored);
        }
    }

    public Task<StateDocument> ReplaceAsync(StateDocument document, string ifMatchETag, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ArgumentException.ThrowIfNullOrEmpty(ifMatchETag);
        var stored = Stamp(document);
        var body = stored.Body.ToJsonString();
        lock (_writes)
        {
            using var connection = Open();
            using var command = ReplacingExpired(connection, stored, body,
                "UPDATE state_documents SET kind = $k, body = $b, etag = $e, updated_at = $u, expires_at = $x WHERE partition = $p AND id = $i AND etag = $old");
            command.Parameters.AddWithValue("$old", ifMatchETag);
            if (command.ExecuteNonQuery() == 1) return Task.FromResult(stored);
            throw Exists(connection, document.Partition, document.Id)
                ? new StateConflictException(document.Partition, document.Id)
                : new StateNotFoundException(document.Partition, document.Id);
        }
    }

    public Task<StateDocument> UpsertAsync(StateDocument document, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var stored = Stamp(document);
        var body = stored.Body.ToJsonString();
        lock (_writes)
        {
            using var connection = Open();
            using var command = connection.CreateCommand();
            command.CommandText = """
                INSERT INTO state_documents (partition, id, kind, body, etag, updated_at, expires_at) VALUES ($p, $i, $k, $b, $e, $u, $x)
                ON CONFLICT (partition, id) DO UPDATE SET kind = excluded.kind, body = excluded.body, etag = excluded.etag, updated_at = excluded.updated_at, expires_at = excluded.expires_at
                """;
            Bind(command, stored, body);
            command.ExecuteNonQuery();
            return Task.FromResult(stored);
        }
    }

    public Task<StateDocument> IncrementAsync(string partition, string id, IReadOnlyList<KeyValuePair<string, long>> deltas, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_writes)
        {
            using var connection = Open();
            // BEGIN IMMEDIATE takes the write lock before reading, so concurrent increments serialize instead of losing updates.
            using var transaction = connection.BeginTransaction(deferred: false);
            var current = Read(connection, partition, id, Now()) ?? throw new StateNotFoundException(partition, id);
            var body = current.Body.DeepClone().AsObject();
            foreach (var (path, delta) in deltas) JsonPointerIncrement.Apply(body, path, delta);
            var stored = Stamp(current with { Body = body });
            using (var command = connection.CreateCommand())
            {
                command.CommandText = "UPDATE state_documents SET body = $b, etag = $e, updated_at = $u, expires_at = $x WHERE partition = $p AND id = $i";
                Bind(command, stored, stored.Body.ToJsonString());
                command.ExecuteNonQuery();
            }
            transaction.Commit();
            return Task.FromResult(stored);
        }
    }

    public Task DeleteAsync(string partition, string id, string? ifMatchETag = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_writes)
        {
            using var connection = Open();
            PurgeExpired(connection, partition, id);
            using var command = connection.CreateCommand();
            command.CommandText = ifMatchETag is null
                ? "DELETE FROM state_documents WHERE partition = $p AND id = $i"
                : "DELETE FROM state_documents WHERE partition = $p AND id = $i AND etag = $e";
            command.Parameters.AddWithValue("$p", partition);
            command.Parameters.AddWithValue("$i", id);
            if (ifMatchETag is not null) command.Parameters.AddWithValue("$e", ifMatchETag);
            if (command.ExecuteNonQuery() == 0 && ifMatchETag is not null && Exists(connection, partition, id))
            {
                throw new StateConflictException(partition, id);
            }
            return Task.CompletedTask;
        }
    }

    public IAsyncEnumerable<StateDocument> QueryPartitionAsync(string partition, string? kind = null, CancellationToken cancellationToken = default) =>
        Query(kind is null
            ? $"SELECT {Columns} FROM state_documents WHERE partition = $p AND {NotExpired} ORDER BY id"
            : $"SELECT {Columns} FROM state_documents WHERE partition = $p AND kind = $k AND {NotExpired} ORDER BY id",
            partition, kind, cancellationToken);

    /// <summary>Keyset paging: the token is the last id returned, the next page starts after (or before) it.</summary>
    public Task<StatePage> QueryPartitionPageAsync(string partition, string? kind, int pageSize, string? continuationToken = null, bool descending = false, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        using var connection = Open();
        using var command = connection.CreateCommand();
        var after = continuationToken is null ? "" : descending ? "AND id < $after" : "AND id > $after";
        command.CommandText = $"SELECT {Columns} FROM state_documents WHERE partition = $p {(kind is null ? "" : "AND kind = $k")} {after} AND {NotExpired} ORDER BY id {(descending ? "DESC" : "ASC")} LIMIT $n";
        command.Parameters.AddWithValue("$p", partition);
        if (kind is not null) command.Parameters.AddWithValue("$k", kind);
        if (continuationToken is not null) command.Parameters.AddWithValue("$after", continuationToken);
        command.Parameters.AddWithValue("$n", pageSize + 1);
        command.Parameters.AddWithValue("$now", Now());
        var documents = ReadAll(command);
        var more = documents.Count > pageSize;
        if (more) documents.RemoveAt(pageSize);
        return Task.FromResult(new StatePage(documents, more ? documents[^1].Id : null));
    }

    public IAsyncEnumerable<StateDocument> QueryKindAsync(string kind, CancellationToken cancellationToken = default) =>
        Query($"SELECT {Columns} FROM state_documents WHERE kind = $k AND {NotExpired}", null, kind, cancellationToken);

    private const string Columns = "partition, id, kind, body, etag, updated_at";

    // Reads the whole result first: a connection is not held open while the caller awaits between items.
    private async IAsyncEnumerable<StateDocument> Query(string sql, string? partition, string? kind, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        List<StateDocument> page;
        using (var connection = _database.Open())
        using (var command = connection.CreateCommand())
        {
            command.CommandText = sql;
            if (partition is not null) command.Parameters.AddWithValue("$p", partition);
            if (kind is not null) command.Parameters.AddWithValue("$k", kind);
            command.Parameters.AddWithValue("$now", Now());
            page = ReadAll(command);
        }
        foreach (var document in page)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return document;
        }
        await Task.CompletedTask.ConfigureAwait(false);
    }

    public void Dispose() => _keepAlive?.Dispose();

    private SqliteConnection Open() => _database.Open();

    private StateDocument Stamp(StateDocument document) =>
        document with { ETag = Guid.NewGuid().ToString("N"), UpdatedAt = _time.GetUtcNow() };

    private string Now() => _time.GetUtcNow().UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>An expired row is gone for every reader; drop it before a write reuses its id.</summary>
    /// <summary>A write of <paramref name="stored"/> (bound) after removing its expired predecessor, whose row it may reuse.</summary>
    private SqliteCommand ReplacingExpired(SqliteConnection connection, StateDocument stored, string body, string sql)
    {
        PurgeExpired(connection, stored.Partition, stored.Id);
        var command = connection.CreateCommand();
        command.CommandText = sql;
        Bind(command, stored, body);
        return command;
    }

    private void PurgeExpired(SqliteConnection connection, string partition, string id)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM state_documents WHERE partition = $p AND id = $i AND expires_at IS NOT NULL AND expires_at <= $now";
        command.Parameters.AddWithValue("$p", partition);
        command.Parameters.AddWithValue("$i", id);
        command.Parameters.AddWithValue("$now", Now());
        command.ExecuteNonQuery();
    }

    private void Bind(SqliteCommand command, StateDocument document, string body)
    {
        command.Parameters.AddWithValue("$x", _timeToLive.TryGetValue(document.Kind, out var ttl)
            ? document.UpdatedAt!.Value.UtcDateTime.Add(ttl).ToString("O", System.Globalization.CultureInfo.InvariantCulture)
            : DBNull.Value);
        command.Parameters.AddWithValue("$p", document.Partition);
        command.Parameters.AddWithValue("$i", document.Id);
        command.Parameters.AddWithValue("$k", document.Kind); // unused parameters are ignored by SQLite
        command.Parameters.AddWithValue("$b", body);
        command.Parameters.AddWithValue("$e", document.ETag);
        command.Parameters.AddWithValue("$u", document.UpdatedAt!.Value.ToString("O"));
    }

    private static StateDocument? Read(SqliteConnection connection, string partition, string id, string now)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM state_documents WHERE partition = $p AND id = $i AND {NotExpired}";
        command.Parameters.AddWithValue("$p", partition);
        command.Parameters.AddWithValue("$i", id);
        command.Parameters.AddWithValue("$now", now);
        var all = ReadAll(command);
        return all.Count == 0 ? null : all[0];
    }

    private static List<StateDocument> ReadAll(SqliteCommand command)
    {
        var result = new List<StateDocument>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var body = JsonNode.Parse(reader.GetString(3))?.AsObject()
                ?? throw new StateStoreException("A stored state document has no JSON object body.");
            result.Add(new StateDocument(reader.GetString(0), reader.GetString(1), reader.GetString(2), body)
            {
                ETag = reader.GetString(4),
                UpdatedAt = DateTimeOffset.Parse(reader.GetString(5), System.Globalization.CultureInfo.InvariantCulture),
            });
        }
        return result;
    }

    private static bool Exists(SqliteConnection connection, string partition, string id)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT 1 FROM state_documents WHERE partition = $p AND id = $i";
        command.Parameters.AddWithValue("$p", partition);
        command.Parameters.AddWithValue("$i", id);
        return command.ExecuteScalar() is not null;
    }
}

/// <summary>Options of the embedded state store (the embedded pipeline fills them from Storage:StatePath).</summary>
public sealed record SqliteStateStoreOptions
{
    /// <summary>A private in-memory database that lives as long as the store object.</summary>
    public const string InMemory = ":memory:";

    /// <summary>Path of the SQLite file (created if missing), or <see cref="InMemory"/>.</summary>
    public string DatabasePath { get; init; } = "state/ingestion.db";

    /// <summary>Time to live per document kind (file and audit documents), counted from the last write; other kinds never expire.</summary>
    public IReadOnlyDictionary<string, TimeSpan> TimeToLive { get; init; } = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
}
