using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Ingestion.Pipeline.Activities;

/// <summary>
/// One file's validation issues counted by rule id (about two a resource on Synthea, every resource). The validator
/// hands out each rule's id as one string instance, so an issue is first looked up by that instance (an object hash,
/// no pass over the id's characters); an instance not seen before is matched by value, once. The counts come out as the
/// ordinal dictionary counting by value gives, in the same order (rule ids as first seen).
/// </summary>
internal sealed class ValidationIssueCounts
{
    // Bounds the instance index if some producer builds a new id string per issue: past it, lookups go by value only.
    private const int MaxInstances = 1024;

    private readonly Dictionary<string, int> _byInstance = new(InstanceComparer.Instance);
    private readonly Dictionary<string, int> _byValue = new(StringComparer.Ordinal);
    private readonly List<string> _ruleIds = [];
    private readonly List<long> _counts = [];

    public void Add(string ruleId)
    {
        if (!_byInstance.TryGetValue(ruleId, out var slot))
        {
            slot = SlotByValue(ruleId);
            if (_byInstance.Count < MaxInstances) _byInstance.Add(ruleId, slot);
        }
        CollectionsMarshal.AsSpan(_counts)[slot]++;
    }

    private int SlotByValue(string ruleId)
    {
        if (_byValue.TryGetValue(ruleId, out var slot)) return slot;
        slot = _ruleIds.Count;
        _byValue.Add(ruleId, slot);
        _ruleIds.Add(ruleId);
        _counts.Add(0);
        return slot;
    }

    /// <summary>The counts by rule id (ordinal), rule ids in first-seen order.</summary>
    public Dictionary<string, long> ToDictionary()
    {
        var counts = new Dictionary<string, long>(_ruleIds.Count, StringComparer.Ordinal);
        for (var i = 0; i < _ruleIds.Count; i++) counts.Add(_ruleIds[i], _counts[i]);
        return counts;
    }

    private sealed class InstanceComparer : IEqualityComparer<string>
    {
        public static readonly InstanceComparer Instance = new();

        public bool Equals(string? x, string? y) => ReferenceEquals(x, y);

        public int GetHashCode(string value) => RuntimeHelpers.GetHashCode(value);
    }
}
