using System.Security.Cryptography;
using System.Text;
using Ingestion.Storage;

namespace Ingestion.Azure.Tests.Contracts;

/// <summary>The staging → commit semantics every <see cref="ILake"/> owes the pipeline.</summary>
public abstract class LakeContract
{
    protected abstract Task<ILake> CreateLakeAsync();

    private static async Task<byte[]> ReadAllAsync(ILake lake, string path)
    {
        await using var stream = await lake.OpenReadAsync(path);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    [Fact]
    public async Task A_written_object_reads_back_with_its_length_and_etag()
    {
        var lake = await CreateLakeAsync();
        var content = Encoding.UTF8.GetBytes("""{"run":"r1"}""");

        var item = await lake.WriteAsync("manifests/run=r1/manifest.json", content);
        var properties = await lake.GetAsync("manifests/run=r1/manifest.json");

        Assert.Equal(content, await ReadAllAsync(lake, "manifests/run=r1/manifest.json"));
        Assert.Equal("manifests/run=r1/manifest.json", item.Path);
        Assert.Equal(content.Length, properties?.Length);
        Assert.Equal(item.ETag, properties?.ETag);
    }

    [Fact]
    public async Task An_upload_is_invisible_until_commit()
    {
        var lake = await CreateLakeAsync();
        var content = RandomNumberGenerator.GetBytes(300_000);

        await using var upload = await lake.StartUploadAsync("omop/person/run=r1/part-0001.parquet");
        await upload.Content.WriteAsync(content);
        Assert.Null(await lake.GetAsync("omop/person/run=r1/part-0001.parquet"));
        var item = await upload.CommitAsync();

        Assert.Equal(content.Length, item.Length);
        Assert.Equal(content, await ReadAllAsync(lake, "omop/person/run=r1/part-0001.parquet"));
    }

    [Fact]
    public async Task An_upload_disposed_without_commit_leaves_nothing()
    {
        var lake = await CreateLakeAsync();

        await using (var upload = await lake.StartUploadAsync("omop/person/run=r1/abandoned.parquet"))
            await upload.Content.WriteAsync(RandomNumberGenerator.GetBytes(200_000));

        Assert.Null(await lake.GetAsync("omop/person/run=r1/abandoned.parquet"));
        await foreach (var item in lake.ListAsync("omop/")) Assert.Fail($"unexpected {item.Path}");
    }

    [Fact]
    public async Task If_not_exists_refuses_an_existing_object_for_writes_and_uploads()
    {
        var lake = await CreateLakeAsync();
        await lake.WriteAsync("manifest.json", "first"u8.ToArray(), LakeWriteCondition.NotExists);

        await Assert.ThrowsAsync<LakeConditionFailedException>(() => lake.WriteAsync("manifest.json", "second"u8.ToArray(), LakeWriteCondition.NotExists));
        await using var upload = await lake.StartUploadAsync("manifest.json", LakeWriteCondition.NotExists);
        await upload.Content.WriteAsync("third"u8.ToArray());
        await Assert.ThrowsAsync<LakeConditionFailedException>(() => upload.CommitAsync());

        Assert.Equal("first"u8.ToArray(), await ReadAllAsync(lake, "manifest.json"));
    }

    [Fact]
    public async Task A_write_conditioned_on_a_stale_etag_fails_and_on_the_current_one_succeeds()
    {
        var lake = await CreateLakeAsync();
        var first = await lake.WriteAsync("state.json", "1"u8.ToArray());
        var second = await lake.WriteAsync("state.json", "2"u8.ToArray(), LakeWriteCondition.Matches(first.ETag));

        await Assert.ThrowsAsync<LakeConditionFailedException>(() => lake.WriteAsync("state.json", "3"u8.ToArray(), LakeWriteCondition.Matches(first.ETag)));
        await lake.WriteAsync("state.json", "4"u8.ToArray(), LakeWriteCondition.Matches(second.ETag));

        Assert.Equal("4"u8.ToArray(), await ReadAllAsync(lake, "state.json"));
    }

    [Fact]
    public async Task Listing_returns_the_prefix_s_objects_in_ordinal_path_order()
    {
        var lake = await CreateLakeAsync();
        foreach (var path in new[] { "omop/person/b.parquet", "omop/person/a.parquet", "omop/person/B.parquet", "omop/visit/a.parquet", "omop/person-x/a.parquet" })
            await lake.WriteAsync(path, "x"u8.ToArray());

        var listed = new List<string>();
        await foreach (var item in lake.ListAsync("omop/person/")) listed.Add(item.Path);

        Assert.Equal(["omop/person/B.parquet", "omop/person/a.parquet", "omop/person/b.parquet"], listed);
    }

    [Fact]
    public async Task Of_two_uploads_racing_to_commit_the_same_manifest_exactly_one_wins()
    {
        var lake = await CreateLakeAsync();
        await using var first = await lake.StartUploadAsync("manifests/run=r1/manifest.json", LakeWriteCondition.NotExists);
        await using var second = await lake.StartUploadAsync("manifests/run=r1/manifest.json", LakeWriteCondition.NotExists);
        await first.Content.WriteAsync(RandomNumberGenerator.GetBytes(150_000));
        await second.Content.WriteAsync(RandomNumberGenerator.GetBytes(150_000));

        var outcomes = await Task.WhenAll(CommitOutcomeAsync(first), CommitOutcomeAsync(second));

        Assert.Single(outcomes, o => o is LakeItem);
        Assert.Single(outcomes, o => o is LakeConditionFailedException);
        var winner = (LakeItem)outcomes.Single(o => o is LakeItem);
        Assert.Equal(winner.ETag, (await lake.GetAsync("manifests/run=r1/manifest.json"))!.ETag);
    }

    private static async Task<object> CommitOutcomeAsync(ILakeUpload upload)
    {
        try
        {
            return await upload.CommitAsync();
        }
        catch (LakeConditionFailedException ex)
        {
            return ex;
        }
    }

    [Fact]
    public async Task Listing_a_run_s_folder_returns_that_run_only()
    {
        var lake = await CreateLakeAsync();
        foreach (var path in new[] { "omop/person/run=r1/part-0.parquet", "omop/person/run=r1/part-1.parquet", "omop/person/run=r10/part-0.parquet", "omop/visit_occurrence/run=r1/part-0.parquet" })
            await lake.WriteAsync(path, "x"u8.ToArray());

        var listed = new List<string>();
        await foreach (var item in lake.ListAsync("omop/person/run=r1/")) listed.Add(item.Path);

        Assert.Equal(["omop/person/run=r1/part-0.parquet", "omop/person/run=r1/part-1.parquet"], listed);
    }

    [Theory]
    [InlineData("omop/note/run=r1/clinic notes part 1.parquet")]
    [InlineData("omop/care_site/run=r1/Zürich–Ünterstraß 東京 🏥.parquet")]
    [InlineData("quarantine/run=r1/Patient#1 & more + 100%.ndjson")]
    public async Task Names_with_spaces_unicode_and_reserved_url_characters_round_trip(string path)
    {
        var lake = await CreateLakeAsync();
        var content = RandomNumberGenerator.GetBytes(100_000);

        await using (var upload = await lake.StartUploadAsync(path))
        {
            await upload.Content.WriteAsync(content);
            await upload.CommitAsync();
        }
        var listed = new List<string>();
        await foreach (var item in lake.ListAsync(path[..(path.LastIndexOf('/') + 1)])) listed.Add(item.Path);

        Assert.Equal([path], listed);
        Assert.Equal(content, await ReadAllAsync(lake, path));
        Assert.Equal(content.Length, (await lake.GetAsync(path))?.Length);
        Assert.True(await lake.DeleteAsync(path));
    }

    [Fact]
    public async Task Delete_reports_whether_the_object_existed()
    {
        var lake = await CreateLakeAsync();
        await lake.WriteAsync("tmp/x.bin", new byte[] { 1 });

        Assert.True(await lake.DeleteAsync("tmp/x.bin"));
        Assert.False(await lake.DeleteAsync("tmp/x.bin"));
        Assert.Null(await lake.GetAsync("tmp/x.bin"));
    }

    [Fact]
    public async Task Reading_a_missing_object_throws_not_found_naming_the_path()
    {
        var lake = await CreateLakeAsync();

        var error = await Assert.ThrowsAsync<LakeItemNotFoundException>(() => lake.OpenReadAsync("missing/x.parquet"));

        Assert.Equal("missing/x.parquet", error.Path);
    }
}
