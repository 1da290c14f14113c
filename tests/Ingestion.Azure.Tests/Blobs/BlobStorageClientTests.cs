using System.Security.Cryptography;
using System.Text;
using Azure.Core;
using Ingestion.Azure.Blobs;
using Ingestion.Azure.Storage;
using Ingestion.Azure.Tests.Fixtures;
using Ingestion.Testing.StandIns;

namespace Ingestion.Azure.Tests.Blobs;

[Collection(AzuriteCollection.Name)]
public sealed class BlobStorageClientTests(AzuriteFixture azurite)
{
    private async Task<(BlobStorageClient Client, string Container)> NewContainerAsync(BlobStorageClientOptions? options = null)
    {
        var client = azurite.CreateBlobClient(options);
        var container = AzuriteFixture.UniqueName("blobs");
        Assert.True(await client.CreateContainerIfNotExistsAsync(container));
        return (client, container);
    }

    [Fact]
    public async Task Shared_key_signed_requests_round_trip_a_blob_with_slashes_and_spaces_in_its_name()
    {
        var (client, container) = await NewContainerAsync();
        var content = Encoding.UTF8.GetBytes("{\"resourceType\":\"Patient\"}");

        var written = await client.UploadAsync(container, "omop/person/run=a b/part 1.json", content);
        await using var download = await client.DownloadAsync(container, "omop/person/run=a b/part 1.json");
        using var buffer = new MemoryStream();
        await download.Content.CopyToAsync(buffer);

        Assert.Equal(content, buffer.ToArray());
        Assert.Equal(written.ETag, download.Properties.ETag);
        Assert.Equal(content.Length, download.Properties.ContentLength);
    }

    [Fact]
    public async Task Percent_signs_in_a_name_are_escaped_and_kept_apart_from_slashes()
    {
        var (client, container) = await NewContainerAsync();

        await client.UploadAsync(container, "dir/100%.txt", new byte[] { 1 });
        await client.UploadAsync(container, "dir%2Fnot-a-folder.txt", new byte[] { 2 });
        var names = new List<string>();
        await foreach (var blob in client.GetBlobsAsync(container)) names.Add(blob.Name);

        Assert.Equal(["dir%2Fnot-a-folder.txt", "dir/100%.txt"], names);
        Assert.NotNull(await client.GetPropertiesAsync(container, "dir/100%.txt"));
        Assert.Null(await client.GetPropertiesAsync(container, "dir/not-a-folder.txt"));
    }

    [Fact]
    public async Task Creating_an_existing_container_reports_false_and_keeps_its_blobs()
    {
        var (client, container) = await NewContainerAsync();
        await client.UploadAsync(container, "keep.txt", new byte[] { 1 });

        Assert.False(await client.CreateContainerIfNotExistsAsync(container));
        Assert.NotNull(await client.GetPropertiesAsync(container, "keep.txt"));
    }

    [Fact]
    public async Task A_wrong_account_key_is_rejected_with_a_typed_authentication_error()
    {
        var (_, container) = await NewContainerAsync();
        var wrongKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(64));
        var client = new BlobStorageClient(azurite.Azurite.BlobEndpoint, StorageCredential.SharedKey(AzuriteProcess.AccountName, wrongKey));

        var error = await Assert.ThrowsAsync<BlobStorageException>(() => client.UploadAsync(container, "x", new byte[] { 1 }));

