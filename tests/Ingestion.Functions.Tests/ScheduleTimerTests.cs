using System.Security.Cryptography;
using Ingestion.Functions.Timer;
using Ingestion.Orchestration;
using Ingestion.RunApi;
using Ingestion.Storage.Catalog;
using Ingestion.Testing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ingestion.Functions.Tests;

/// <summary>The schedule timer: each due source starts once per slot, never while it already has a run.</summary>
public sealed class ScheduleTimerTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("timer-").FullName;
    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2026, 12, 6, 2, 0, 30, TimeSpan.Zero));
    private readonly FakeDurableTaskClient _durable = new();
    private readonly ServiceProvider _services;

    public ScheduleTimerTests()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Sources:nightly:FhirBaseUrl"] = "http://127.0.0.1:9/fhir",
            ["Sources:nightly:Schedule"] = "0 0 2 * * *",
            ["Sources:hourly:FhirBaseUrl"] = "http://127.0.0.1:9/fhir",
            ["Sources:hourly:Schedule"] = "30 * * * *",
            ["Sources:manual:FhirBaseUrl"] = "http://127.0.0.1:9/fhir",
            ["Storage:LakePath"] = Path.Combine(_folder, "lake"),
            ["Deid:Key"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(_clock);
        services.AddExportPipeline(configuration);
        services.AddRunApi(configuration);
        services.AddSingleton<SourceSchedule>();
        services.AddSingleton(new ScheduleOptions());
        services.AddSingleton<ScheduleTimerFunction>();
        _services = services.BuildServiceProvider();
    }

    private Task TickAsync() => _services.GetRequiredService<ScheduleTimerFunction>().RunAsync(new TimerInfo(), _durable, CancellationToken.None);

    [Fact]
    public async Task A_due_source_starts_once_per_slot_however_many_ticks_see_it()
    {
        await TickAsync();
        _clock.Advance(TimeSpan.FromMinutes(1));
        await TickAsync();
        await TickAsync();

        var scheduled = Assert.Single(_durable.Scheduled);
        Assert.Equal("nightly-20261206T0200Z", scheduled.InstanceId);
        Assert.Equal(RunTriggerKind.Schedule, ((ExportRunInput)scheduled.Input!).Trigger.Kind);
    }

    [Fact]
    public async Task A_tick_while_the_source_has_a_run_is_skipped_and_recorded()
    {
        var catalog = _services.GetRequiredService<IRunCatalog>();
        await catalog.CreateRunAsync(new RunRecord
        {
            RunId = "nightly-20261205T0200Z", SourceId = "nightly", Status = RunRecordStatus.Running,
            CreatedAt = _clock.GetUtcNow().AddDays(-1), KeyFingerprint = "k", Trigger = "schedule",
        }, CancellationToken.None);
        _durable.Add("nightly-20261205T0200Z", OrchestrationRuntimeStatus.Running);

        await TickAsync();

        Assert.DoesNotContain(_durable.Scheduled, s => s.InstanceId.StartsWith("nightly-20261206", StringComparison.Ordinal));
        var audit = await CatalogAudit.ReadAsync(catalog, "source:nightly");
        Assert.Contains(audit, a => a.Action == "Skipped");
    }

    [Fact]
    public void Only_sources_with_a_slot_in_the_catch_up_window_are_due()
    {
        var schedule = _services.GetRequiredService<SourceSchedule>();

        var at0200 = schedule.Due(_clock.GetUtcNow(), TimeSpan.FromMinutes(10));
        Assert.Equal([("nightly", new DateTimeOffset(2026, 12, 6, 2, 0, 0, TimeSpan.Zero))], at0200);

        var at0231 = schedule.Due(new DateTimeOffset(2026, 12, 6, 2, 31, 0, TimeSpan.Zero), TimeSpan.FromMinutes(10));
        Assert.Equal([("hourly", new DateTimeOffset(2026, 12, 6, 2, 30, 0, TimeSpan.Zero))], at0231);

        Assert.Empty(schedule.Due(new DateTimeOffset(2026, 12, 6, 2, 15, 0, TimeSpan.Zero), TimeSpan.FromMinutes(10)));
    }

    [Fact]
    public void A_schedule_that_does_not_parse_is_refused_at_start_up()
    {
        var sources = new SourcesOptions();
        sources.Sources["bad"] = new SourceDefinition { Id = "bad", Schedule = "every night" };

        var error = Assert.Throws<InvalidOperationException>(() => new SourceSchedule(sources).Validate());
        Assert.Contains("bad", error.Message);
    }

    public void Dispose()
    {
        _services.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
