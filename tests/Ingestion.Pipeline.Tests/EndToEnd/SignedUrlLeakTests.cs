using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ingestion.DemoServer;
using Ingestion.Orchestration;
using Ingestion.Storage.Catalog;
using Ingestion.Pipeline.State;

namespace Ingestion.Pipeline.Tests.EndToEnd;

/// <summary>
/// Credentials never reach what the pipeline writes or says: signed file URLs (<c>?sig=</c>), SMART access tokens,
/// client assertions and the client's private key are absent from the logs, every catalog record (run, file rows,
/// audit), the orchestration's status, output and failure, and the lake's reports — on a run that recovers from
/// faults, one that fails on its files, and a SMART-authenticated one (docs/security.md).
/// </summary>
public sealed class SignedUrlLeakTests
{
    private static readonly DemoServerOptions Demo = new() { Patients = 3, Seed = 7, ResourcesPerFile = 50, SignFileUrls = true };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task No_file_signature_appears_in_logs_catalog_records_status_failure_reasons_or_lake_reports(bool filesExpire)
    {
        var faults = filesExpire
            ? new DemoFaults { FilesExpiredPermanently = true }
            : new DemoFaults { TransientFile = 2, DropConnection = 2, ExpiredFile = 1, DropConnectionAfterBytes = 500 };
        await using var h = await DemoPipelineHarness.StartAsync(Demo with { Faults = faults });
        var logs = new CapturingLoggerFactory();
        var pipeline = await h.OpenPipelineAsync(new Dictionary<string, string?> { ["Pipeline:MaxActivityAttempts"] = "2" }, logs: logs);
        var id = await pipeline.StartNewAsync(h.ServerInput());

        var status = await DemoPipelineHarness.RunAsync(pipeline, id);

        Assert.Equal(filesExpire ? RunOutcome.Failed : RunOutcome.Completed, status.Outcome);
        var files = await FilesAsync(pipeline, id);
        // The failing run names its failed files (index and type) with an actionable reason.
        if (filesExpire) Assert.Contains(files, f => f.Status == RunFileStatus.Failed && f.FailureReason?.Contains($"File {f.Index} ({f.ResourceType})", StringComparison.Ordinal) == true);
        // The file rows still say which file they are: the URL without its query.
        Assert.All(files, f => Assert.Contains("/bulkfiles/", f.Url, StringComparison.Ordinal));
        var outputs = await OutputsAsync(pipeline, id, status, logs);

        // The failing run's logs name its files (so the scan looks at text that had a URL in it).
        if (filesExpire) Assert.Contains("/bulkfiles/", outputs["logs"], StringComparison.Ordinal);
        AssertNoLeak(outputs, ["sig="]);
    }

    [Fact]
    public async Task A_smart_authenticated_run_leaves_no_token_assertion_key_or_signature_in_what_it_writes()
    {
        using var key = RSA.Create(2048);
        var pem = key.ExportPkcs8PrivateKeyPem();
        await using var h = await DemoPipelineHarness.StartAsync(Demo with
        {
            RequireAuth = true,
            Clients = [DemoClientRegistration.FromRsa("leak-test-client", key, "leak-test-key")],
            // Short tokens, so the run fetches several; transient file errors, so messages about files are written.
            TokenLifetime = TimeSpan.FromSeconds(2),
            Faults = new DemoFaults { TransientFile = 2, DropConnection = 1, DropConnectionAfterBytes = 500 },
        });
        var logs = new CapturingLoggerFactory();
        var pipeline = await h.OpenPipelineAsync(new Dictionary<string, string?>
        {
            ["Fhir:Smart:ClientId"] = "leak-test-client",
            ["Fhir:Smart:KeyId"] = "leak-test-key",
            ["Fhir:Smart:PrivateKeyPem"] = pem,
            ["Fhir:Smart:FhirBaseUrl"] = h.Server.BaseUrl.ToString(),
            ["Fhir:Smart:TokenUrl"] = h.Server.TokenUrl.ToString(),
            ["Fhir:Smart:AllowInsecureHttp"] = "true",
            ["Fhir:Smart:AllowPrivateNetwork"] = "true",
            ["Fhir:Smart:RefreshBeforeExpiry"] = "00:00:01",
        }, logs: logs);
        var id = await pipeline.StartNewAsync(h.ServerInput());

        var status = await DemoPipelineHarness.RunAsync(pipeline, id);

        Assert.Equal(RunOutcome.Completed, status.Outcome);
        var credentials = h.Server.CredentialsSeen;
        // Tokens and assertions were really issued and used (so the scan has something to find).
        Assert.True(credentials.Count >= 2, $"the demo server saw {credentials.Count} credentials");
        var keyBody = pem.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => !l.StartsWith("-----", StringComparison.Ordinal)).ToList();
        var outputs = await OutputsAsync(pipeline, id, status, logs);
        AssertNoLeak(outputs, ["sig=", "PRIVATE KEY", .. credentials, .. keyBody]);
    }

    private static async Task<List<RunFileRecord>> FilesAsync(TestPipeline pipeline, string id)
    {
        var files = new List<RunFileRecord>();
        await foreach (var file in pipeline.Runtime.Catalog.ListFilesAsync(id, CancellationToken.None)) files.Add(file);
        return files;
    }

    /// <summary>Every output a person or a later step reads, by where it comes from (a leak names its source, never the text around it).</summary>
    private static async Task<Dictionary<string, string>> OutputsAsync(TestPipeline pipeline, string id, TestRunStatus status, CapturingLoggerFactory logs)
    {
        var outputs = new Dictionary<string, StringBuilder>(StringComparer.Ordinal);
        void Add(string source, string? text) => (outputs.TryGetValue(source, out var b) ? b : outputs[source] = new StringBuilder()).AppendLine(text);
        Add("catalog run", JsonSerializer.Serialize(status.Run, StateJson.Options));
        foreach (var file in await FilesAsync(pipeline, id)) Add("catalog files", JsonSerializer.Serialize(file, StateJson.Options));
        await foreach (var entry in pipeline.Runtime.Catalog.ListAuditAsync(id, CancellationToken.None)) Add("audit trail", JsonSerializer.Serialize(entry, StateJson.Options));
        await foreach (var entry in pipeline.Runtime.Catalog.ListAuditAsync("source:" + status.Run.SourceId, CancellationToken.None)) Add("audit trail", JsonSerializer.Serialize(entry, StateJson.Options));
        var instance = await pipeline.Runtime.Client.GetInstanceAsync(id, getInputsAndOutputs: true);
        Add("orchestration status", instance?.SerializedInput);
        Add("orchestration status", instance?.SerializedOutput);
        Add("orchestration status", instance?.SerializedCustomStatus);
        Add("orchestration status", instance?.FailureDetails?.ToString());
        await foreach (var item in pipeline.Lake.ListAsync(""))
        {
            if (item.Path.EndsWith(".parquet", StringComparison.Ordinal)) continue;
            await using var stream = await pipeline.Lake.OpenReadAsync(item.Path);
            Add("lake objects", await new StreamReader(stream).ReadToEndAsync());
        }
        foreach (var line in logs.Lines) Add("logs", line);
        return outputs.ToDictionary(o => o.Key, o => o.Value.ToString(), StringComparer.Ordinal);
    }

    private static void AssertNoLeak(Dictionary<string, string> outputs, IReadOnlyList<string> secrets)
    {
        var leaks = outputs.Where(o => secrets.Any(s => o.Value.Contains(s, StringComparison.Ordinal))).Select(o => o.Key).ToList();
        Assert.True(leaks.Count == 0, "a credential leaked into: " + string.Join(", ", leaks));
    }
}