        Assert.Equal(403, error.Status);
        Assert.Contains(error.ErrorCode, new[] { "AuthenticationFailed", "AuthorizationFailure" });
        Assert.DoesNotContain(wrongKey, error.Message);
    }

    [Fact]
    public async Task A_sas_token_authorizes_writes_and_reads_without_the_account_key()
    {
        var (_, container) = await NewContainerAsync();
        var sas = new AccountSasBuilder("rwdlc", "b", "sco", DateTimeOffset.UtcNow.AddHours(1)).ToSasToken(azurite.SharedKey);
        var client = new BlobStorageClient(azurite.Azurite.BlobEndpoint, StorageCredential.Sas(sas));

        await client.UploadAsync(container, "sas/blob.bin", new byte[] { 1, 2, 3 });
        var properties = await client.GetPropertiesAsync(container, "sas/blob.bin");

        Assert.Equal(3, properties?.ContentLength);
    }

    [Fact]
    public async Task An_expired_sas_token_is_refused()
    {
        var (_, container) = await NewContainerAsync();
        var sas = new AccountSasBuilder("rwdlc", "b", "sco", DateTimeOffset.UtcNow.AddMinutes(-5)).ToSasToken(azurite.SharedKey);
        var client = new BlobStorageClient(azurite.Azurite.BlobEndpoint, StorageCredential.Sas(sas));

        var error = await Assert.ThrowsAsync<BlobStorageException>(() => client.UploadAsync(container, "late.bin", new byte[] { 1 }));

        Assert.Equal(403, error.Status);
    }

    [Fact]
    public async Task If_none_match_star_refuses_to_overwrite_with_BlobAlreadyExists()
    {
        var (client, container) = await NewContainerAsync();
        await client.UploadAsync(container, "manifest.json", "v1"u8.ToArray(), BlobConditions.IfNotExists);

        var error = await Assert.ThrowsAsync<BlobStorageException>(() =>
            client.UploadAsync(container, "manifest.json", "v2"u8.ToArray(), BlobConditions.IfNotExists));

        Assert.Equal(409, error.Status);
        Assert.Equal(BlobStorageException.BlobAlreadyExists, error.ErrorCode);
        Assert.True(error.IsConditionFailure);
        await using var current = await client.DownloadAsync(container, "manifest.json");
        Assert.Equal("v1", await new StreamReader(current.Content).ReadToEndAsync());
    }

    [Fact]
    public async Task If_match_with_a_stale_etag_fails_with_ConditionNotMet()
    {
        var (client, container) = await NewContainerAsync();
        var first = await client.UploadAsync(container, "state.json", "1"u8.ToArray());
        var second = await client.UploadAsync(container, "state.json", "2"u8.ToArray(), BlobConditions.IfMatchETag(first.ETag));

        var error = await Assert.ThrowsAsync<BlobStorageException>(() =>
            client.UploadAsync(container, "state.json", "3"u8.ToArray(), BlobConditions.IfMatchETag(first.ETag)));

        Assert.NotEqual(first.ETag, second.ETag);
        Assert.Equal(412, error.Status);
        Assert.Equal(BlobStorageException.ConditionNotMet, error.ErrorCode);
    }

    [Fact]
    public async Task A_range_get_returns_only_the_requested_bytes_and_the_full_length()
    {
        var (client, container) = await NewContainerAsync();
        var content = Enumerable.Range(0, 1000).Select(i => (byte)(i % 251)).ToArray();
        await client.UploadAsync(container, "ranged.bin", content);

        await using var download = await client.DownloadAsync(container, "ranged.bin", new BlobRange(100, 50));
        using var buffer = new MemoryStream();
        await download.Content.CopyToAsync(buffer);

        Assert.Equal(content.AsSpan(100, 50).ToArray(), buffer.ToArray());
        Assert.Equal(1000, download.Properties.ContentLength);
    }

    [Fact]
    public async Task Listing_follows_markers_across_small_pages_in_name_order_and_honours_the_prefix()
    {
        var (client, container) = await NewContainerAsync();
        var names = Enumerable.Range(0, 7).Select(i => $"run=1/part-{i:D4}.parquet").ToList();
        foreach (var name in names.AsEnumerable().Reverse()) await client.UploadAsync(container, name, new byte[] { (byte)name.Length });
        await client.UploadAsync(container, "run=2/part-0000.parquet", new byte[] { 9 });

        var firstPage = await client.GetBlobsPageAsync(container, "run=1/", null, 3);
        var all = new List<BlobProperties>();
        await foreach (var blob in client.GetBlobsAsync(container, "run=1/", pageSize: 2)) all.Add(blob);

        Assert.Equal(3, firstPage.Items.Count);
        Assert.NotNull(firstPage.NextMarker);
        Assert.Equal(names, all.Select(b => b.Name));
        Assert.All(all, b => Assert.StartsWith("\"", b.ETag));
    }

    [Fact]
    public async Task Delete_reports_whether_the_blob_existed_and_honours_if_match()
    {
        var (client, container) = await NewContainerAsync();
        var written = await client.UploadAsync(container, "gone.bin", new byte[] { 1 });
        await client.UploadAsync(container, "gone.bin", new byte[] { 2 });

        var stale = await Assert.ThrowsAsync<BlobStorageException>(() => client.DeleteAsync(container, "gone.bin", BlobConditions.IfMatchETag(written.ETag)));
        Assert.Equal(412, stale.Status);
        Assert.True(await client.DeleteAsync(container, "gone.bin"));
        Assert.False(await client.DeleteAsync(container, "gone.bin"));
        Assert.Null(await client.GetPropertiesAsync(container, "gone.bin"));
    }

    [Fact]
    public async Task Reading_a_missing_blob_throws_BlobNotFound()
    {
        var (client, container) = await NewContainerAsync();

        var error = await Assert.ThrowsAsync<BlobStorageException>(() => client.DownloadAsync(container, "missing.bin"));

        Assert.Equal(404, error.Status);
        Assert.Equal(BlobStorageException.BlobNotFound, error.ErrorCode);
    }

    [Fact]
    public async Task A_staged_upload_is_invisible_until_commit_then_holds_every_byte_in_order()
    {
        var probe = new ConcurrencyProbePolicy(m => m.Request.Uri.Query.Contains("comp=block&", StringComparison.Ordinal));
        var options = new BlobStorageClientOptions { BlockSize = 64 * 1024, MaxConcurrency = 3 };
        options.AddPolicy(probe, HttpPipelinePosition.PerCall);
        var (client, container) = await NewContainerAsync(options);
        var content = RandomNumberGenerator.GetBytes(64 * 1024 * 20 + 12345);

        await using var upload = client.OpenUploadStream(container, "big/part-0.parquet", BlobConditions.IfNotExists);
        // Uneven writes, as a Parquet writer produces them.
        for (var offset = 0; offset < content.Length;)
        {
            var count = Math.Min(content.Length - offset, 7000 + offset % 50000);
            await upload.WriteAsync(content.AsMemory(offset, count));
            offset += count;
        }
        Assert.Null(await client.GetPropertiesAsync(container, "big/part-0.parquet"));
        var committed = await upload.CommitAsync();

        await using var download = await client.DownloadAsync(container, "big/part-0.parquet");
        using var buffer = new MemoryStream();
        await download.Content.CopyToAsync(buffer);
        Assert.Equal(content.Length, committed.ContentLength);
        Assert.True(SHA256.HashData(content).AsSpan().SequenceEqual(SHA256.HashData(buffer.ToArray())));
        Assert.Equal(21, probe.Total);
        Assert.InRange(probe.Peak, 2, 3);
    }

    [Fact]
    public async Task An_abandoned_staged_upload_leaves_nothing_visible()
    {
        var (client, container) = await NewContainerAsync(new BlobStorageClientOptions { BlockSize = 16 * 1024, MaxConcurrency = 2 });

        await using (var upload = client.OpenUploadStream(container, "abandoned.bin"))
        {
            await upload.WriteAsync(RandomNumberGenerator.GetBytes(100_000));
            Assert.True(upload.StagedBlockCount >= 5);
        }

        Assert.Null(await client.GetPropertiesAsync(container, "abandoned.bin"));
        await foreach (var _ in client.GetBlobsAsync(container)) Assert.Fail("an uncommitted blob was listed");
    }

    [Fact]
    public async Task A_small_upload_stream_is_written_with_one_put_blob_and_keeps_its_condition()
    {
        var (client, container) = await NewContainerAsync();
        await client.UploadAsync(container, "small.json", "old"u8.ToArray());

        await using var upload = client.OpenUploadStream(container, "small.json", BlobConditions.IfNotExists);
        await upload.WriteAsync("new"u8.ToArray());
        var error = await Assert.ThrowsAsync<BlobStorageException>(() => upload.CommitAsync());

        Assert.Equal(0, upload.StagedBlockCount);
        Assert.True(error.IsConditionFailure);
    }

    [Fact]
    public async Task Transient_503_answers_are_retried_until_the_write_succeeds()
    {
        var fault = new FaultInjectionPolicy(failures: 2, status: 503, m => m.Request.Method == RequestMethod.Put && !m.Request.Uri.Query.Contains("restype"));
        var options = new BlobStorageClientOptions();
        options.Retry.Delay = TimeSpan.FromMilliseconds(10);
        options.AddPolicy(fault, HttpPipelinePosition.PerRetry);
        var (client, container) = await NewContainerAsync(options);

        await client.UploadAsync(container, "retried.bin", new byte[] { 42 });

        Assert.Equal(3, fault.Attempts);
        Assert.Equal(1, (await client.GetPropertiesAsync(container, "retried.bin"))?.ContentLength);
    }

    [Fact]
    public async Task A_persistent_503_surfaces_as_a_typed_error_after_the_configured_retries()
    {
        var fault = new FaultInjectionPolicy(failures: int.MaxValue, status: 503, m => m.Request.Method == RequestMethod.Put && !m.Request.Uri.Query.Contains("restype"));
        var options = new BlobStorageClientOptions();
        options.Retry.Delay = TimeSpan.FromMilliseconds(5);
        options.Retry.MaxRetries = 2;
        options.AddPolicy(fault, HttpPipelinePosition.PerRetry);
        var (client, container) = await NewContainerAsync(options);

        var error = await Assert.ThrowsAsync<BlobStorageException>(() => client.UploadAsync(container, "never.bin", new byte[] { 1 }));

        Assert.Equal(503, error.Status);
        Assert.Equal("ServerBusy", error.ErrorCode);
        Assert.Equal(3, fault.Attempts);
    }
}

public sealed class BlobStorageClientEntraIdTests
{
    [Fact]
    public async Task Entra_id_sends_a_bearer_token_for_the_storage_scope()
    {
        var credential = new RecordingTokenCredential();
        var options = new BlobStorageClientOptions();
        // Bearer tokens require HTTPS, which Azurite here does not serve: the probe answers instead.
        var seen = AuthorizationProbe.Install(options);
        var client = new BlobStorageClient(new Uri("https://account.blob.core.windows.net/"), StorageCredential.EntraId(credential), options);

        await client.UploadAsync("lake", "x.bin", new byte[] { 1 });

        Assert.Equal([StorageCredential.StorageScope], credential.Scopes);
        Assert.Equal(["Bearer " + RecordingTokenCredential.Token], seen);
    }
}
