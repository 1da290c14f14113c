using System.Text.Json;
using Ingestion.DemoServer;
using Ingestion.Fhir.BulkData;
using Ingestion.Fhir.Tests.BulkData;

namespace Ingestion.Fhir.Tests.Security;

/// <summary>
/// Full exports from the demo server with SMART tokens and signed (<c>?sig=</c>) file URLs, through faults that make
/// the client retry and fail: every exception message, progress report, saved job and landed file is scanned for
/// the signatures, the bearer token and the private key.
/// </summary>
public class SecretLeakTests
{
    /// <summary>Collects synchronously (Progress&lt;T&gt; would post to the thread pool and race the scan).</summary>
    private sealed class Recorder(List<string> into) : IProgress<BulkExportPollResult>
    {
        // The manifest itself is not reported: it is the server's credential-bearing document, kept only to download.
        public void Report(BulkExportPollResult value)
        {
            into.Add(JsonSerializer.Serialize(value.Job));
            into.Add(value.Progress ?? "");
        }
    }

    private static IEnumerable<string> Signatures(BulkExportManifest manifest) =>
        manifest.Output.Concat(manifest.Error).Concat(manifest.Deleted)
            .Select(f => new Uri(f.Url).Query)
            .Where(q => q.StartsWith("?sig=", StringComparison.Ordinal))
            .Select(q => q["?sig=".Length..]);

    private static string Describe(Exception e) => string.Join("\n", Chain(e).Select(x => $"{x.GetType().Name}: {x.Message}"));

    private static IEnumerable<Exception> Chain(Exception? e)
    {
        for (; e is not null; e = e.InnerException) yield return e;
    }

    [Fact]
    public async Task A_full_export_with_signed_urls_and_tokens_leaves_no_secret_in_messages_reports_state_or_files()
    {
        var reported = new List<string>();
        var secrets = new List<string>();
        var folder = Path.Combine(Path.GetTempPath(), "secret-scan-" + Guid.NewGuid().ToString("N"));
        try
        {
            // 1. A run that succeeds through transient file errors, dropped connections and a briefly missing file.
            await using (var demo = await DemoExport.StartAsync(new DemoServerOptions
            {
                Patients = 5, ResourcesPerFile = 20, SignFileUrls = true,
                Faults = new DemoFaults { TransientFile = 2, DropConnection = 2, ExpiredFile = 1, DropConnectionAfterBytes = 500 },
            }, auth: true))
            {
                using var client = demo.CreateClient(auth: true);
                var job = await client.KickOffAsync(new BulkExportRequest(), CancellationToken.None);
                reported.Add(JsonSerializer.Serialize(job));
                var manifest = await client.WaitForCompletionAsync(job, new Recorder(reported), CancellationToken.None);
                secrets.AddRange(Signatures(manifest));
                var summary = await new BulkExportFolderWriter(client).WriteAsync(manifest, folder, null, CancellationToken.None);
                reported.Add(JsonSerializer.Serialize(summary));
                reported.AddRange(Directory.EnumerateFiles(folder, "*.json", SearchOption.AllDirectories).Select(File.ReadAllText));
                reported.AddRange(Directory.EnumerateFiles(folder, "reasons.ndjson", SearchOption.AllDirectories).Select(File.ReadAllText));
                secrets.Add(await demo.Tokens!.GetTokenAsync(false, CancellationToken.None));
            }

            // 2. A run whose files are gone for good: the failure names the file, without its signature.
            await using (var demo = await DemoExport.StartAsync(new DemoServerOptions
            {
                Patients = 2, SignFileUrls = true, Faults = new DemoFaults { FilesExpiredPermanently = true },
            }, auth: true))
            {
                using var client = demo.CreateClient(auth: true, o => o.ExpiredFileRetries = 1);
                var manifest = await client.WaitForCompletionAsync(await client.KickOffAsync(new BulkExportRequest(), CancellationToken.None), new Recorder(reported), CancellationToken.None);
                secrets.AddRange(Signatures(manifest));
                var error = await Assert.ThrowsAsync<BulkExportFileException>(() => new BulkExportFolderWriter(client).WriteAsync(manifest, folder + "-2", null, CancellationToken.None));
                reported.Add(Describe(error));
                reported.Add(error.FileUrl);
                secrets.Add(await demo.Tokens!.GetTokenAsync(false, CancellationToken.None));
                Assert.Contains("/bulkfiles/", error.Message, StringComparison.Ordinal);
            }

            // 3. A manifest pointing a signed URL at the metadata address: refused, the URL named without its query.
            await using (var demo = await DemoExport.StartAsync(new DemoServerOptions
            {
                Patients = 2, SignFileUrls = true, Faults = new DemoFaults { ForeignHostFileUrl = true },
            }, auth: true))
            {
                using var client = demo.CreateClient(auth: true);
                var job = await client.KickOffAsync(new BulkExportRequest(), CancellationToken.None);
                var error = await Assert.ThrowsAsync<BulkExportUnsafeUrlException>(() => client.WaitForCompletionAsync(job, new Recorder(reported), CancellationToken.None));
                reported.Add(Describe(error));
                reported.Add(error.Url);
                secrets.Add(await demo.Tokens!.GetTokenAsync(false, CancellationToken.None));
            }

            Assert.True(secrets.Count(s => s.Length > 20) >= 5, "the scan must have real signatures and tokens to look for");
            var leaks = reported.SelectMany(text => secrets.Where(secret => text.Contains(secret, StringComparison.Ordinal)).Select(_ => text)).ToList();
            Assert.True(leaks.Count == 0, $"{leaks.Count} reported texts contain a secret, e.g. {leaks.FirstOrDefault()?[..Math.Min(300, leaks.First().Length)]}");
            Assert.DoesNotContain(reported, text => text.Contains("sig=", StringComparison.Ordinal) || text.Contains("PRIVATE KEY", StringComparison.Ordinal));
        }
        finally
        {
            foreach (var path in new[] { folder, folder + "-2" })
                if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
        }
    }
}
