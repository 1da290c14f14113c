using System.Runtime.InteropServices;
using System.Text.Json;

namespace Ingestion.Omop;

/// <summary>
/// What a mapping produced, per file and (merged) per run: rows and concept_id-0 rows per table, unmapped
/// codes, source vocabularies seen, quarantined records per reason, and resource types not covered.
/// Holds codes and counts only, never patient values. One per file, filled by one thread (plain counters, no
/// synchronization per row); reports are combined with <see cref="Merge"/>. Not thread-safe.
/// </summary>
public sealed class MappingReport
{
    private readonly Dictionary<string, long> _rows = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _unmappedRows = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Table, string Vocabulary, string Code), long> _unmappedCodes = new();
    private readonly Dictionary<string, long> _sourceVocabularies = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _quarantined = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _notCovered = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _excluded = new(StringComparer.Ordinal);
    private readonly Dictionary<(string ResourceType, MappingStatus Status), long> _resources = new(OutcomeKeys.Instance);
    // The per-resource and per-row counts, by reference, until a reader asks (Flush): one lookup per key and flush
    // instead of one per row.
    private readonly RecentCounts _recentResources = new();
    private readonly RecentCounts _recentRows = new();
    private readonly RecentCounts _recentVocabularies = new();

    public IReadOnlyDictionary<string, long> RowsByTable => Flushed(_rows);
    public IReadOnlyDictionary<string, long> UnmappedRowsByTable => Flushed(_unmappedRows);
    public IReadOnlyDictionary<(string Table, string Vocabulary, string Code), long> UnmappedCodes => _unmappedCodes;
    public IReadOnlyDictionary<string, long> SourceVocabularies => Flushed(_sourceVocabularies);
    public IReadOnlyDictionary<string, long> QuarantinedByReason => _quarantined;
    public IReadOnlyDictionary<string, long> NotCoveredByResourceType => _notCovered;
    /// <summary>Resources excluded by their FHIR status, by reason (<c>Type.element=code</c>).</summary>
    public IReadOnlyDictionary<string, long> ExcludedByReason => _excluded;
    /// <summary>Every input resource, by type and outcome: the accounting that proves nothing was lost.</summary>
    public IReadOnlyDictionary<(string ResourceType, MappingStatus Status), long> ResourcesByOutcome => Flushed(_resources);

    public void RecordResource(string resourceType, MappingStatus status)
    {
        if (_recentResources.TryAdd(resourceType, (int)status)) return;
        FlushResources();
        _recentResources.TryAdd(resourceType, (int)status);
    }

    /// <summary>Share of a table's rows whose concept_id is 0 (0 when the table has no rows).</summary>
    public double UnmappedRate(string table)
    {
        Flush();
        return _rows.TryGetValue(table, out var rows) && rows > 0 ? (double)_unmappedRows.GetValueOrDefault(table) / rows : 0;
    }

    public void RecordRow(string table, bool conceptMapped)
    {
        if (_recentRows.TryAdd(table, conceptMapped ? 1 : 0)) return;
        FlushRows();
        _recentRows.TryAdd(table, conceptMapped ? 1 : 0);
    }

    public void RecordUnmappedCode(string table, string vocabulary, string code) =>
        Add(_unmappedCodes, (table, vocabulary, code), 1);

    public void RecordSourceVocabulary(string vocabulary)
    {
        if (_recentVocabularies.TryAdd(vocabulary, 0)) return;
        FlushVocabularies();
        _recentVocabularies.TryAdd(vocabulary, 0);
    }

    public void RecordQuarantined(string reason) =>
        Add(_quarantined, reason, 1);

    public void RecordNotCovered(string resourceType) =>
        Add(_notCovered, resourceType, 1);

    public void RecordExcluded(string reason) =>
        Add(_excluded, reason, 1);

    /// <summary>Adds another report's counts into this one (fan-in).</summary>
    public void Merge(MappingReport other)
    {
        ArgumentNullException.ThrowIfNull(other);
        Flush();
        other.Flush();
        foreach (var (k, v) in other._rows) Add(_rows, k, v);
        foreach (var (k, v) in other._unmappedRows) Add(_unmappedRows, k, v);
        foreach (var (k, v) in other._unmappedCodes) Add(_unmappedCodes, k, v);
        foreach (var (k, v) in other._sourceVocabularies) Add(_sourceVocabularies, k, v);
        foreach (var (k, v) in other._quarantined) Add(_quarantined, k, v);
        foreach (var (k, v) in other._notCovered) Add(_notCovered, k, v);
        foreach (var (k, v) in other._excluded) Add(_excluded, k, v);
        foreach (var (k, v) in other._resources) Add(_resources, k, v);
    }

    /// <summary>The most frequent unmapped codes, most first (ties by vocabulary, code).</summary>
    public IReadOnlyList<(string Table, string Vocabulary, string Code, long Count)> TopUnmapped(int count) =>
        _unmappedCodes
            .OrderByDescending(kv => kv.Value)
            .ThenBy(kv => kv.Key.Vocabulary, StringComparer.Ordinal)
            .ThenBy(kv => kv.Key.Code, StringComparer.Ordinal)
            .Take(count)
            .Select(kv => (kv.Key.Table, kv.Key.Vocabulary, kv.Key.Code, kv.Value))
            .ToList();

    /// <summary>Writes the report as JSON for the run report (codes and counts only); keys are sorted so equal
    /// reports serialize identically.</summary>
    public void WriteTo(Utf8JsonWriter writer, int topUnmapped = 50)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Flush();
        writer.WriteStartObject();
        writer.WriteStartObject("tables");
        foreach (var (table, rows) in _rows.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            writer.WriteStartObject(table);
            writer.WriteNumber("rows", rows);
            writer.WriteNumber("conceptIdZeroRows", _unmappedRows.GetValueOrDefault(table));
            writer.WriteNumber("conceptIdZeroRate", Math.Round(UnmappedRate(table), 6));
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
        writer.WriteStartArray("topUnmapped");
        foreach (var (table, vocabulary, code, count) in TopUnmapped(topUnmapped))
        {
            writer.WriteStartObject();
            writer.WriteString("table", table);
            writer.WriteString("vocabulary", vocabulary);
            writer.WriteString("code", code);
            writer.WriteNumber("count", count);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        WriteCounts(writer, "sourceVocabularies", _sourceVocabularies);
        WriteCounts(writer, "quarantinedByReason", _quarantined);
        WriteCounts(writer, "notCoveredByResourceType", _notCovered);
        WriteCounts(writer, "excludedByReason", _excluded);
        writer.WriteStartObject("resources");
        foreach (var group in _resources.GroupBy(kv => kv.Key.ResourceType).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            writer.WriteStartObject(group.Key);
            foreach (var (key, count) in group.OrderBy(kv => kv.Key.Status)) writer.WriteNumber(JsonNamingPolicy.CamelCase.ConvertName(key.Status.ToString()), count);
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    public string ToJson(int topUnmapped = 50)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true })) WriteTo(writer, topUnmapped);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The held counts into the dictionaries, before anything reads them.</summary>
    private void Flush()
    {
        FlushResources();
        FlushRows();
        FlushVocabularies();
    }

    private TDictionary Flushed<TDictionary>(TDictionary counts)
    {
        Flush();
        return counts;
    }

    private void FlushResources()
    {
        for (var i = 0; i < _recentResources.Count; i++)
        {
            var (type, status, n) = _recentResources[i];
            Add(_resources, (type, (MappingStatus)status), n);
        }
        _recentResources.Clear();
    }

    private void FlushRows()
    {
        for (var i = 0; i < _recentRows.Count; i++)
        {
            var (table, conceptMapped, n) = _recentRows[i];
            Add(_rows, table, n);
            if (conceptMapped == 0) Add(_unmappedRows, table, n);
        }
        _recentRows.Clear();
    }

    private void FlushVocabularies()
    {
        for (var i = 0; i < _recentVocabularies.Count; i++)
        {
            var (vocabulary, _, n) = _recentVocabularies[i];
            Add(_sourceVocabularies, vocabulary, n);
        }
        _recentVocabularies.Clear();
    }

    private static void Add<TKey>(Dictionary<TKey, long> counts, TKey key, long n) where TKey : notnull =>
        CollectionsMarshal.GetValueRefOrAddDefault(counts, key, out _) += n;

    private static void WriteCounts(Utf8JsonWriter writer, string name, Dictionary<string, long> counts)
    {
        writer.WriteStartObject(name);
        foreach (var (key, count) in counts.OrderBy(kv => kv.Key, StringComparer.Ordinal)) writer.WriteNumber(key, count);
        writer.WriteEndObject();
    }

    /// <summary>Equality of (resource type, status) keys as the default, hashed without the randomized string hash
    /// (one per resource; a few dozen keys, so a simple hash spreads them well enough).</summary>
    private sealed class OutcomeKeys : IEqualityComparer<(string ResourceType, MappingStatus Status)>
    {
        public static readonly OutcomeKeys Instance = new();

        public bool Equals((string ResourceType, MappingStatus Status) x, (string ResourceType, MappingStatus Status) y) =>
            x.Status == y.Status && string.Equals(x.ResourceType, y.ResourceType, StringComparison.Ordinal);

        public int GetHashCode((string ResourceType, MappingStatus Status) key)
        {
            var hash = (int)key.Status;
            foreach (var c in key.ResourceType) hash = hash * 31 + c;
            return hash;
        }
    }
}
