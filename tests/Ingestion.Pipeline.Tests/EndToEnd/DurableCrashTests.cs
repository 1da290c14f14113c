using System.Diagnostics;
using System.Text;
using Ingestion.DemoServer;
using Ingestion.Durable;
using Ingestion.Testing;
using Ingestion.Testing.StandIns;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Ingestion.Storage.Catalog;
using Ingestion.Storage.Embedded;

namespace Ingestion.Pipeline.Tests.EndToEnd;

/// <summary>
/// The real pipeline on the standalone host (the CLI as separate processes, Azure Storage backend on Azurite): an
/// `export` killed with SIGKILL while it polls the server, while its file activities run, or while it publishes is
/// continued by a restarted host (`serve`); the committed lake then equals a clean run's, table by table (row count
/// and content hash with DuckDB), the source's watermark advanced once, and every `RunCompleted` event carries the one
/// deterministic message id. Two worker processes on one task hub and one lake commit the same lake as one worker.
/// One Azurite, one demo server and one clean run serve all tests of the class.
/// </summary>
public sealed class DurableCrashTests(DurableCrashTests.Stage stage) : IClassFixture<DurableCrashTests.Stage>
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(5);

    /// <summary>Azurite, the demo server (each export stays "in progress" a few seconds, so a run can be killed while it polls) and the clean run.</summary>
    public sealed class Stage : IAsyncLifetime
    {
        private readonly SemaphoreSlim _cleanOnce = new(1, 1);
        private SortedDictionary<string, string>? _clean;

        public string Root { get; } = Directory.CreateTempSubdirectory("pipeline-crash-").FullName;
        public string Key { get; } = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        public AzuriteProcess Azurite { get; private set; } = null!;
        public DemoFhirServer Server { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Azurite = await AzuriteProcess.StartAsync();
            Server = await DemoFhirServer.StartAsync(new DemoServerOptions
            {
                Patients = 12, ResourcesPerFile = 40, SpoolDirectory = Root, ExportDelay = TimeSpan.FromSeconds(5),
            });
        }

        /// <summary>The tables of an uninterrupted one-worker run (computed by the first test that asks).</summary>
        public async Task<SortedDictionary<string, string>> CleanTablesAsync(DurableCrashTests test)
        {
            await _cleanOnce.WaitAsync();
            try
            {
                if (_clean is not null) return _clean;
                var lake = Path.Combine(Root, "clean");
                var hub = "clean" + Guid.NewGuid().ToString("N")[..12];
                await using (var run = CliProcess.Start(test.Environment(hub), test.Export(lake)))
                    Assert.True(await run.WaitForExitAsync(Patience) == 0, run.Output);
                _clean = await TablesAsync(lake);
                Assert.NotEmpty(_clean);
                return _clean;
            }
            finally
            {
                _cleanOnce.Release();
            }
        }

        public async Task DisposeAsync()
        {
            if (Server is not null) await Server.DisposeAsync();
            if (Azurite is not null) await Azurite.DisposeAsync();
            try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
        }
    }

    [Fact]
    public async Task An_export_killed_while_polling_the_server_and_continued_by_a_restarted_host_commits_the_same_lake_as_a_clean_run()
    {
        var expected = await stage.CleanTablesAsync(this);
        var (lake, hub) = NewLake("poll");
        var kickOffs = stage.Server.KickOffCount;

        await using (var victim = CliProcess.Start(Environment(hub), Export(lake)))
        {
            // The server keeps the export "in progress" for 5 s after kick-off: 1.5 s after it the run is between polls.
            await WaitUntilAsync(() => stage.Server.KickOffCount > kickOffs, victim);
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            Assert.False(victim.HasExited, victim.Output);
            victim.KillHard();
        }
        Assert.False(Directory.Exists(Path.Combine(lake, "omop")), "files were processed before the process was killed");

        var runId = await RestartAndWaitAsync(hub, lake);

        Assert.Equal(kickOffs + 1, stage.Server.KickOffCount); // the restarted run polled the recorded export, no second kick-off
        await AssertCommittedOnceAsync(expected, hub, lake, runId);
    }

    [Fact]
    public async Task An_export_killed_during_file_activities_and_continued_by_a_restarted_host_commits_the_same_lake_as_a_clean_run()
    {
        var expected = await stage.CleanTablesAsync(this);
        var (lake, hub) = NewLake("files");

        await using (var victim = CliProcess.Start(Environment(hub), Export(lake)))
        {
            await WaitUntilAsync(() => Directory.Exists(Path.Combine(lake, "omop"))
                && Directory.EnumerateFiles(Path.Combine(lake, "omop"), "*.parquet", SearchOption.AllDirectories).Any(), victim);
            victim.KillHard();
        }
        Assert.False(Directory.Exists(Path.Combine(lake, "_runs")), "the run committed before the process was killed");

        var runId = await RestartAndWaitAsync(hub, lake);

        await AssertCommittedOnceAsync(expected, hub, lake, runId);
    }

    [Fact]
    public async Task An_export_killed_while_publishing_and_continued_by_a_restarted_host_commits_the_same_lake_as_a_clean_run()
    {
        var expected = await stage.CleanTablesAsync(this);
        var (lake, hub) = NewLake("publish");
        string? blocker = null;

        await using (var victim = CliProcess.Start(Environment(hub), Export(lake)))
        {
            // As soon as the run's first part names its run id, a plain file where the run's commit folder goes makes
            // the manifest write fail (and the publish step retry) until the test removes it: the run cannot commit.
            await WaitUntilAsync(() => (blocker = BlockCommit(lake)) is not null, victim);
            // The report is written right before the manifest: publish has started and cannot finish.
            await WaitUntilAsync(() => Directory.Exists(Path.Combine(lake, "reports"))
                && Directory.EnumerateFiles(Path.Combine(lake, "reports"), "report.json", SearchOption.AllDirectories).Any(), victim);
            victim.KillHard();
        }
        Assert.False(File.Exists(Path.Combine(blocker!, "manifest.json")));
        File.Delete(blocker!);

        var runId = await RestartAndWaitAsync(hub, lake);

        await AssertCommittedOnceAsync(expected, hub, lake, runId);
    }

    [Fact]
    public async Task Two_worker_processes_on_one_task_hub_and_one_lake_commit_every_file_once_and_the_same_lake_as_one_worker()
    {
        var expected = await stage.CleanTablesAsync(this);
        var (lake, hub) = NewLake("two");
        // Each process runs at most two activities at a time, so the run's four files in flight need both.
        var environment = new Dictionary<string, string>(Environment(hub)) { ["Durable__MaxConcurrentActivities"] = "2" };

        await using (var second = CliProcess.Start(new Dictionary<string, string>(HostEnvironment(hub)) { ["Durable__MaxConcurrentActivities"] = "2" },
            "serve", "--lake", lake, "--urls", $"http://127.0.0.1:{StandInProcess.FreePort()}", "--insecure-local"))
        await using (var first = CliProcess.Start(environment, [.. Export(lake).SkipLast(2), "--parallelism", "4"]))
            Assert.True(await first.WaitForExitAsync(Patience) == 0, first.Output + "\n" + second.Output);
        var runId = Directory.GetDirectories(Path.Combine(lake, "_runs")).Select(Path.GetFileName).Single()!;

        await AssertCommittedOnceAsync(expected, hub, lake, runId);
        var manifest = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(lake, "_runs", runId, "manifest.json")));
        var parts = manifest.RootElement.GetProperty("tables").EnumerateObject()
            .SelectMany(t => t.Value.GetProperty("files").EnumerateArray().Select(p => p.GetProperty("path").GetString())).ToList();
        Assert.Equal(parts.Count, parts.Distinct().Count());
    }

    private string[] Export(string lake) =>
        ["export", "--fhir-base", stage.Server.BaseUrl.ToString(), "--lake", lake, "--allow-insecure-http", "--allow-private-network", "--parallelism", "1"];

    private (string Lake, string Hub) NewLake(string name) =>
        (Path.Combine(stage.Root, name), name + Guid.NewGuid().ToString("N")[..12]);

    /// <summary>`serve` has no per-source flags: its configuration allows the loopback demo server (`export` passes flags).</summary>
    private Dictionary<string, string> HostEnvironment(string hub) => new(Environment(hub))
    {
        ["Fhir__AllowInsecureHttp"] = "true",
        ["Fhir__AllowPrivateNetwork"] = "true",
    };

    private Dictionary<string, string> Environment(string hub) => new()
    {
        ["Deid__Key"] = stage.Key,
        ["Durable__StorageConnection"] = stage.Azurite.ConnectionString,
        ["Durable__TaskHubName"] = hub,
        ["Durable__PartitionCount"] = "2",
        ["Durable__MaxQueuePollingInterval"] = "00:00:01",
        // A killed process's leases and messages come back within seconds instead of minutes.
        ["Durable__LeaseInterval"] = "00:00:06",
        ["Durable__MessageVisibilityTimeout"] = "00:00:08",
        // Every run event of the task hub's processes, appended as JSON lines (the embedded event sink).
        ["Events__FilePath"] = Path.Combine(stage.Root, hub + "-events.ndjson"),
    };

    /// <summary>A restarted host (`serve`) continues the task hub's run; returns its id once it (and its batches) finished Completed.</summary>
    private async Task<string> RestartAndWaitAsync(string hub, string lake)
    {
        await using var restarted = CliProcess.Start(HostEnvironment(hub), "serve", "--lake", lake, "--urls", $"http://127.0.0.1:{StandInProcess.FreePort()}", "--insecure-local");
        var run = await WaitForRunAsync(hub, restarted);
        if (run.RuntimeStatus != OrchestrationRuntimeStatus.Completed || !Directory.Exists(Path.Combine(lake, "_runs")))
        {
            // The run catalog says why, file by file.
            await using var status = CliProcess.Start(Environment(hub), "status", run.InstanceId, "--lake", lake);
            await status.WaitForExitAsync(TimeSpan.FromMinutes(2));
            Assert.Fail($"{run.RuntimeStatus}: {run.FailureDetails} {run.SerializedOutput}\n{status.Output}\n{restarted.Output}");
        }
        return run.InstanceId;
    }

    /// <summary>
    /// The committed lake equals the clean run's; the source's watermark is this run's transactionTime and moved once
    /// (one WatermarkAdvanced entry on the source's audit trail); every RunCompleted event has the run's one message id.
    /// </summary>
    private async Task AssertCommittedOnceAsync(SortedDictionary<string, string> expected, string hub, string lake, string runId)
    {
        Assert.Equal(expected, await TablesAsync(lake));

        using var store = new SqliteStateStore(new SqliteStateStoreOptions { DatabasePath = Path.Combine(lake + "-state", "ingestion.db") });
        var catalog = new StateStoreRunCatalog(store);
        var run = await catalog.GetRunAsync(runId, CancellationToken.None);
        Assert.NotNull(run);
        Assert.Equal(RunRecordStatus.Completed, run.Status);
        var watermark = await catalog.GetWatermarkAsync(run.SourceId, CancellationToken.None);
        Assert.NotNull(watermark);
        Assert.Equal((runId, run.TransactionTime), (watermark.RunId, (DateTimeOffset?)watermark.TransactionTime));
        var audit = new List<AuditEntry>();
        await foreach (var entry in catalog.ListAuditAsync("source:" + run.SourceId, CancellationToken.None)) audit.Add(entry);
        Assert.Single(audit, e => e.Action == "WatermarkAdvanced");
        var files = new List<RunFileRecord>();
        await foreach (var file in catalog.ListFilesAsync(runId, CancellationToken.None)) files.Add(file);
        Assert.Equal(run.FilesTotal, files.Count);
        Assert.All(files, f => Assert.Equal(RunFileStatus.Completed, f.Status));

        var events = File.ReadAllLines(Path.Combine(stage.Root, hub + "-events.ndjson"))
            .Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement)
            .Select(e => (Type: e.GetProperty("type").GetString(), Id: e.GetProperty("eventId").GetString())).ToList();
        Assert.NotEmpty(events);
        Assert.All(events, e => Assert.Equal(("RunCompleted", $"{runId}:RunCompleted"), (e.Type, e.Id)));
    }

    /// <summary>Once a part names the run id: a plain file at the run's commit folder (_runs/&lt;runId&gt;); returns its path.</summary>
    private static string? BlockCommit(string lake)
    {
        var omop = Path.Combine(lake, "omop");
        if (!Directory.Exists(omop)) return null;
        var runFolder = Directory.EnumerateDirectories(omop, "run=*", SearchOption.AllDirectories).FirstOrDefault();
        if (runFolder is null) return null;
        var blocker = Path.Combine(lake, "_runs", Path.GetFileName(runFolder)["run=".Length..]);
        Directory.CreateDirectory(Path.GetDirectoryName(blocker)!);
        File.WriteAllText(blocker, "blocks the commit manifest until the test removes it");
        return blocker;
    }

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
