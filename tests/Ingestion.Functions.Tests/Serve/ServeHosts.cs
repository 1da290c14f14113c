using System.Security.Cryptography;
using Ingestion.Serve;
using Ingestion.Testing;
using Ingestion.Testing.StandIns;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace Ingestion.Functions.Tests.Serve;

/// <summary>A running serve for the contract tests: where it listens, its key, and the loopback EHR its source points at.</summary>
public abstract class ServeHost : IAsyncLifetime
{
    public const string ApiKey = "contract-api-key-0123456789abcdefghijklmnop";

    protected string Folder { get; } = Directory.CreateTempSubdirectory("serve-contract-").FullName;
    internal LoopbackEhr Ehr { get; } = new();
    public int Port { get; } = StandInProcess.FreePort();
    public Uri BaseUrl => new($"http://127.0.0.1:{Port}");

    /// <summary>The settings both hosts get, as environment-style names (Section__Key).</summary>
    protected IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Serve__ApiKey"] = ApiKey,
        ["Sources__ehr1__FhirBaseUrl"] = Ehr.BaseUrl.ToString(),
        ["Storage__LakePath"] = Path.Combine(Folder, "lake"),
        ["Deid__Key"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
    };

    public abstract Task InitializeAsync();

    protected abstract Task StopAsync();

    public async Task DisposeAsync()
    {
        await StopAsync();
        await Ehr.DisposeAsync();
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}

/// <summary>serve built in this process (ServeApp) on a real 127.0.0.1 socket.</summary>
public sealed class InProcessServe : ServeHost
{
    private WebApplication? _app;

    public override async Task InitializeAsync()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Settings.ToDictionary(s => s.Key.Replace("__", ":", StringComparison.Ordinal), s => (string?)s.Value)).Build();
        var options = configuration.GetSection(ServeOptions.SectionName).Get<ServeOptions>()!;
        options.Urls = BaseUrl.ToString().TrimEnd('/');
        _app = ServeApp.Build(configuration, options);
        await _app.StartAsync();
    }

    protected override async Task StopAsync()
    {
        if (_app is null) return;
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>
/// The built CLI's <c>serve</c> as its own process (<c>dotnet Ingestion.Cli.dll serve --urls …</c>, settings from its
/// environment), started on a free loopback port and stopped by its PID.
/// </summary>
public sealed class ServeProcess : ServeHost
{
    private StandInProcess? _process;

    public override async Task InitializeAsync()
    {
        // The CLI is built with the tests (a build-order reference), in the same configuration.
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var cli = Path.Combine(RepositoryPaths.RepositoryRoot, "functions", "Ingestion.Cli", "bin", configuration, "net10.0", "Ingestion.Cli.dll");
        if (!File.Exists(cli)) throw new InvalidOperationException($"The CLI is not built at {cli}.");
        _process = await StandInProcess.StartAsync("serve", "dotnet", [cli, "serve", "--urls", BaseUrl.ToString().TrimEnd('/')], [Port], Settings, TimeSpan.FromSeconds(90));
    }

    protected override async Task StopAsync()
    {
        if (_process is not null) await _process.DisposeAsync();
    }
}
