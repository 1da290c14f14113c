using Microsoft.Data.Sqlite;

namespace Ingestion.Storage.Embedded;

/// <summary>
/// One SQLite file shared by the embedded state store and work queue: WAL mode so readers never block the writer,
/// a 30 s busy timeout so concurrent workers wait for the write lock instead of failing, and synchronous=NORMAL:
/// a commit survives a crash of the process (what Durable re-delivery relies on) without an fsync per commit (~5 ms
/// each on a VM disk, three per file of a run); a power loss may roll back the last commits, as it may lose the
/// local lake's unflushed files.
/// </summary>
internal sealed class SqliteDatabase
{
    private readonly string _connectionString;

    private SqliteDatabase(string connectionString) => _connectionString = connectionString;

    /// <summary>A database file (created with its folder when missing), with <paramref name="schema"/> applied.</summary>
    public static SqliteDatabase File(string path, string schema)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        return Create(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString(), schema);
    }

    /// <summary>A private shared-cache in-memory database; it lives while <paramref name="keepAlive"/> stays open.</summary>
    public static SqliteDatabase InMemory(string schema, out SqliteConnection keepAlive)
    {
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = $"state-{Guid.NewGuid():N}",
            Mode = SqliteOpenMode.Memory,
            Cache = SqliteCacheMode.Shared,
            DefaultTimeout = 30,
        }.ToString();
        keepAlive = new SqliteConnection(connectionString);
        keepAlive.Open();
        return Create(connectionString, schema);
    }

    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        // A per-connection setting: pooled connections keep it, and setting it again costs no I/O.
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA synchronous=NORMAL";
        command.ExecuteNonQuery();
        return connection;
    }

    private static SqliteDatabase Create(string connectionString, string schema)
    {
        var database = new SqliteDatabase(connectionString);
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;\n" + schema;
        command.ExecuteNonQuery();
        return database;
    }
}
