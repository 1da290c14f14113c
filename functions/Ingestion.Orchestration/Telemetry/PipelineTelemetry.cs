using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Ingestion.Orchestration;

/// <summary>
/// The pipeline's OpenTelemetry sources: one <see cref="ActivitySource"/> (a run is a trace: kick-off, each poll, each
/// file activity and publish are its spans) and one <see cref="Meter"/>. Hosts export them by name
/// (<see cref="Name"/>). Attributes are ids, codes and counts only: run id, source id, file index, resource type,
/// status; never a URL, a search or a patient value.
/// </summary>
public sealed class PipelineTelemetry : IDisposable
{
    public const string Name = "Ingestion.Pipeline";

    /// <summary>Every span source a host exports: the pipeline's and the FHIR clients' HTTP client spans (children of the pipeline's).</summary>
    public static readonly string[] TraceSources = [Name, Ingestion.Fhir.Net.FhirHttpTelemetry.SourceName];

    private readonly ActivitySource _source = new(Name);
    private readonly Meter _meter;
    private readonly ILogger? _logger;

    public PipelineTelemetry(IMeterFactory? meters = null, ILoggerFactory? loggers = null)
    {
        _meter = meters?.Create(Name) ?? new Meter(Name);
        _logger = loggers?.CreateLogger(Name);
        Runs = _meter.CreateCounter<long>("ingestion.runs", "{run}", "Runs that ended, by status (ingestion.run.status).");
        FilesInFlight = _meter.CreateUpDownCounter<long>("ingestion.files.in_flight", "{file}", "File activities running now.");
        ResourcesRead = _meter.CreateCounter<long>("ingestion.resources.read", "{resource}", "Resources read; its rate is resources/s.");
        ResourcesQuarantined = _meter.CreateCounter<long>("ingestion.resources.quarantined", "{resource}", "Resources quarantined (quarantine rate = this / read).");
        ConceptZeroRows = _meter.CreateCounter<long>("ingestion.rows.concept_zero", "{row}", "OMOP rows with concept 0 (concept-0 rate = this / mapped).");
        ResourcesMapped = _meter.CreateCounter<long>("ingestion.resources.mapped", "{resource}", "Resources mapped to OMOP.");
        Polls = _meter.CreateCounter<long>("ingestion.export.polls", "{request}", "Bulk Data status requests.");
        DownloadBytes = _meter.CreateCounter<long>("ingestion.download.bytes", "By", "Bytes of NDJSON downloaded.");
        ActivityDuration = _meter.CreateHistogram<double>("ingestion.activity.duration", "s", "Duration of each pipeline activity (ingestion.activity).");
        AlertsFired = _meter.CreateCounter<long>("ingestion.alerts.fired", "{alert}", "Alert conditions that began (once per condition, by ingestion.alert.kind and source).");
        AlertEvaluations = _meter.CreateCounter<long>("ingestion.alerts.evaluations", "{evaluation}", "Alert evaluations done (a heartbeat: none for a while means nothing is watching).");
    }

    public Counter<long> Runs { get; }
    public UpDownCounter<long> FilesInFlight { get; }
    public Counter<long> ResourcesRead { get; }
    public Counter<long> ResourcesMapped { get; }
    public Counter<long> ResourcesQuarantined { get; }
    public Counter<long> ConceptZeroRows { get; }
    public Counter<long> Polls { get; }
    public Counter<long> DownloadBytes { get; }
    public Histogram<double> ActivityDuration { get; }
    public Counter<long> AlertsFired { get; }
    public Counter<long> AlertEvaluations { get; }

    /// <summary>The active alerts gauge (by ingestion.alert.kind and source), read from the alert monitor's last evaluation.</summary>
    public void ObserveAlerts(Func<IEnumerable<Measurement<long>>> observe) =>
        _meter.CreateObservableGauge("ingestion.alerts.active", observe, "{alert}", "Alerts active at the last evaluation.");

    /// <summary>
    /// Starts a span of the run's trace, and a logging scope (run id, source id, file index) that every log record
    /// written until it ends carries, whichever logger writes it (scopes flow with the async context).
    ///  Activities of one run run in many processes and replays, so the trace and its
    /// root span id are derived from the run id: every span of the run lands in the same trace without carrying context.
    /// </summary>
    public RunSpan StartSpan(string activity, string runId, string sourceId, int? fileIndex = null)
    {
        var span = _source.StartActivity(activity, ActivityKind.Internal, RunContext(runId));
        span?.SetTag("ingestion.run.id", runId);
        span?.SetTag("ingestion.source.id", sourceId);
        if (fileIndex is { } index) span?.SetTag("ingestion.file.index", index);
        var scope = _logger?.BeginScope(new Dictionary<string, object?>
        {
            ["ingestion.run.id"] = runId,
            ["ingestion.source.id"] = sourceId,
            ["ingestion.file.index"] = fileIndex,
        });
        return new RunSpan(span, scope, this, activity, sourceId);
    }

    /// <summary>The run's trace: trace id = first 16 bytes of SHA-256(run id), parent span id = the next 8.</summary>
    public static ActivityContext RunContext(string runId)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(runId), hash);
        return new ActivityContext(ActivityTraceId.CreateFromBytes(hash[..16]), ActivitySpanId.CreateFromBytes(hash.Slice(16, 8)), ActivityTraceFlags.Recorded, isRemote: true);
    }

    public void Dispose()
    {
        _source.Dispose();
        _meter.Dispose();
    }
}

/// <summary>A span of a run, its logging scope and the duration metric of its activity; dispose ends all three.</summary>
public readonly struct RunSpan(Activity? span, IDisposable? scope, PipelineTelemetry telemetry, string activity, string sourceId) : IDisposable
{
    private readonly long _started = Stopwatch.GetTimestamp();

    public Activity? Activity => span;

    public void SetTag(string name, object? value) => span?.SetTag(name, value);

    /// <summary>Marks the span failed with an error code (the exception type, never its message: it may quote data).</summary>
    public void Fail(Exception exception)
    {
        span?.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
        span?.SetTag("error.type", exception.GetType().FullName);
    }

    public void Dispose()
    {
        telemetry.ActivityDuration.Record(Stopwatch.GetElapsedTime(_started).TotalSeconds,
            new KeyValuePair<string, object?>("ingestion.activity", activity), new KeyValuePair<string, object?>("ingestion.source.id", sourceId));
        span?.Dispose();
        scope?.Dispose();
    }
}
