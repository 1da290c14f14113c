using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;

namespace Ingestion.Benchmarks.DurableOverhead;

/// <summary>
/// Counts this process's HTTP requests to the storage emulator by kind ("queue GET workitems/messages",
/// "table POST $batch", …) from HttpClient's diagnostic events, so the backend's round trips per file can be read
/// without touching its clients. Counts only while <see cref="Counting"/> is set.
/// </summary>
public sealed partial class StorageRequestCounter : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private readonly IReadOnlyDictionary<int, string> _services;
    private readonly string _taskHub;
    private readonly ConcurrentDictionary<string, long> _counts = new();
    private readonly List<IDisposable> _subscriptions = [];
    private PropertyInfo? _requestProperty;

    /// <param name="services">Port → service name (blob, queue, table) of the emulator.</param>
    /// <param name="taskHub">The task hub name, removed from resource names so kinds read the same in every run.</param>
    public StorageRequestCounter(IReadOnlyDictionary<int, string> services, string taskHub)
    {
        _services = services;
        _taskHub = taskHub;
        _subscriptions.Add(DiagnosticListener.AllListeners.Subscribe(this));
    }

    public bool Counting { get; set; }

    public long Total => _counts.Values.Sum();

    /// <summary>The counts so far, largest first; clears them.</summary>
    public IReadOnlyList<KeyValuePair<string, long>> Take()
    {
        var snapshot = _counts.OrderByDescending(c => c.Value).ToList();
        _counts.Clear();
        return snapshot;
    }

    void IObserver<DiagnosticListener>.OnNext(DiagnosticListener value)
    {
        if (value.Name == "HttpHandlerDiagnosticListener")
            lock (_subscriptions) _subscriptions.Add(value.Subscribe(this));
    }

    void IObserver<KeyValuePair<string, object?>>.OnNext(KeyValuePair<string, object?> value)
    {
        if (!Counting || value.Key != "System.Net.Http.HttpRequestOut.Start" || value.Value is null) return;
        _requestProperty ??= value.Value.GetType().GetProperty("Request");
        if (_requestProperty?.GetValue(value.Value) is HttpRequestMessage { RequestUri: { } uri } request
            && _services.TryGetValue(uri.Port, out var service))
            _counts.AddOrUpdate($"{service} {request.Method} {Resource(uri)}", 1, (_, n) => n + 1);
    }

    private string Resource(Uri uri)
    {
        // Path style: /devstoreaccount1/<queue|table|container>/… ; instance-specific parts (message ids, keys) go.
        var segments = uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToArray();
        if (segments.Length == 0) return "(account)";
        var name = KeyPredicate().Replace(segments[0], "").Replace(_taskHub, "", StringComparison.OrdinalIgnoreCase).TrimStart('-');
        name = ControlQueue().Replace(name, "control-NN");
        var rest = segments.Length > 1 ? "/" + segments[1] + (segments.Length > 2 ? "/id" : "") : "";
        var comp = CompParameter().Match(uri.Query);
        return name + rest + (comp.Success ? "?comp=" + comp.Groups[1].Value : "");
    }

    [GeneratedRegex(@"\(.*\)$")]
    private static partial Regex KeyPredicate();

    [GeneratedRegex(@"^control-\d+$")]
    private static partial Regex ControlQueue();

    [GeneratedRegex(@"[?&]comp=([a-z]+)")]
    private static partial Regex CompParameter();

    public void OnCompleted()
    {
    }

    public void OnError(Exception error)
    {
    }

    public void Dispose()
    {
        lock (_subscriptions)
        {
            foreach (var subscription in _subscriptions) subscription.Dispose();
            _subscriptions.Clear();
        }
    }
}
