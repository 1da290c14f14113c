using System.Text;
using Ingestion.Storage.Embedded;

namespace Ingestion.Storage.Tests;

public sealed class FileSystemLakeTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly FileSystemLake _lake;

    public FileSystemLakeTests() => _lake = new FileSystemLake(new FileSystemLakeOptions { RootPath = _folder.Path });

    [Fact]
    public async Task An_upload_is_invisible_until_committed_and_discarded_when_abandoned()
    {
        await using (var abandoned = await _lake.StartUploadAsync("omop/person/run=1/part-0.parquet"))
        {
            await abandoned.Content.WriteAsync(Encoding.UTF8.GetBytes("partial"));
        }
        Assert.Null(await _lake.GetAsync("omop/person/run=1/part-0.parquet"));

        await using var upload = await _lake.StartUploadAsync("omop/person/run=1/part-0.parquet");
        await upload.Content.WriteAsync(Encoding.UTF8.GetBytes("whole file"));
        Assert.Empty(await _lake.ListAsync("omop/").ToListAsync());
        var item = await upload.CommitAsync();

        Assert.Equal(10, item.Length);
        Assert.Equal(["omop/person/run=1/part-0.parquet"], await _lake.ListAsync("omop/person/").Select(i => i.Path).ToListAsync());
        Assert.Empty(Directory.GetFiles(Path.Combine(_folder.Path, ".tmp")));
    }

    [Fact]
    public async Task Conditional_writes_refuse_to_overwrite_or_to_replace_a_changed_object()
    {
        var first = await _lake.WriteAsync("_runs/r1/manifest.json", "{}"u8.ToArray(), LakeWriteCondition.NotExists);

        await Assert.ThrowsAsync<LakeConditionFailedException>(() => _lake.WriteAsync("_runs/r1/manifest.json", "{\"x\":1}"u8.ToArray(), LakeWriteCondition.NotExists));
        var second = await _lake.WriteAsync("_runs/r1/manifest.json", "{\"x\":2}"u8.ToArray(), LakeWriteCondition.Matches(first.ETag));
        await Assert.ThrowsAsync<LakeConditionFailedException>(() => _lake.WriteAsync("_runs/r1/manifest.json", "{\"x\":3}"u8.ToArray(), LakeWriteCondition.Matches(first.ETag)));

        using var reader = new StreamReader(await _lake.OpenReadAsync("_runs/r1/manifest.json"));
        Assert.Equal("{\"x\":2}", await reader.ReadToEndAsync());
        Assert.NotEqual(first.ETag, second.ETag);
    }

    [Theory]
    [InlineData("../outside.txt")]
    [InlineData("/etc/passwd")]
    [InlineData("a//b")]
    [InlineData("a/./b")]
    [InlineData(".tmp/x")]
    public async Task Paths_that_could_escape_the_lake_are_rejected(string path)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _lake.WriteAsync(path, "x"u8.ToArray()));
    }

    [Fact]
    public async Task Reading_or_deleting_a_missing_object_says_so()
    {
        await Assert.ThrowsAsync<LakeItemNotFoundException>(() => _lake.OpenReadAsync("reports/none.json"));
        Assert.False(await _lake.DeleteAsync("reports/none.json"));
    }

    public void Dispose() => _folder.Dispose();
}
