using Microsoft.Data.Sqlite;

namespace Ingestion.Storage.Embedded;

/// <summary>
/// A durable embedded work queue in a SQLite file (the same file as the state store works): Azure Storage
/// queue semantics, and messages survive a process restart, so a run interrupted at any point resumes
/// when a host starts again on the same file.
/// </summary>
public sealed class SqliteWorkQueue : IWorkQueue
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS queue_messages (
            queue TEXT NOT NULL,
            id TEXT NOT NULL,
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            body TEXT NOT NULL,
            visible_at INTEGER NOT NULL,
            inserted_at INTEGER NOT NULL,
            dequeue_count INTEGER NOT NULL DEFAULT 0,
            pop_receipt TEXT NOT NULL DEFAULT '',
            UNIQUE (queue, id)
        );
        CREATE INDEX IF NOT EXISTS ix_queue_messages_visible ON queue_messages (queue, visible_at, seq);
        """;

    private readonly SqliteDatabase _database;
    private readonly TimeProvider _time;

    public SqliteWorkQueue(string databasePath, string name, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        _time = timeProvider ?? TimeProvider.System;
        _database = SqliteDatabase.File(databasePath, Schema);
    }

    public string Name { get; }

    public Task<string> EnqueueAsync(string body, TimeSpan? visibilityDelay = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        cancellationToken.ThrowIfCancellationRequested();
        var now = _time.GetUtcNow();
        var id = Guid.NewGuid().ToString("N");
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO queue_messages (queue, id, body, visible_at, inserted_at) VALUES ($q, $id, $body, $visible, $inserted)";
        command.Parameters.AddWithValue("$q", Name);
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$body", body);
        command.Parameters.AddWithValue("$visible", (now + (visibilityDelay ?? TimeSpan.Zero)).UtcTicks);
        command.Parameters.AddWithValue("$inserted", now.UtcTicks);
        command.ExecuteNonQuery();
        return Task.FromResult(id);
    }

    public Task<IReadOnlyList<QueueLease>> ReceiveAsync(int maxMessages, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        cancellationToken.ThrowIfCancellationRequested();
        var now = _time.GetUtcNow();
        var visibleAgain = now + visibilityTimeout;
        using var connection = Open();
        // IMMEDIATE: two workers receiving at once must not both take the same message.
        using var transaction = connection.BeginTransaction(deferred: false);
        var candidates = new List<(string Id, string Body, int DequeueCount, long InsertedAt)>();
        using (var select = connection.CreateCommand())
        {
            select.CommandText = "SELECT id, body, dequeue_count, inserted_at FROM queue_messages WHERE queue = $q AND visible_at <= $now ORDER BY visible_at, seq LIMIT $max";
            select.Parameters.AddWithValue("$q", Name);
            select.Parameters.AddWithValue("$now", now.UtcTicks);
            select.Parameters.AddWithValue("$max", maxMessages);
            using var reader = select.ExecuteReader();
            while (reader.Read()) candidates.Add((reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetInt64(3)));
        }
        var leases = new List<QueueLease>(candidates.Count);
        foreach (var (id, body, dequeueCount, insertedAt) in candidates)
        {
            var receipt = Guid.NewGuid().ToString("N");
            using var update = connection.CreateCommand();
            update.CommandText = "UPDATE queue_messages SET dequeue_count = dequeue_count + 1, pop_receipt = $r, visible_at = $v WHERE queue = $q AND id = $id";
            update.Parameters.AddWithValue("$r", receipt);
            update.Parameters.AddWithValue("$v", visibleAgain.UtcTicks);
            update.Parameters.AddWithValue("$q", Name);
            update.Parameters.AddWithValue("$id", id);
            update.ExecuteNonQuery();
            leases.Add(new QueueLease(id, receipt, body, dequeueCount + 1, new DateTimeOffset(insertedAt, TimeSpan.Zero), visibleAgain));
        }
        transaction.Commit();
        return Task.FromResult<IReadOnlyList<QueueLease>>(leases);
    }

    public Task<QueueLease> ExtendAsync(QueueLease lease, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        cancellationToken.ThrowIfCancellationRequested();
        var visibleAgain = _time.GetUtcNow() + visibilityTimeout;
        var receipt = Guid.NewGuid().ToString("N");
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE queue_messages SET pop_receipt = $new, visible_at = $v WHERE queue = $q AND id = $id AND pop_receipt = $old";
        command.Parameters.AddWithValue("$new", receipt);
        command.Parameters.AddWithValue("$v", visibleAgain.UtcTicks);
        command.Parameters.AddWithValue("$q", Name);
        command.Parameters.AddWithValue("$id", lease.MessageId);
        command.Parameters.AddWithValue("$old", lease.PopReceipt);
        if (command.ExecuteNonQuery() != 1) throw new QueueLeaseLostException(lease.MessageId);
        return Task.FromResult(lease with { PopReceipt = receipt, VisibleAgainAt = visibleAgain });
    }

    public Task CompleteAsync(QueueLease lease, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        cancellationToken.ThrowIfCancellationRequested();
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM queue_messages WHERE queue = $q AND id = $id AND pop_receipt = $r";
        command.Parameters.AddWithValue("$q", Name);
        command.Parameters.AddWithValue("$id", lease.MessageId);
        command.Parameters.AddWithValue("$r", lease.PopReceipt);
        if (command.ExecuteNonQuery() != 1) throw new QueueLeaseLostException(lease.MessageId);
        return Task.CompletedTask;
    }

    public Task<long> CountAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM queue_messages WHERE queue = $q";
        command.Parameters.AddWithValue("$q", Name);
        return Task.FromResult((long)command.ExecuteScalar()!);
    }

    private SqliteConnection Open() => _database.Open();
}
