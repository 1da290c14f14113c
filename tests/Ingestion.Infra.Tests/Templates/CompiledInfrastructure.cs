using System.Text.Json;
using Ingestion.Testing;

namespace Ingestion.Infra.Tests.Templates;

/// <summary>infra/main.bicep compiled once per test run (xunit collection fixture).</summary>
public sealed class CompiledInfrastructure : IAsyncLifetime
{
    private JsonDocument? document;

    public static string InfraDirectory => Path.Combine(RepositoryPaths.RepositoryRoot, "infra");

    public ArmTemplate Main => new((document ?? throw new InvalidOperationException("not compiled")).RootElement);

    /// <summary>The compiled JSON as text, for scans that must not miss any corner of it.</summary>
    public string Text => (document ?? throw new InvalidOperationException("not compiled")).RootElement.GetRawText();

    public async Task InitializeAsync() =>
        document = await BicepCli.BuildAsync(Path.Combine(InfraDirectory, "main.bicep"));

    public Task DisposeAsync()
    {
        document?.Dispose();
        return Task.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class CompiledInfrastructureCollection : ICollectionFixture<CompiledInfrastructure>
{
    public const string Name = "compiled infra";
}
