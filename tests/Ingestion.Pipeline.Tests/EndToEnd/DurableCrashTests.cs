using System.Diagnostics;
using System.Text;
using Ingestion.DemoServer;
using Ingestion.Durable;
using Ingestion.Testing;
using Ingestion.Testing.StandIns;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Ingestion.Pipeline.Tests.EndToEnd;

/// <summary>
/// The real pipeline on the standalone host (the CLI as a separate process, Azure Storage backend on Azurite): an
/// `export` killed with SIGKILL while its file activities run is continued by a restarted host (`serve`), and the
/// committed lake equals a clean run's, table by table (row count and content hash with DuckDB).
/// </summary>
public sealed class DurableCrashTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(5);
    private readonly string _root = Directory.CreateTempSubdirectory("pipeline-crash-").FullName;
    private readonly string _key = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
    private AzuriteProcess? _azurite;
    private DemoFhirServer? _server;

    public async Task InitializeAsync()
    {
        _azurite = await AzuriteProcess.StartAsync();
        _server = await DemoFhirServer.StartAsync(new DemoServerOptions { Patients = 12, ResourcesPerFile = 40, SpoolDirectory = _root });
    }

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
        if (_azurite is not null) await _azurite.DisposeAsync();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task An_export_killed_during_file_activities_and_continued_by_a_restarted_host_commits_the_same_lake_as_a_clean_run()
    {
        var clean = Path.Combine(_root, "clean");
        var crashed = Path.Combine(_root, "crashed");
        var cleanHub = "clean" + Guid.NewGuid().ToString("N")[..12];
        var crashHub = "crash" + Guid.NewGuid().ToString("N")[..12];

        await using (var run = CliProcess.Start(Environment(cleanHub), Export(clean)))
            Assert.True(await run.WaitForExitAsync(Patience) == 0, run.Output);

        await using (var victim = CliProcess.Start(Environment(crashHub), Export(crashed)))
        {
            await WaitUntilAsync(() => Directory.Exists(Path.Combine(crashed, "omop"))
                && Directory.EnumerateFiles(Path.Combine(crashed, "omop"), "*.parquet", SearchOption.AllDirectories).Any(), victim);
            victim.KillHard();
        }
        Assert.False(Directory.Exists(Path.Combine(crashed, "_runs")), "the run committed before the process was killed");

        await using (var restarted = CliProcess.Start(HostEnvironment(crashHub), "serve", "--lake", crashed, "--urls", $"http://127.0.0.1:{StandInProcess.FreePort()}", "--insecure-local"))
        {
            var run = await WaitForRunAsync(crashHub, restarted);
            if (run.RuntimeStatus != OrchestrationRuntimeStatus.Completed || !Directory.Exists(Path.Combine(crashed, "_runs")))
            {
                // The run catalog says why, file by file.
                await using var status = CliProcess.Start(Environment(crashHub), "status", run.InstanceId, "--lake", crashed);
                await status.WaitForExitAsync(TimeSpan.FromMinutes(2));
                Assert.Fail($"{run.RuntimeStatus}: {run.FailureDetails} {run.SerializedOutput}\n{status.Output}\n{restarted.Output}");
            }
        }

        var expected = await TablesAsync(clean);
        var actual = await TablesAsync(crashed);
        Assert.NotEmpty(expected);
        Assert.Equal(expected, actual);
    }

    private string[] Export(string lake) =>
        ["export", "--fhir-base", _server!.BaseUrl.ToString(), "--lake", lake, "--allow-insecure-http", "--allow-private-network", "--parallelism", "1"];

    /// <summary>`serve` has no per-source flags: its configuration allows the loopback demo server (`export` passes flags).</summary>
    private Dictionary<string, string> HostEnvironment(string hub) => new(Environment(hub))
    {
        ["Fhir__AllowInsecureHttp"] = "true",
        ["Fhir__AllowPrivateNetwork"] = "true",
    };

    private Dictionary<string, string> Environment(string hub) => new()
    {
        ["Deid__Key"] = _key,
        ["Durable__StorageConnection"] = _azurite!.ConnectionString,
        ["Durable__TaskHubName"] = hub,
        ["Durable__PartitionCount"] = "2",
        ["Durable__MaxQueuePollingInterval"] = "00:00:01",
        // A killed process's leases and messages come back within seconds instead of minutes.
        ["Durable__LeaseInterval"] = "00:00:06",
        ["Durable__MessageVisibilityTimeout"] = "00:00:08",
    };

    /// <summary>Waits until the task hub's export run (and every sub-orchestration) has finished.</summary>
    private async Task<OrchestrationMetadata> WaitForRunAsync(string hub, CliProcess host)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(Environment(hub).Where(e => e.Key.StartsWith("Durable__", StringComparison.Ordinal))
                .Select(e => new KeyValuePair<string, string?>(e.Key.Replace("__", ":"), e.Value)))
            .Build();
        await using var services = new ServiceCollection().AddLogging()
            .AddDurableTaskFrameworkClient(configuration.GetSection(DurableHostOptions.SectionName))
            .BuildServiceProvider();
        var client = services.GetRequiredService<DurableTaskClient>();
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            var instances = new List<OrchestrationMetadata>();
            await foreach (var instance in client.GetAllInstancesAsync(new OrchestrationQuery())) instances.Add(instance);
            var top = instances.Where(i => !i.InstanceId.Contains(':')).ToList();
            if (top.Count == 1 && top[0].IsCompleted) return (await client.GetInstanceAsync(top[0].InstanceId, getInputsAndOutputs: true))!;
            await Task.Delay(500);
        }
        throw new TimeoutException($"The run did not finish after the restart.\n{host.Output}");
    }

    /// <summary>Per OMOP table of the lake's committed run: row count and an order-independent content hash (without the
    /// run=... folder, which names a different run id in each lake).</summary>
    private static async Task<SortedDictionary<string, string>> TablesAsync(string lake)
    {
        var manifest = Directory.GetFiles(Path.Combine(lake, "_runs"), "manifest.json", SearchOption.AllDirectories).Single();
        var runId = Path.GetFileName(Path.GetDirectoryName(manifest)!);
        var tables = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var table in Directory.GetDirectories(Path.Combine(lake, "omop")))
        {
            var parts = Path.Combine(table, $"run={runId}", "*.parquet");
            if (!Directory.Exists(Path.GetDirectoryName(parts))) continue;
            var result = await DuckDb.QueryAsync(
                $"SELECT count(*)::VARCHAR || ' rows, hash ' || coalesce(sum(hash(t)::HUGEINT), 0)::VARCHAR FROM read_parquet({DuckDb.Literal(parts)}, hive_partitioning = false) t");
            tables[Path.GetFileName(table)] = result.Scalar.GetString()!;
        }
        return tables;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, CliProcess process)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (process.HasExited) throw new InvalidOperationException($"The export ended before the crash point:\n{process.Output}");
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"The export never reached its file activities:\n{process.Output}");
            await Task.Delay(20);
        }
    }

    /// <summary>The CLI (Ingestion.Cli.dll beside the tests) as a separate process, stopped by its PID.</summary>
    private sealed class CliProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();

        private CliProcess(Process process) => _process = process;

        public bool HasExited => _process.HasExited;

        public string Output { get { lock (_output) return _output.ToString(); } }

        public static CliProcess Start(IReadOnlyDictionary<string, string> environment, params string[] args)
        {
            var psi = new ProcessStartInfo(System.Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Ingestion.Cli.dll"));
            foreach (var a in args) psi.ArgumentList.Add(a);
            foreach (var (name, value) in environment) psi.Environment[name] = value;
            psi.Environment["COLUMNS"] = "200";
            var cli = new CliProcess(new Process { StartInfo = psi });
            cli._process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (cli._output) cli._output.AppendLine(e.Data); };
            cli._process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (cli._output) cli._output.AppendLine(e.Data); };
            cli._process.Start();
            cli._process.BeginOutputReadLine();
            cli._process.BeginErrorReadLine();
            return cli;
        }

        public async Task<int> WaitForExitAsync(TimeSpan timeout)
        {
            using var cancel = new CancellationTokenSource(timeout);
            await _process.WaitForExitAsync(cancel.Token);
            return _process.ExitCode;
        }

        /// <summary>SIGKILL, what `kill -9` sends: no shutdown code runs.</summary>
        public void KillHard()
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        public ValueTask DisposeAsync() => ProcessStop.KillAndDisposeAsync(_process);
    }
}
