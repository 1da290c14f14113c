using Ingestion.Azure.Blobs;
using Ingestion.Azure.Tests.Fixtures;
using Ingestion.Storage;
using Ingestion.Storage.Embedded;

namespace Ingestion.Azure.Tests.Contracts;

public sealed class FileSystemLakeContractTests : LakeContract, IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("ingestion-lake-contract-").FullName;

    protected override Task<ILake> CreateLakeAsync() =>
        Task.FromResult<ILake>(new FileSystemLake(new FileSystemLakeOptions { RootPath = Path.Combine(_root, Guid.NewGuid().ToString("N")) }));

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}

[Collection(AzuriteCollection.Name)]
public sealed class BlobLakeContractTests(AzuriteFixture azurite) : LakeContract
{
    protected override async Task<ILake> CreateLakeAsync()
    {
        // Small blocks so the contract's uploads really go through staged blocks and Put Block List.
        var client = azurite.CreateBlobClient(new BlobStorageClientOptions { BlockSize = 64 * 1024, MaxConcurrency = 2 });
        var lake = new BlobLake(client, AzuriteFixture.UniqueName("lake"), "tenant-a");
        await lake.EnsureContainerAsync();
        return lake;
    }
}
