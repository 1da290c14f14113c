using System.Collections.Concurrent;

namespace Ingestion.Azure.Cosmos;

/// <summary>Request units summed per operation kind, thread-safe (read by health reports and tests).</summary>
public sealed class RequestChargeTally
{
    private readonly ConcurrentDictionary<string, (long Calls, double Units)> _byOperation = new(StringComparer.Ordinal);

    public void Add(string operation, double units) =>
        _byOperation.AddOrUpdate(operation, (1, units), (_, total) => (total.Calls + 1, total.Units + units));

    /// <summary>Calls and request units per operation kind so far.</summary>
    public IReadOnlyDictionary<string, (long Calls, double Units)> Snapshot() => new Dictionary<string, (long Calls, double Units)>(_byOperation, StringComparer.Ordinal);
}
