using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ingestion.DemoServer;
using Ingestion.Fhir.Auth;
using Ingestion.Fhir.BulkData;

namespace Ingestion.Fhir.Tests.BulkData;

/// <summary>
/// A demo server plus a client configured for it (optionally with SMART auth), and the download of a whole manifest
/// into per-type line counts and ids, so tests can check that every resource arrived exactly once.
/// </summary>
internal sealed class DemoExport : IAsyncDisposable
{
    public const string ClientId = "bulk-client-tests";
    private readonly RSA _key;

    private DemoExport(DemoFhirServer server, RSA key)
    {
        Server = server;
        _key = key;
    }

    public DemoFhirServer Server { get; }
    public SmartBackendTokenProvider? Tokens { get; private set; }

    public static async Task<DemoExport> StartAsync(DemoServerOptions options, bool auth)
    {
        var key = TestKeys.Rsa();
        if (auth) options = options with { RequireAuth = true, Clients = [DemoClientRegistration.FromRsa(ClientId, key, "k1")] };
        return new DemoExport(await DemoFhirServer.StartAsync(options), key);
    }

    public BulkExportClientOptions ClientOptions(Action<BulkExportClientOptions>? configure = null)
    {
        var options = new BulkExportClientOptions
        {
            BaseUrl = Server.BaseUrl,
            AllowInsecureHttp = true,
            // The demo server listens on 127.0.0.1.
            AllowPrivateNetwork = true,
            MaxStatusRequestsPerMinute = 60_000,
            // Keep the demo's 1 s Retry-After from slowing the suite: clamp it hard.
            RetryAfterFloor = TimeSpan.FromMilliseconds(10),
            RetryAfterCeiling = TimeSpan.FromMilliseconds(100),
            BackoffBase = TimeSpan.FromMilliseconds(20),
            BackoffCeiling = TimeSpan.FromMilliseconds(200),
        };
        configure?.Invoke(options);
        return options;
    }

    public SmartBackendTokenProvider CreateTokens(Action<SmartBackendOptions>? configure = null)
    {
        var options = new SmartBackendOptions
        {
            FhirBaseUrl = Server.BaseUrl,
            ClientId = ClientId,
            KeyId = "k1",
            PrivateKeyPem = _key.ExportPkcs8PrivateKeyPem(),
            Scope = "system/*.read",
            AllowInsecureHttp = true,
            AllowPrivateNetwork = true,
        };
        configure?.Invoke(options);
        return new SmartBackendTokenProvider(options);
    }

    /// <summary>A new client (own HTTP stack, the production handler), as a restarted process would have.</summary>
    public BulkExportClient CreateClient(bool auth, Action<BulkExportClientOptions>? configure = null, Action<SmartBackendOptions>? configureAuth = null)
    {
        if (auth) Tokens = CreateTokens(configureAuth);
        return new BulkExportClient(ClientOptions(configure), auth ? Tokens : null);
    }

    public sealed record Downloaded(Dictionary<string, long> LinesPerType, Dictionary<string, long> ErrorLinesPerType, int DuplicateIds, Dictionary<string, List<string>> Lines);

    /// <summary>Reads every output file (in parallel, as the client allows) and tallies lines per manifest type.</summary>
    public static async Task<Downloaded> DownloadAsync(BulkExportClient client, BulkExportManifest manifest, bool keepLines = false)
    {
        var lines = new Dictionary<string, long>();
        var errors = new Dictionary<string, long>();
        var keptLines = new Dictionary<string, List<string>>();
        var ids = new HashSet<string>();
        var duplicates = 0;
        var gate = new object();
        await Parallel.ForEachAsync(manifest.Output, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (file, ct) =>
        {
            long count = 0, bad = 0;
            var fileIds = new List<string>();
            var fileLines = new List<string>();
            await foreach (var line in client.ReadFileAsync(manifest, file, ct))
            {
                count++;
                if (line.Error is not null)
                {
                    bad++;
                    continue;
                }
                if (keepLines) fileLines.Add(Encoding.UTF8.GetString(line.Utf8.Span));
                using var doc = JsonDocument.Parse(line.Utf8);
                if (doc.RootElement.TryGetProperty("id", out var id)) fileIds.Add(file.Type + "/" + id.GetString());
            }
            lock (gate)
            {
                lines[file.Type] = lines.GetValueOrDefault(file.Type) + count;
                errors[file.Type] = errors.GetValueOrDefault(file.Type) + bad;
                foreach (var id in fileIds) if (!ids.Add(id)) duplicates++;
                if (keepLines) (keptLines.TryGetValue(file.Type, out var l) ? l : keptLines[file.Type] = []).AddRange(fileLines);
            }
        });
        return new Downloaded(lines, errors, duplicates, keptLines);
    }

    public async ValueTask DisposeAsync()
    {
        Tokens?.Dispose();
        _key.Dispose();
        await Server.DisposeAsync();
    }
}
