namespace Ingestion.Testing.StandIns;

/// <summary>
/// Azurite 3.37.0 (Blob + Queue + Table) on free ports of 127.0.0.1 with in-memory persistence, for tests.
/// Account <see cref="AccountName"/> with the well-known development key; path-style URLs.
/// </summary>
public sealed class AzuriteProcess : IAsyncDisposable
{
    /// <summary>The development account every Azurite instance serves.</summary>
    public const string AccountName = "devstoreaccount1";

    /// <summary>The publicly documented development key (not a secret).</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly StandInProcess _process;

    private AzuriteProcess(StandInProcess process, int blobPort, int queuePort, int tablePort)
    {
        _process = process;
        BlobEndpoint = new Uri($"http://127.0.0.1:{blobPort}/{AccountName}/");
        QueueEndpoint = new Uri($"http://127.0.0.1:{queuePort}/{AccountName}/");
        TableEndpoint = new Uri($"http://127.0.0.1:{tablePort}/{AccountName}/");
    }

    /// <summary>e.g. http://127.0.0.1:PORT/devstoreaccount1/</summary>
    public Uri BlobEndpoint { get; }

    public Uri QueueEndpoint { get; }

    /// <summary>The Table service (the Durable Task Framework's Azure Storage backend keeps instances and history there).</summary>
    public Uri TableEndpoint { get; }

    public int ProcessId => _process.ProcessId;

    /// <summary>
    /// A connection string in the Azure Storage format pointing at this instance. The table endpoint has no trailing
    /// slash: Azure.Data.Tables then asks for "…/devstoreaccount1//Tables", which Azurite rejects with 400.
    /// </summary>
    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};BlobEndpoint={BlobEndpoint};QueueEndpoint={QueueEndpoint};TableEndpoint={TableEndpoint.ToString().TrimEnd('/')};";

    /// <param name="location">A folder for Azurite's data; null keeps everything in memory (tests).</param>
    public static async Task<AzuriteProcess> StartAsync(string? location = null, CancellationToken cancellationToken = default)
    {
        var blobPort = StandInProcess.FreePort();
        var queuePort = StandInProcess.FreePort();
        var tablePort = StandInProcess.FreePort();
        string[] arguments =
        [
            "--blobHost", "127.0.0.1", "--blobPort", blobPort.ToString(),
            "--queueHost", "127.0.0.1", "--queuePort", queuePort.ToString(),
            "--tableHost", "127.0.0.1", "--tablePort", tablePort.ToString(),
            "--skipApiVersionCheck", "--loose", "--disableTelemetry", "--silent",
            .. (location is null ? new[] { "--inMemoryPersistence" } : ["--location", location]),
        ];
        var process = await StandInProcess.StartAsync("Azurite", RepositoryPaths.NodeBin("azurite"), arguments,
            [blobPort, queuePort, tablePort], cancellationToken: cancellationToken);
        return new AzuriteProcess(process, blobPort, queuePort, tablePort);
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
