using System.Security.Cryptography;
using System.Text.Json;
using Ingestion.Orchestration;
using Ingestion.Pipeline.State;
using Ingestion.RunApi;
using Ingestion.Serve;
using Ingestion.Storage.Catalog;
using Microsoft.AspNetCore.Builder;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Ingestion.Functions.Tests.Dashboard;

/// <summary>
/// A real <c>serve</c> on 127.0.0.1 (API key, host and origin checks, SQLite run catalog) whose Durable client is a
/// fake holding the seeded instances, plus Debian chromium driven by Playwright. Seeded runs: one completed (with a
/// previous completed run to compare with), one failed in a file, one running while the server reports X-Progress,
/// one canceled; three more (of a source no longer configured) that the action test cancels, terminates and purges.
/// Source ehr3 is idle, for starting an export.
/// </summary>
public sealed class DashboardServer : IAsyncLifetime
{
    public const string Key = "dashboard-test-key-0123456789abcdefghij";
    /// <summary>A patient identifier in a run's input: it must never reach a page.</summary>
    public const string PhiCanary = "PHI-CANARY-7f3a9c";

    private readonly string _folder = Directory.CreateTempSubdirectory("dashboard-").FullName;
    private readonly LoopbackEhr _ehr = new();
    private readonly int _port = Ingestion.Testing.StandIns.StandInProcess.FreePort();
    private WebApplication? _app;
    private IPlaywright? _playwright;

    public Uri Base => new($"http://127.0.0.1:{_port}");
    internal FakeDurableTaskClient Durable { get; } = new();
    public IRunCatalog Catalog => _app!.Services.GetRequiredService<IRunCatalog>();
    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Screenshots are test artifacts: under the test output folder.</summary>
    public static string ScreenshotFolder => Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots")).FullName;

