using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Ingestion.Orchestration;
using Ingestion.RunApi;
using Microsoft.Extensions.Logging;

namespace Ingestion.Functions.Tests.Alerts;

/// <summary>
/// What an operator's alerting sees of the alert monitor: its log events (by event id, with their structured values)
/// and its metrics (the fired counter, the active gauge) for the given sources only — other tests' monitors feed the
/// same meter name at the same time.
/// </summary>
internal sealed class AlertSignals : ILoggerProvider, IDisposable
{
    private readonly HashSet<string> _sources;
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<LoggedEvent> _events = new();
    private readonly ConcurrentDictionary<(string Kind, string Source), long> _fired = new();
    private readonly ConcurrentDictionary<(string Kind, string Source), long> _active = new();

    public AlertSignals(params string[] sources)
    {
        _sources = [.. sources];
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == PipelineTelemetry.Name && instrument.Name is "ingestion.alerts.fired" or "ingestion.alerts.active")
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? kind = null, source = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "ingestion.alert.kind") kind = tag.Value as string;
                if (tag.Key == "ingestion.source.id") source = tag.Value as string;
            }
            if (kind is null || source is null || !_sources.Contains(source)) return;
            if (instrument.Name == "ingestion.alerts.fired") _fired.AddOrUpdate((kind, source), value, (_, sum) => sum + value);
            else _active[(kind, source)] = value;
        });
        _listener.Start();
    }

    public sealed record LoggedEvent(int EventId, string? EventName, IReadOnlyDictionary<string, object?> Values, string Message);

    /// <summary>AlertFired / AlertEnded events of these sources.</summary>
    public IReadOnlyList<LoggedEvent> Events(int eventId) =>
        _events.Where(e => e.EventId == eventId && e.Values.TryGetValue("SourceId", out var s) && s is string id && _sources.Contains(id)).ToList();

    public long Fired(string kind, string source) => _fired.GetValueOrDefault((kind, source));

    /// <summary>The active-alerts gauge as a collection would read it now (kind, source → count; absent = none).</summary>
    public IReadOnlyDictionary<(string Kind, string Source), long> Active()
    {
        _active.Clear();
        _listener.RecordObservableInstruments();
        return new Dictionary<(string, string), long>(_active);
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose() => _listener.Dispose();

    private sealed class Logger(AlertSignals owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Id is not (RunAlertLog.AlertFiredEventId or RunAlertLog.AlertEndedEventId)) return;
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? pairs.ToDictionary(p => p.Key, p => p.Value) : [];
            owner._events.Enqueue(new LoggedEvent(eventId.Id, eventId.Name, values, formatter(state, exception)));
        }
    }
}
