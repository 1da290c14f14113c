namespace Ingestion.Testing.StandIns;

/// <summary>
/// @vercel/cosmosdb-server 1.0.1 (in memory, plain HTTP) on a free port of 127.0.0.1, for tests.
/// Started with a preload script (cosmosdb-server-read-404.cjs) that turns the stand-in's 500 on reading a
/// missing item into the 404 the real service returns. Call <see cref="ConfigureClientEnvironment"/> before creating
/// a Microsoft.Azure.Cosmos client against it.
/// </summary>
public sealed class CosmosServerProcess : IAsyncDisposable
{
    /// <summary>The publicly documented Cosmos DB emulator key; the stand-in does not check signatures.</summary>
    public const string AccountKey = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";

    private readonly StandInProcess _process;

    private CosmosServerProcess(StandInProcess process, int port)
    {
        _process = process;
        Endpoint = new Uri($"http://127.0.0.1:{port}/");
    }

    public Uri Endpoint { get; }

    public int ProcessId => _process.ProcessId;

    public string ConnectionString => $"AccountEndpoint={Endpoint};AccountKey={AccountKey};";

    /// <summary>
    /// The environment the Cosmos SDK needs against this stand-in: no IMDS probe, the managed query-plan interop
    /// (cross-partition queries) and optimistic direct execution (aggregates). Process-wide, idempotent.
    /// </summary>
    public static void ConfigureClientEnvironment()
    {
        Environment.SetEnvironmentVariable("COSMOS_DISABLE_IMDS_ACCESS", "true");
        Environment.SetEnvironmentVariable("AZURE_COSMOS_USE_QUERY_PLAN_INTEROP_LINUX", "true");
        Environment.SetEnvironmentVariable("AZURE_COSMOS_OPTIMISTIC_DIRECT_EXECUTION_ENABLED", "true");
    }

    public static async Task<CosmosServerProcess> StartAsync(CancellationToken cancellationToken = default)
    {
        var port = StandInProcess.FreePort();
        var patch = Path.Combine(RepositoryPaths.RepositoryRoot, "tests", "Ingestion.Testing", "StandIns", "cosmosdb-server-read-404.cjs");
        var cli = Path.Combine(RepositoryPaths.ToolsDirectory, "node_modules", "@vercel", "cosmosdb-server", "lib", "cli.js");
        if (!File.Exists(cli)) throw new InvalidOperationException($"cosmosdb-server not found at {cli}: run ./test.sh.");
        string[] arguments = ["--require", patch, cli, "-p", port.ToString(), "--host", "127.0.0.1", "--no-ssl"];
        var process = await StandInProcess.StartAsync("cosmosdb-server", "node", arguments, [port], cancellationToken: cancellationToken);
        return new CosmosServerProcess(process, port);
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
