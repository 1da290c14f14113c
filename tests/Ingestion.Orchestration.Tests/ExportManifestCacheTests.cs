using Ingestion.Fhir.BulkData;
using Ingestion.Orchestration.Tests.Fakes;
using Ingestion.Pipeline;
using Ingestion.Storage.Catalog;
using Ingestion.Testing;

namespace Ingestion.Orchestration.Tests;

/// <summary>
/// Where a file activity gets the download URL the catalog does not keep: the server's manifest, read once per status
/// URL and worker for a while, the file taken by index and checked against its catalog row.
/// </summary>
public sealed class ExportManifestCacheTests
{
    private const string StatusUrl = "https://ehr.test/status/1";
    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2026, 12, 6, 2, 0, 0, TimeSpan.Zero));

    private FakeExportSource Server(params string[] urls)
    {
        var server = new FakeExportSource();
        server.ThenAlways = job => new BulkExportPollResult
        {
            Job = job,
            Manifest = new BulkExportManifest
            {
                TransactionTime = _clock.GetUtcNow(),
                Request = "https://ehr.test/$export",
                Output = urls.Select(u => new BulkExportFile("Patient", u, 1)).ToList(),
            },
        };
        return server;
    }

    private static RunFileRecord Row(int index, string url, string type = "Patient") =>
        new() { RunId = "r1", Index = index, Kind = ManifestFiles.Output, ResourceType = type, Url = url };

    [Fact]
    public async Task Files_of_a_run_get_their_signed_urls_from_one_manifest_read()
    {
        var server = Server("https://ehr.test/f/0.ndjson?sig=a", "https://ehr.test/f/1.ndjson?sig=b");
        var cache = new ExportManifestCache(_clock);

        var first = await cache.DownloadUrlAsync(server, StatusUrl, Row(0, "https://ehr.test/f/0.ndjson?…"), CancellationToken.None);
        var second = await cache.DownloadUrlAsync(server, StatusUrl, Row(1, "https://ehr.test/f/1.ndjson?…"), CancellationToken.None);

        Assert.Equal(("https://ehr.test/f/0.ndjson?sig=a", "https://ehr.test/f/1.ndjson?sig=b"), (first, second));
        Assert.Equal(1, server.Polls + server.ManifestReads);
        _clock.Advance(TimeSpan.FromMinutes(11));
        await cache.DownloadUrlAsync(server, StatusUrl, Row(0, "https://ehr.test/f/0.ndjson?…"), CancellationToken.None);
        Assert.Equal(2, server.Polls + server.ManifestReads);
    }

    [Theory]
    [InlineData(0, "https://ehr.test/f/other.ndjson?…", "Patient")]
    [InlineData(0, "https://ehr.test/f/0.ndjson?…", "Observation")]
    [InlineData(5, "https://ehr.test/f/5.ndjson?…", "Patient")]
    public async Task A_manifest_that_no_longer_lists_the_file_at_its_index_fails_it_without_retries_and_without_the_url(int index, string url, string type)
    {
        var server = Server("https://ehr.test/f/0.ndjson?sig=secret");
        var cache = new ExportManifestCache(_clock);

        var error = await Assert.ThrowsAsync<NonRetryableActivityException>(() => cache.DownloadUrlAsync(server, StatusUrl, Row(index, url, type), CancellationToken.None));

        Assert.Contains($"File {index} ({type})", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("sig=", error.Message, StringComparison.Ordinal);
    }
}
