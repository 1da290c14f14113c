using System.IO.Compression;
using System.Text;
using Azure.Storage.Blobs;
using Ingestion.Fhir.BulkData;
using Ingestion.Orchestration;
using Ingestion.Pipeline.Sources;
using Ingestion.Testing.StandIns;

namespace Ingestion.Pipeline.Tests.Engine;

/// <summary>A landed export in a blob container (Azurite): the folder rules, under a prefix, streamed from Blob Storage.</summary>
public sealed class LandedBlobContainerSourceTests : IAsyncLifetime
{
    private AzuriteProcess? _azurite;
    private BlobContainerClient _container = null!;

    public async Task InitializeAsync()
    {
        _azurite = await AzuriteProcess.StartAsync();
        _container = new BlobServiceClient(_azurite.ConnectionString).GetBlobContainerClient("landed");
        await _container.CreateAsync();
    }

    public async Task DisposeAsync()
    {
        if (_azurite is not null) await _azurite.DisposeAsync();
    }

    [Fact]
    public async Task Without_a_manifest_the_ndjson_and_gzip_blobs_under_the_prefix_are_read_and_every_other_entry_is_skipped_with_the_reason()
    {
        await UploadAsync("exports/1/Patient.ndjson", """{"resourceType":"Patient","id":"p1"}""" + "\n" + """{"resourceType":"Patient","id":"p2"}""" + "\n");
        await UploadAsync("exports/1/Condition.ndjson.gz", Gzip("""{"resourceType":"Condition","id":"c1"}""" + "\n"));
        await UploadAsync("exports/1/notes.txt", "operator notes");
        await UploadAsync("exports/1/older/Patient.ndjson", """{"resourceType":"Patient","id":"old"}""" + "\n");
        await UploadAsync("exports/2/Patient.ndjson", """{"resourceType":"Patient","id":"other"}""" + "\n");
        var source = LandedContainerLocation.Open("landed/exports/1", new LandedContainerOptions { StorageConnection = _azurite!.ConnectionString });

        var poll = await source.PollAsync(await source.KickOffAsync(new BulkExportRequest(), default), default);

        Assert.Equal(["Condition.ndjson.gz", "Patient.ndjson"], poll.Manifest!.Output.Select(f => f.Url));
        Assert.Equal(["Condition", "Patient"], poll.Manifest.Output.Select(f => f.Type));
        Assert.Equal(["older/: a virtual folder: only the blobs directly under the landed prefix are read", "notes.txt: not NDJSON (only *.ndjson and *.ndjson.gz blobs are read)"],
            poll.Skipped.Select(s => $"{s.Name}: {s.Reason}"));
        Assert.Equal(["p1", "p2"], await IdsAsync(source, poll.Manifest.Output[1]));
        Assert.Equal(["c1"], await IdsAsync(source, poll.Manifest.Output[0]));
    }

    [Fact]
    public async Task A_manifest_entry_outside_the_landed_prefix_is_refused_and_unlisted_blobs_are_skipped()
    {
        await UploadAsync("exports/1/Patient.ndjson", """{"resourceType":"Patient","id":"p1"}""" + "\n");
        await UploadAsync("exports/1/Extra.ndjson", """{"resourceType":"Patient","id":"p9"}""" + "\n");
        await UploadAsync("secret/Patient.ndjson", """{"resourceType":"Patient","id":"s1"}""" + "\n");
        await UploadAsync("exports/1/manifest.json",
            """{"transactionTime":"2026-01-01T00:00:00Z","request":"x","requiresAccessToken":false,"output":[{"type":"Patient","url":"Patient.ndjson"}],"error":[]}""");
        var source = LandedContainerLocation.Open(_container.Uri + "/exports/1", new LandedContainerOptions { StorageConnection = _azurite!.ConnectionString });

        var poll = await source.PollAsync(await source.KickOffAsync(new BulkExportRequest(), default), default);

        Assert.Equal(["p1"], await IdsAsync(source, Assert.Single(poll.Manifest!.Output)));
        Assert.Equal(("Extra.ndjson", "not listed in manifest.json"), Assert.Single(poll.Skipped) is var s ? (s.Name, s.Reason) : default);
        foreach (var url in new[] { "../../secret/Patient.ndjson", _container.Uri + "/secret/Patient.ndjson", "/secret/Patient.ndjson" })
            await Assert.ThrowsAsync<NonRetryableActivityException>(() => IdsAsync(source, new BulkExportFile("Patient", url)));
    }

    [Fact]
    public void A_container_url_with_a_SAS_is_refused_because_the_location_is_stored_with_the_run()
    {
        var problem = LandedContainerLocation.Problem("https://acct.blob.core.windows.net/landed?sv=2024&sig=abc", new LandedContainerOptions());

        Assert.NotNull(problem);
        Assert.Contains("SAS", problem);
        Assert.DoesNotContain("sig=abc", problem);
    }

    private async Task UploadAsync(string name, string text) => await UploadAsync(name, Encoding.UTF8.GetBytes(text));

    private async Task UploadAsync(string name, byte[] bytes) => await _container.GetBlobClient(name).UploadAsync(new BinaryData(bytes), overwrite: true);

    private static byte[] Gzip(string text)
    {
        using var buffer = new MemoryStream();
        using (var gz = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(Encoding.UTF8.GetBytes(text));
        return buffer.ToArray();
    }

    private static async Task<List<string>> IdsAsync(LandedBlobContainerSource source, BulkExportFile file)
    {
        var ids = new List<string>();
        await foreach (var line in source.ReadFileAsync(file, false, default))
            ids.Add(System.Text.Json.JsonDocument.Parse(line.Utf8).RootElement.GetProperty("id").GetString()!);
        return ids;
    }
}
