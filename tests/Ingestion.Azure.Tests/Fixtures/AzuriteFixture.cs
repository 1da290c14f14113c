using Azure.Storage.Blobs;
using Ingestion.Testing.StandIns;

namespace Ingestion.Azure.Tests.Fixtures;

/// <summary>One Azurite per test collection, on free ports, stopped by PID at the end.</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private AzuriteProcess? _azurite;

    public AzuriteProcess Azurite => _azurite ?? throw new InvalidOperationException("Azurite is not started.");

    public async Task InitializeAsync() => _azurite = await AzuriteProcess.StartAsync();

    public async Task DisposeAsync()
    {
        if (_azurite is not null) await _azurite.DisposeAsync();
    }

    /// <summary>The SDK's service client on this Azurite (connection strings are for stand-ins only).</summary>
    public BlobServiceClient CreateBlobService() => new(Azurite.ConnectionString);

    /// <summary>A fresh, valid container name.</summary>
    public static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 33, 63)];
}

[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}
