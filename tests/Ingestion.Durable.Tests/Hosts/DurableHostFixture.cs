using Ingestion.Durable.Tests.Orchestrations;
using Ingestion.Testing.StandIns;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ingestion.Durable.Tests.Hosts;

/// <summary>
/// A running host built exactly as the CLI and <c>serve</c> build theirs (<c>AddDurableTaskFrameworkHost</c>),
/// with the test orchestrations registered.
/// </summary>
public abstract class DurableHostFixture : IAsyncLifetime
{
    private IHost? _host;

    public DurableTaskClient Client => _host?.Services.GetRequiredService<DurableTaskClient>()
        ?? throw new InvalidOperationException("The host is not started.");

    public ActivityLedger Ledger => _host!.Services.GetRequiredService<ActivityLedger>();

    protected abstract Task<Action<DurableHostOptions>> PrepareAsync();

    public async Task InitializeAsync()
    {
        var configure = await PrepareAsync();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton<ActivityLedger>();
        builder.Services.AddDurableTaskFrameworkHost(configure, TestTaskRegistry.Register);
        _host = builder.Build();
        await _host.StartAsync();
    }

    public virtual async Task DisposeAsync()
    {
        if (_host is null) return;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _host.StopAsync(stop.Token);
        _host.Dispose();
    }
}

public sealed class InMemoryHostFixture : DurableHostFixture
{
    protected override Task<Action<DurableHostOptions>> PrepareAsync() =>
        Task.FromResult<Action<DurableHostOptions>>(o => o.Backend = DurableBackend.InMemory);
}

/// <summary>The Azure Storage backend against an Azurite this fixture starts on 127.0.0.1 (and stops by PID).</summary>
public sealed class AzuriteHostFixture : DurableHostFixture
{
    private AzuriteProcess? _azurite;

    protected override async Task<Action<DurableHostOptions>> PrepareAsync()
    {
        _azurite = await AzuriteProcess.StartAsync();
        var connection = _azurite.ConnectionString;
        return o =>
        {
            o.StorageConnection = connection;
            o.TaskHubName = TaskHubNames.Unique();
            o.PartitionCount = 2;
            o.MaxQueuePollingInterval = TimeSpan.FromSeconds(1);
        };
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_azurite is not null) await _azurite.DisposeAsync();
    }
}

public static class TaskHubNames
{
    /// <summary>A fresh task hub name (letters and digits, starts with a letter, at most 45 characters).</summary>
    public static string Unique() => "test" + Guid.NewGuid().ToString("N")[..16];
}
