using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Ingestion.Pipeline.Tests.EndToEnd;

/// <summary>Keeps every formatted log line (with its exception text) and every scope's text so a test can search them.</summary>
internal sealed class CapturingLoggerFactory : ILoggerFactory, ILoggerProvider, ILogger
{
    public ConcurrentQueue<string> Lines { get; } = new();
    public ConcurrentQueue<IReadOnlyDictionary<string, object?>> Scopes { get; } = new();

    public ILogger CreateLogger(string categoryName) => this;
    public void AddProvider(ILoggerProvider provider) { }
    public void Dispose() { }
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull
    {
        if (state is IEnumerable<KeyValuePair<string, object?>> pairs) Scopes.Enqueue(pairs.ToDictionary(p => p.Key, p => p.Value));
        Lines.Enqueue("scope " + string.Join(", ", state is IEnumerable<KeyValuePair<string, object?>> kv ? kv.Select(p => $"{p.Key}={p.Value}") : [state.ToString() ?? ""]));
        return null;
    }
    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Lines.Enqueue(formatter(state, exception) + " " + exception);
}
