using Azure.Storage.Blobs;
using Ingestion.Azure.Lake;
using Ingestion.Azure.Tests.Fixtures;
using Ingestion.Storage;
using Ingestion.Testing.StandIns;

namespace Ingestion.Azure.Tests.Lake;

[Collection(AzuriteCollection.Name)]
public sealed class BlobLakeTests(AzuriteFixture azurite)
{
    private async Task<BlobLake> LakeAsync(int blockSize = 64 * 1024)
    {
        var lake = new BlobLake(azurite.CreateBlobService(), new BlobLakeOptions { Container = AzuriteFixture.UniqueName("lake"), BlockSizeBytes = blockSize, MaxConcurrency = 2 });
        await lake.EnsureContainerAsync();
        return lake;
    }

    [Fact]
    public async Task An_abandoned_multi_block_upload_commits_nothing_even_after_all_its_bytes_were_written()
    {
        var lake = await LakeAsync();

        await using (var upload = await lake.StartUploadAsync("omop/person/run=r1/part-0.parquet"))
        {
            for (var i = 0; i < 10; i++) await upload.Content.WriteAsync(new byte[64 * 1024]);
            await Task.Delay(200); // let the SDK stage what it has
        }

        Assert.Null(await lake.GetAsync("omop/person/run=r1/part-0.parquet"));
    }

    [Fact]
    public async Task A_part_committed_twice_is_refused_the_second_time()
    {
        var lake = await LakeAsync();
        await using var upload = await lake.StartUploadAsync("a.parquet");
        await upload.Content.WriteAsync(new byte[10]);
        await upload.CommitAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => upload.CommitAsync());
    }

    [Fact]
    public async Task Writing_to_a_lake_whose_container_is_missing_fails_the_writer_and_the_commit()
    {
        var lake = new BlobLake(azurite.CreateBlobService(), new BlobLakeOptions { Container = AzuriteFixture.UniqueName("absent"), BlockSizeBytes = 64 * 1024, MaxConcurrency = 2 });
        await using var upload = await lake.StartUploadAsync("a.parquet");

        var failure = await Record.ExceptionAsync(async () =>
        {
            for (var i = 0; i < 100; i++) await upload.Content.WriteAsync(new byte[64 * 1024]);
            await upload.CommitAsync();
        });

        Assert.NotNull(failure);
        Assert.IsNotType<LakeConditionFailedException>(failure);
    }

    [Fact]
    public async Task The_location_names_the_container_and_prefix_without_any_key()
    {
        var lake = new BlobLake(azurite.CreateBlobService(), new BlobLakeOptions { Container = "lake", Prefix = "/omop/" });

        Assert.Equal(azurite.Azurite.BlobEndpoint.AbsoluteUri + "lake/omop/", lake.Location);
        Assert.DoesNotContain(AzuriteProcess.AccountKey, lake.Location);
    }

    [Theory]
    [InlineData("/absolute")]
    [InlineData("a//b")]
    [InlineData("trailing/")]
    [InlineData("./a")]
    [InlineData("a/../b")]
    [InlineData("..")]
    public async Task Invalid_lake_paths_are_refused_before_any_request(string path)
    {
        // Port 1: any request would fail differently; the path rule answers first.
        var lake = new BlobLake(new BlobServiceClient(new Uri("http://127.0.0.1:1/account/")), new BlobLakeOptions());

        await Assert.ThrowsAsync<ArgumentException>(() => lake.WriteAsync(path, new byte[] { 1 }));
        await Assert.ThrowsAsync<ArgumentException>(() => lake.StartUploadAsync(path));
        await Assert.ThrowsAsync<ArgumentException>(() => lake.DeleteAsync(path));
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("True", true)]
    [InlineData("false", false)]
    [InlineData(null, false)]
    public void Directory_entries_of_a_hierarchical_namespace_account_are_not_lake_objects(string? isFolder, bool directory)
    {
        var metadata = isFolder is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["hdi_isfolder"] = isFolder };

        Assert.Equal(directory, HierarchicalNamespace.IsDirectory(metadata));
    }
}