    public async Task InitializeAsync()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Sources:ehr1:FhirBaseUrl"] = _ehr.BaseUrl.ToString(),
            ["Sources:ehr1:Schedule"] = "0 0 2 * * *",
            ["Sources:ehr1:Alerts:MaxRunDuration"] = "00:10:00",
            ["Sources:ehr1:Alerts:MaxVolumeDrop"] = "0.25",
            ["Sources:ehr1:Alerts:MaxConceptZeroIncrease"] = "3",
            ["Sources:ehr2:FhirBaseUrl"] = _ehr.BaseUrl.ToString(),
            ["Sources:ehr3:FhirBaseUrl"] = _ehr.BaseUrl.ToString(),
            ["Storage:LakePath"] = Path.Combine(_folder, "lake"),
            ["Deid:Key"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        }).Build();
        _app = ServeApp.Build(configuration, new ServeOptions { ApiKey = Key, Urls = Base.ToString().TrimEnd('/') },
            builder => builder.Services.AddSingleton<DurableTaskClient>(Durable));
        await _app.StartAsync();
        await SeedAsync();

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    public static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private async Task SeedAsync()
    {
        var sources = _app!.Services.GetRequiredService<SourcesOptions>();
        var starter = _app.Services.GetRequiredService<ExportRunStarterFactory>().Create(Durable);
        string InputFor(string source) => JsonSerializer.Serialize(starter.InputFor(sources.Get(source), new RunTrigger(RunTriggerKind.Api, "seed")), StateJson.Options);
        var input = InputFor("ehr1");

        await Seed("r-previous", "ehr1", RunRecordStatus.Completed, OrchestrationRuntimeStatus.Completed, Now.AddHours(-27), r => r with
        {
            CompletedAt = Now.AddHours(-26.8), FilesTotal = 1, InputJson = input,
            Counters = new RunCounters { FilesDone = 1, ResourcesRead = 200, ResourcesMapped = 190, ResourcesUnmapped = 2 },
        });
        await Catalog.PutFilesAsync("r-previous",
        [
            File("r-previous", 0, "Bundle", RunFileStatus.Completed, 1, Now.AddHours(-27).AddMinutes(1), Now.AddHours(-27).AddMinutes(9), new FileResult
            {
                RowsByTable = new Dictionary<string, long> { ["person"] = 80, ["condition_occurrence"] = 60 },
                UnmappedRowsByTable = new Dictionary<string, long> { ["condition_occurrence"] = 2 },
            }) with { ResourcesRead = 200, ResourcesMapped = 190, ResourcesUnmapped = 2 },
        ], default);
        await Seed("r-completed", "ehr1", RunRecordStatus.Completed, OrchestrationRuntimeStatus.Completed, Now.AddHours(-3), r => r with
        {
            Phase = "Completed", CompletedAt = Now.AddHours(-2.9), FilesTotal = 2,
            // The input of an operator's patient-level request: the dashboard never shows it.
            InputJson = $$"""{"patients":["{{PhiCanary}}"]}""",
            Counters = new RunCounters { FilesDone = 2, ResourcesRead = 120, ResourcesMapped = 100, ResourcesQuarantined = 5, ResourcesUnmapped = 7 },
        });
        await Catalog.PutFilesAsync("r-completed",
        [
            File("r-completed", 0, "Patient", RunFileStatus.Completed, 1, Now.AddHours(-3).AddMinutes(2), Now.AddHours(-3).AddMinutes(4), new FileResult
            {
                Quarantined = 3,
                QuarantinedByReason = new Dictionary<string, long> { ["us-core-missing-identifier"] = 3 },
                RowsByTable = new Dictionary<string, long> { ["person"] = 60 },
            }) with { ResourcesRead = 60, ResourcesMapped = 57, ResourcesQuarantined = 3 },
            File("r-completed", 1, "Condition", RunFileStatus.Completed, 2, Now.AddHours(-3).AddMinutes(2), Now.AddHours(-3).AddMinutes(5), new FileResult
            {
                Quarantined = 2,
                QuarantinedByReason = new Dictionary<string, long> { ["invalid-json"] = 2 },
                RowsByTable = new Dictionary<string, long> { ["condition_occurrence"] = 43 },
                UnmappedRowsByTable = new Dictionary<string, long> { ["condition_occurrence"] = 7 },
                UnmappedCodes = [new UnmappedCode("condition_occurrence", "SNOMED", "999000111", 5), new UnmappedCode("condition_occurrence", "ICD10CM", "Z99.89", 2)],
            }) with { ResourcesRead = 60, ResourcesMapped = 43, ResourcesQuarantined = 2, ResourcesUnmapped = 7 },
        ], default);
        await Catalog.AppendAuditAsync(new AuditEntry("r-completed", "published:1", "Published", Now.AddHours(-2.9)) { Actor = "orchestrator", Detail = "event sent: run-published" }, default);

        // On ehr2, which has no run in progress, so its failed files can be retried (one run per source).
        await Seed("r-failed", "ehr2", RunRecordStatus.Failed, OrchestrationRuntimeStatus.Failed, Now.AddHours(-2), r => r with
        {
            Phase = "Processing", CompletedAt = Now.AddHours(-1.9), FilesTotal = 2, InputJson = InputFor("ehr2"), FailureReason = "files-failed: 1 of 2 files failed",
            Counters = new RunCounters { FilesDone = 1, FilesFailed = 1, ResourcesRead = 40, ResourcesMapped = 40 },
        });
        await Catalog.PutFilesAsync("r-failed",
        [
            File("r-failed", 0, "Patient", RunFileStatus.Completed, 1, Now.AddHours(-2).AddMinutes(1), Now.AddHours(-2).AddMinutes(2), null) with { ResourcesRead = 40, ResourcesMapped = 40 },
            File("r-failed", 1, "Observation", RunFileStatus.Failed, 3, Now.AddHours(-2).AddMinutes(1), Now.AddHours(-2).AddMinutes(6), null) with { FailureReason = "http-503" },
        ], default);

        await Seed("r-running", "ehr1", RunRecordStatus.Running, OrchestrationRuntimeStatus.Running, Now.AddMinutes(-20), r => r with
        {
            Phase = "Polling", Progress = "42% complete", InputJson = input,
        });
        await Seed("r-canceled", "ehr2", RunRecordStatus.Canceled, OrchestrationRuntimeStatus.Completed, Now.AddHours(-5), r => r with
        {
            Phase = "Canceled", CompletedAt = Now.AddHours(-4.9), InputJson = input, FailureReason = "canceled",
        });
        foreach (var (id, status, runtime) in new[]
                 {
                     ("r-to-cancel", RunRecordStatus.Running, OrchestrationRuntimeStatus.Running),
                     ("r-to-terminate", RunRecordStatus.Running, OrchestrationRuntimeStatus.Running),
                     ("r-to-purge", RunRecordStatus.Completed, OrchestrationRuntimeStatus.Completed),
                 })
        {
            await Seed(id, "ehr-actions", status, runtime, Now.AddDays(-3), r => r with { InputJson = input, CompletedAt = status == RunRecordStatus.Completed ? Now.AddDays(-3) : null });
        }
    }

    private async Task Seed(string id, string source, RunRecordStatus status, OrchestrationRuntimeStatus runtime, DateTimeOffset created, Func<RunRecord, RunRecord> shape)
    {
        await Catalog.CreateRunAsync(shape(new RunRecord
        {
            RunId = id, SourceId = source, Status = status, CreatedAt = created, KeyFingerprint = "k1", Trigger = "api", TriggeredBy = "seed",
        }), default);
        Durable.Add(id, runtime);
    }

    private static RunFileRecord File(string run, int index, string type, RunFileStatus status, int attempts, DateTimeOffset started, DateTimeOffset completed, FileResult? result) => new()
    {
        RunId = run, Index = index, Kind = "output", ResourceType = type,
        // A signed file URL: the dashboard must not show it.
        Url = $"https://files.example.org/{run}/{index}.ndjson?sig=SECRET-SIGNATURE",
        Status = status, Attempts = attempts, StartedAt = started, CompletedAt = completed,
        ResultJson = result is null ? null : JsonSerializer.Serialize(result, StateJson.Options),
    };

    /// <summary>A fresh page with the key entered (or not), console errors collected, confirm dialogs accepted.</summary>
    public async Task<(IPage Page, List<string> ConsoleErrors)> OpenAsync(string hash, bool withKey = true, int width = 1280, int height = 900)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") errors.Add(message.Text); };
        page.PageError += (_, error) => errors.Add(error);
        page.Dialog += (_, dialog) => dialog.AcceptAsync();
        await page.GotoAsync(new Uri(Base, "/dashboard/" + hash).ToString());
        if (withKey)
        {
            await page.GetByLabel("API key", new() { Exact = true }).FillAsync(Key);
            await page.GetByRole(AriaRole.Button, new() { Name = "Use key" }).ClickAsync();
        }
        return (page, errors);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        await _ehr.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }
}
