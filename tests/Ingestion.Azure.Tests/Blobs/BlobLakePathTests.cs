using Ingestion.Azure.Blobs;
using Ingestion.Azure.Storage;
using Ingestion.Testing.StandIns;

namespace Ingestion.Azure.Tests.Blobs;

/// <summary>Lake paths are checked before any request is made, so no server is needed here.</summary>
public sealed class BlobLakePathTests
{
    private static readonly BlobLake Lake = new(
        new BlobStorageClient(new Uri("http://127.0.0.1:1/account/"), StorageCredential.SharedKey(AzuriteProcess.AccountName, AzuriteProcess.AccountKey)),
        "lake");

    [Theory]
    [InlineData("/absolute")]
    [InlineData("a//b")]
    [InlineData("trailing/")]
    [InlineData("./a")]
    [InlineData("a/../b")]
    [InlineData("..")]
    public async Task Invalid_lake_paths_are_refused_before_any_request(string path)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Lake.WriteAsync(path, new byte[] { 1 }));
        await Assert.ThrowsAsync<ArgumentException>(() => Lake.DeleteAsync(path));
    }
}
