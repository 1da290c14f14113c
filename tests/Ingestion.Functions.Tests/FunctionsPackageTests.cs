using System.Diagnostics;
using System.IO.Compression;
using System.Reflection;
using System.Reflection.PortableExecutable;
using System.Text.Json;
using Ingestion.Orchestration;
using Ingestion.Testing;
using Microsoft.DurableTask;

namespace Ingestion.Functions.Tests;

/// <summary>
/// The deployable package (scripts/publish.sh): what the Functions host reads at start-up must name every function
/// with its trigger and bindings, for Linux x64 only. The Functions host itself cannot run here, so this is the check
/// that the app would index as intended.
/// </summary>
public sealed class FunctionsPackageTests : IClassFixture<FunctionsPackageTests.Package>
{
    private readonly Package _package;

    public FunctionsPackageTests(Package package) => _package = package;

    /// <summary>Publishes the already-built app once (scripts/publish.sh --no-build) into a temporary folder.</summary>
    public sealed class Package : IDisposable
    {
        public Package()
        {
            Folder = Directory.CreateTempSubdirectory("functions-package-").FullName;
            var script = Path.Combine(RepositoryPaths.RepositoryRoot, "scripts", "publish.sh");
            var start = new ProcessStartInfo("bash", [script, "--no-build", "--output", Folder]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            // ReadyToRun compilation of every assembly in the package takes minutes on a busy 2-core machine.
            if (!process.WaitForExit(TimeSpan.FromMinutes(10))) { process.Kill(entireProcessTree: true); throw new TimeoutException("scripts/publish.sh did not finish in 10 minutes."); }
            Output = stdout.Result;
            if (process.ExitCode != 0) throw new InvalidOperationException($"scripts/publish.sh failed ({process.ExitCode}): {stderr.Result}{Output}");
            using var metadata = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "app", "functions.metadata")));
            Functions = metadata.RootElement.EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!, f => f.Clone());
        }

        public string Folder { get; }
        public string Output { get; }
        public IReadOnlyDictionary<string, JsonElement> Functions { get; }
        public string Zip => Path.Combine(Folder, "ingestion-functions.zip");

        public void Dispose() => Directory.Delete(Folder, recursive: true);
    }

    private JsonElement Binding(string function, string type)
    {
        Assert.True(_package.Functions.TryGetValue(function, out var metadata), $"functions.metadata has no function '{function}'.");
        return metadata.GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString() == type);
    }

    [Theory]
    [InlineData("StartExport", "post", "exports")]
    [InlineData("ListExports", "get", "exports")]
    [InlineData("GetExportStatus", "get", "exports/{id}")]
    [InlineData("RaiseExportEvent", "post", "exports/{id}/events/{eventName}")]
    [InlineData("TerminateExport", "post", "exports/{id}/terminate")]
    [InlineData("PurgeExport", "delete", "exports/{id}")]
    [InlineData("RestartExport", "post", "exports/{id}/restart")]
    [InlineData("RetryFailedFiles", "post", "exports/{id}/retry-failed")]
    public void Every_run_api_route_is_an_http_trigger_with_a_function_key_and_a_durable_client(string function, string method, string route)
    {
        var trigger = Binding(function, "httpTrigger");
        Assert.Equal(route, trigger.GetProperty("route").GetString());
        Assert.Equal([method], trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal("Function", trigger.GetProperty("authLevel").GetString());
        if (function != "ListExports") Binding(function, "durableClient");
    }

    [Theory]
    [InlineData("GetExportDetail", "exports/{id}/detail")]
    [InlineData("ListSources", "sources")]
    [InlineData("ListAlerts", "alerts")]
    [InlineData("ListTrends", "trends")]
    public void The_dashboards_read_views_are_get_triggers_with_a_function_key(string function, string route)
    {
        var trigger = Binding(function, "httpTrigger");
        Assert.Equal(route, trigger.GetProperty("route").GetString());
        Assert.Equal(["get"], trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal("Function", trigger.GetProperty("authLevel").GetString());
    }

    [Fact]
    public void The_dashboards_files_are_anonymous_and_hold_no_data()
    {
        var trigger = Binding("Dashboard", "httpTrigger");
        Assert.Equal("dashboard/{file?}", trigger.GetProperty("route").GetString());
        Assert.Equal("Anonymous", trigger.GetProperty("authLevel").GetString());
    }

    [Fact]
    public void Health_is_anonymous()
    {
        var trigger = Binding("Health", "httpTrigger");
        Assert.Equal("health", trigger.GetProperty("route").GetString());
        Assert.Equal("Anonymous", trigger.GetProperty("authLevel").GetString());
    }

    [Fact]
    public void The_schedule_timer_reads_its_cron_from_a_setting_and_has_a_durable_client()
    {
        Assert.Equal("%ScheduleTickCron%", Binding("ScheduledExports", "timerTrigger").GetProperty("schedule").GetString());
        Binding("ScheduledExports", "durableClient");
    }

    [Fact]
    public void The_alert_timer_reads_its_cron_from_a_setting()
    {
        Assert.Equal("%AlertTickCron%", Binding("EvaluateAlerts", "timerTrigger").GetProperty("schedule").GetString());
    }

    [Fact]
    public void Every_orchestrator_and_activity_of_the_run_has_its_durable_trigger()
    {
        var assembly = typeof(ExportOrchestrator).Assembly;
        bool Derives(Type type, Type open) => type.BaseType is { IsGenericType: true } b && b.GetGenericTypeDefinition() == open;
        var orchestrators = assembly.GetTypes().Where(t => !t.IsAbstract && Derives(t, typeof(TaskOrchestrator<,>))).Select(t => t.Name).ToList();
        var activities = assembly.GetTypes().Where(t => !t.IsAbstract && Derives(t, typeof(TaskActivity<,>))).Select(t => t.Name).ToList();
        Assert.Contains(nameof(ExportOrchestrator), orchestrators);
        Assert.Contains("ProcessFileActivity", activities);

        foreach (var name in orchestrators) Binding(name, "orchestrationTrigger");
        foreach (var name in activities) Binding(name, "activityTrigger");
    }

    [Fact]
    public void The_zip_has_what_the_functions_host_loads_and_no_foreign_runtimes()
    {
        using var zip = ZipFile.OpenRead(_package.Zip);
        var names = zip.Entries.Select(e => e.FullName).ToHashSet();
        Assert.Contains("functions.metadata", names);
        Assert.Contains("extensions.json", names);
        Assert.Contains("host.json", names);
        Assert.Contains("Ingestion.Functions.dll", names);
        Assert.Contains(names, n => n.StartsWith(".azurefunctions/", StringComparison.Ordinal));
        Assert.DoesNotContain(names, n => n.StartsWith("runtimes/", StringComparison.Ordinal) && !n.StartsWith("runtimes/linux-x64/", StringComparison.Ordinal));
        Assert.Contains("Functions package:", _package.Output);

        using var extensions = JsonDocument.Parse(File.ReadAllText(Path.Combine(_package.Folder, "app", "extensions.json")));
        Assert.Contains(extensions.RootElement.GetProperty("extensions").EnumerateArray(), e => e.GetProperty("name").GetString() == "DurableTask");
    }

    [Theory]
    [InlineData("Ingestion.Functions.dll")]
    [InlineData("Ingestion.Pipeline.dll")]
    [InlineData("Ingestion.Fhir.dll")]
    [InlineData("Azure.Storage.Blobs.dll")]
    public void The_package_ships_precompiled_ReadyToRun_code_so_a_cold_instance_does_not_wait_for_the_jit(string assembly)
    {
        using var pe = new PEReader(File.OpenRead(Path.Combine(_package.Folder, "app", assembly)));
        // A ReadyToRun image carries its native code's header in the CLI header; an IL-only assembly has none.
        Assert.True(pe.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size > 0, $"{assembly} in the package has no ReadyToRun code.");
    }

    [Fact]
    public void The_package_caps_the_gc_allocation_budget_so_memory_follows_the_data_not_the_cpu_cache()
    {
        // Without the cap Server GC sizes gen0 from the L3 cache (~200 MB per heap on large hosts): docs/benchmarks.md "After mem".
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(_package.Folder, "app", "Ingestion.Functions.runtimeconfig.json")));
        var properties = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");
        Assert.Equal(16L * 1024 * 1024, properties.GetProperty("System.GC.Gen0MaxBudget").GetInt64());
    }

    [Fact]
    public void Host_json_configures_the_task_hub_on_identity_based_azure_storage()
    {
        using var host = JsonDocument.Parse(File.ReadAllText(Path.Combine(_package.Folder, "app", "host.json")));
        var durable = host.RootElement.GetProperty("extensions").GetProperty("durableTask");
        Assert.Equal("%Durable:TaskHubName%", durable.GetProperty("hubName").GetString());
        Assert.Equal("AzureStorage", durable.GetProperty("storageProvider").GetProperty("type").GetString());
        Assert.Equal("Durable:StorageConnection", durable.GetProperty("storageProvider").GetProperty("connectionName").GetString());
        Assert.True(durable.GetProperty("maxConcurrentActivityFunctions").GetInt32() > 0);
    }
}
