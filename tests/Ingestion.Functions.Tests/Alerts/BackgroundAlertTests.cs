using System.Security.Cryptography;
using Ingestion.Functions.Timer;
using Ingestion.Orchestration;
using Ingestion.RunApi;
using Ingestion.Serve;
using Ingestion.Storage.Catalog;
using Ingestion.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Ingestion.Functions.Tests.Alerts;

/// <summary>
/// Alerts are evaluated without anyone calling <c>/api/alerts</c>: serve's background service on its period and the
/// Functions timer on each tick. Each condition fires once — an <c>AlertFired</c> log event (EventId 1701), the
/// <c>ingestion.alerts.fired</c> counter and an audit entry — however many evaluations see it, also after a restart;
/// the <c>ingestion.alerts.active</c> gauge follows the last evaluation. Time is a fake clock.
/// </summary>
public sealed class BackgroundAlertTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 12, 6, 8, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Directory.CreateTempSubdirectory("alerts-").FullName;
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..8];

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private Dictionary<string, string?> Settings(params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Storage:LakePath"] = Path.Combine(_folder, "lake"),
            ["Deid:Key"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        };
        foreach (var (key, value) in extra) settings[key] = value;
        return settings;
    }

    private static RunRecord Run(string id, string source, RunRecordStatus status, DateTimeOffset created, RunCounters? counters = null) => new()
    {
        RunId = id, SourceId = source, Status = status, CreatedAt = created, KeyFingerprint = "k", Trigger = "schedule",
        CompletedAt = status is RunRecordStatus.Running or RunRecordStatus.Pending ? null : created.AddMinutes(30),
        Counters = counters ?? new RunCounters(),
    };

    [Fact]
    public async Task Serve_evaluates_alerts_on_its_period_and_fires_each_condition_once()
    {
        var source = "sla-" + _suffix;
        var clock = new FakeTimeProvider(Start);
        using var signals = new AlertSignals(source);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Settings(
            ($"Sources:{source}:FhirBaseUrl", "http://127.0.0.1:9/fhir"),
            ($"Sources:{source}:Alerts:MaxRunDuration", "00:10:00"),
            ("Alerts:EvaluationPeriod", "00:01:00"))).Build();
        await using var app = ServeApp.Build(configuration,
            new ServeOptions { ApiKey = new string('k', 32), Urls = $"http://127.0.0.1:{Ingestion.Testing.StandIns.StandInProcess.FreePort()}" },
            builder =>
            {
                builder.Services.AddSingleton<TimeProvider>(clock);
                builder.Services.AddSingleton<DurableTaskClient>(new FakeDurableTaskClient());
                builder.Logging.AddProvider(signals);
            });
        await app.StartAsync();
        var monitor = app.Services.GetRequiredService<RunAlertMonitor>();
        var catalog = app.Services.GetRequiredService<IRunCatalog>();
        await WaitForEvaluationAsync(monitor, clock);

        // A run started 5 minutes ago; its source's SLA is 10 minutes.
        await catalog.CreateRunAsync(Run("r-slow", source, RunRecordStatus.Running, Start.AddMinutes(-5)), default);
        for (var minute = 1; minute <= 5; minute++)
        {
            await TickAsync(clock, monitor);
            Assert.Empty(signals.Events(RunAlertLog.AlertFiredEventId));
        }
        // 11 minutes old at the sixth tick: over the SLA. Three more ticks see the same condition.
        for (var tick = 0; tick < 4; tick++) await TickAsync(clock, monitor);

        var fired = Assert.Single(signals.Events(RunAlertLog.AlertFiredEventId));
        Assert.Equal("AlertFired", fired.EventName);
        Assert.Equal(RunAlert.RunOverSla, fired.Values["AlertKind"]);
        Assert.Equal("r-slow", fired.Values["RunId"]);
        Assert.Equal(1, signals.Fired(RunAlert.RunOverSla, source));
        Assert.Equal(1, signals.Active()[(RunAlert.RunOverSla, source)]);
        var audit = await CatalogAudit.ReadAsync(catalog, "r-slow");
        Assert.Single(audit, a => a.Action == RunAlertMonitor.AuditAction && a.EntryId == "alert:" + RunAlert.RunOverSla);

        // The run fails: the SLA condition ends, run-failed begins, once.
        await catalog.UpdateRunAsync("r-slow", r => r with { Status = RunRecordStatus.Failed, CompletedAt = clock.GetUtcNow(), FailureReason = "files-failed: 1 of 1 files failed" }, default);
        await TickAsync(clock, monitor);
        await TickAsync(clock, monitor);

        var ended = Assert.Single(signals.Events(RunAlertLog.AlertEndedEventId));
        Assert.Equal(RunAlert.RunOverSla, ended.Values["AlertKind"]);
        Assert.Single(signals.Events(RunAlertLog.AlertFiredEventId), e => Equals(e.Values["AlertKind"], RunAlert.RunFailed));
        Assert.Equal(1, signals.Fired(RunAlert.RunFailed, source));
        var active = signals.Active();
        Assert.False(active.ContainsKey((RunAlert.RunOverSla, source)));
        Assert.Equal(1, active[(RunAlert.RunFailed, source)]);
        await app.StopAsync();
    }

    [Fact]
    public async Task Serve_refuses_to_start_with_an_evaluation_period_that_is_not_positive()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Settings(("Alerts:EvaluationPeriod", "00:00:00"))).Build();
        await using var app = ServeApp.Build(configuration,
            new ServeOptions { ApiKey = new string('k', 32), Urls = $"http://127.0.0.1:{Ingestion.Testing.StandIns.StandInProcess.FreePort()}" },
            builder => builder.Services.AddSingleton<DurableTaskClient>(new FakeDurableTaskClient()));
        var refused = await Assert.ThrowsAsync<ServeConfigurationException>(() => app.StartAsync());
        Assert.Contains("Alerts:EvaluationPeriod", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_functions_timer_fires_data_quality_failure_and_missed_slot_alerts_once_even_across_a_restart()
    {
        var (quality, nightly) = ("dq-" + _suffix, "nightly-" + _suffix);
        var clock = new ManualTimeProvider(Start);
        using var signals = new AlertSignals(quality, nightly);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Settings(
            ($"Sources:{quality}:FhirBaseUrl", "http://127.0.0.1:9/fhir"),
            ($"Sources:{quality}:Alerts:MaxVolumeDrop", "0.25"),
            ($"Sources:{quality}:Alerts:MaxConceptZeroIncrease", "3"),
            ($"Sources:{nightly}:FhirBaseUrl", "http://127.0.0.1:9/fhir"),
            ($"Sources:{nightly}:Schedule", "0 0 2 * * *"))).Build();
        ServiceProvider Host()
        {
            var services = new ServiceCollection();
            services.AddLogging(logging => logging.AddProvider(signals));
            services.AddSingleton<TimeProvider>(clock);
            services.AddExportPipeline(configuration);
            services.AddRunApi(configuration);
            services.AddSingleton<AlertTimerFunction>();
            return services.BuildServiceProvider();
        }
        Task TickAsync(ServiceProvider host) => host.GetRequiredService<AlertTimerFunction>().RunAsync(new Microsoft.Azure.Functions.Worker.TimerInfo(), CancellationToken.None);

        await using (var first = Host())
        {
            var catalog = first.GetRequiredService<IRunCatalog>();
            // 40 % fewer resources and a concept-0 rate 5.9 points higher than the run before.
            await catalog.CreateRunAsync(Run("q-before", quality, RunRecordStatus.Completed, Start.AddDays(-2),
                new RunCounters { ResourcesRead = 200, ResourcesMapped = 190, ResourcesUnmapped = 2 }), default);
            await catalog.CreateRunAsync(Run("q-latest", quality, RunRecordStatus.Completed, Start.AddDays(-1),
                new RunCounters { ResourcesRead = 120, ResourcesMapped = 100, ResourcesUnmapped = 7 }), default);
            // Nightly at 02:00: its only run, three nights ago, failed.
            await catalog.CreateRunAsync(Run("n-failed", nightly, RunRecordStatus.Failed, Start.AddDays(-3)), default);

            await TickAsync(first);
            clock.Advance(TimeSpan.FromMinutes(5));
            await TickAsync(first);
        }
        await using (var restarted = Host())
        {
            clock.Advance(TimeSpan.FromMinutes(5));
            await TickAsync(restarted);
            Assert.Equal(4, restarted.GetRequiredService<RunAlertMonitor>().LastEvaluation!.Alerts.Count);
            Assert.Equal(1, signals.Active()[(RunAlert.VolumeDrop, quality)]);
        }

        var fired = signals.Events(RunAlertLog.AlertFiredEventId)
            .Select(e => ((string)e.Values["AlertKind"]!, (string)e.Values["SourceId"]!, (string)e.Values["RunId"]!)).Order().ToList();
        Assert.Equal(
            new[]
            {
                (RunAlert.ConceptZeroSpike, quality, "q-latest"), (RunAlert.NoRecentSuccess, nightly, ""),
                (RunAlert.RunFailed, nightly, "n-failed"), (RunAlert.VolumeDrop, quality, "q-latest"),
            }.Order(),
            fired);
        Assert.Equal(1, signals.Fired(RunAlert.VolumeDrop, quality));
        Assert.Equal(1, signals.Fired(RunAlert.ConceptZeroSpike, quality));
        Assert.Equal(1, signals.Fired(RunAlert.RunFailed, nightly));
        Assert.Equal(1, signals.Fired(RunAlert.NoRecentSuccess, nightly));
        // The detail is ids and counts: nothing the run read.
        Assert.All(signals.Events(RunAlertLog.AlertFiredEventId), e => Assert.DoesNotContain("http", e.Message, StringComparison.OrdinalIgnoreCase));
    }

    private static async Task TickAsync(FakeTimeProvider clock, RunAlertMonitor monitor)
    {
        clock.Advance(TimeSpan.FromMinutes(1));
        await WaitForEvaluationAsync(monitor, clock);
    }

    /// <summary>Waits until the background service has evaluated at the clock's current time.</summary>
    private static async Task WaitForEvaluationAsync(RunAlertMonitor monitor, TimeProvider clock)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (monitor.LastEvaluation?.EvaluatedAt != clock.GetUtcNow())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"no alert evaluation at {clock.GetUtcNow():O} (last: {monitor.LastEvaluation?.EvaluatedAt:O})");
            await Task.Delay(20);
        }
    }
}
