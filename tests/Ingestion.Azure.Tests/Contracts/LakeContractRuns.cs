using Ingestion.Azure.Lake;
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
        var lake = new BlobLake(azurite.CreateBlobService(),
            new BlobLakeOptions { Container = AzuriteFixture.UniqueName("lake"), Prefix = "tenant-a", BlockSizeBytes = 64 * 1024, MaxConcurrency = 2 });
        await lake.EnsureContainerAsync();
        return lake;
    }
}
