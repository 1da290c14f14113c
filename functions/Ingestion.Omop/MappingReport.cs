using System.Collections.Concurrent;
using System.Text.Json;

namespace Ingestion.Omop;

/// <summary>
/// What a mapping produced, per file and (merged) per run: rows and concept_id-0 rows per table, unmapped
/// codes, source vocabularies seen, quarantined records per reason, and resource types not covered.
/// Holds codes and counts only, never patient values. Thread-safe so one report can serve a whole file.
/// </summary>
public sealed class MappingReport
{
    private readonly ConcurrentDictionary<string, long> _rows = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _unmappedRows = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Table, string Vocabulary, string Code), long> _unmappedCodes = new();
    private readonly ConcurrentDictionary<string, long> _sourceVocabularies = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _quarantined = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _notCovered = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _excluded = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string ResourceType, MappingStatus Status), long> _resources = new();

    public IReadOnlyDictionary<string, long> RowsByTable => _rows;
    public IReadOnlyDictionary<string, long> UnmappedRowsByTable => _unmappedRows;
    public IReadOnlyDictionary<(string Table, string Vocabulary, string Code), long> UnmappedCodes => _unmappedCodes;
    public IReadOnlyDictionary<string, long> SourceVocabularies => _sourceVocabularies;
    public IReadOnlyDictionary<string, long> QuarantinedByReason => _quarantined;
    public IReadOnlyDictionary<string, long> NotCoveredByResourceType => _notCovered;
    /// <summary>Resources excluded by their FHIR status, by reason (<c>Type.element=code</c>).</summary>
    public IReadOnlyDictionary<string, long> ExcludedByReason => _excluded;
    /// <summary>Every input resource, by type and outcome: the accounting that proves nothing was lost.</summary>
    public IReadOnlyDictionary<(string ResourceType, MappingStatus Status), long> ResourcesByOutcome => _resources;

    public void RecordResource(string resourceType, MappingStatus status) =>
        _resources.AddOrUpdate((resourceType, status), 1, static (_, n) => n + 1);

    /// <summary>Share of a table's rows whose concept_id is 0 (0 when the table has no rows).</summary>
    public double UnmappedRate(string table) =>
        _rows.TryGetValue(table, out var rows) && rows > 0 ? (double)_unmappedRows.GetValueOrDefault(table) / rows : 0;

    public void RecordRow(string table, bool conceptMapped)
    {
        _rows.AddOrUpdate(table, 1, static (_, n) => n + 1);
        if (!conceptMapped) _unmappedRows.AddOrUpdate(table, 1, static (_, n) => n + 1);
    }

    public void RecordUnmappedCode(string table, string vocabulary, string code) =>
        _unmappedCodes.AddOrUpdate((table, vocabulary, code), 1, static (_, n) => n + 1);

    public void RecordSourceVocabulary(string vocabulary) =>
        _sourceVocabularies.AddOrUpdate(vocabulary, 1, static (_, n) => n + 1);

    public void RecordQuarantined(string reason) =>
        _quarantined.AddOrUpdate(reason, 1, static (_, n) => n + 1);

    public void RecordNotCovered(string resourceType) =>
        _notCovered.AddOrUpdate(resourceType, 1, static (_, n) => n + 1);

    public void RecordExcluded(string reason) =>
        _excluded.AddOrUpdate(reason, 1, static (_, n) => n + 1);

    /// <summary>Adds another report's counts into this one (fan-in).</summary>
    public void Merge(MappingReport other)
    {
        foreach (var (k, v) in other._rows) _rows.AddOrUpdate(k, v, (_, n) => n + v);
        foreach (var (k, v) in other._unmappedRows) _unmappedRows.AddOrUpdate(k, v, (_, n) => n + v);
        foreach (var (k, v) in other._unmappedCodes) _unmappedCodes.AddOrUpdate(k, v, (_, n) => n + v);
        foreach (var (k, v) in other._sourceVocabularies) _sourceVocabularies.AddOrUpdate(k, v, (_, n) => n + v);
        foreach (var (k, v) in other._quarantined) _quarantined.AddOrUpdate(k, v, (_, n) => n + v);
        foreach (var (k, v) in other._notCovered) _notCovered.AddOrUpdate(k, v, (_, n) => n + v);
        foreach (var (k, v) in other._excluded) _excluded.AddOrUpdate(k, v, (_, n) => n + v);
        foreach (var (k, v) in other._resources) _resources.AddOrUpdate(k, v, (_, n) => n + v);
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

    private static void WriteCounts(Utf8JsonWriter writer, string name, ConcurrentDictionary<string, long> counts)
    {
        writer.WriteStartObject(name);
        foreach (var (key, count) in counts.OrderBy(kv => kv.Key, StringComparer.Ordinal)) writer.WriteNumber(key, count);
        writer.WriteEndObject();
    }
}
