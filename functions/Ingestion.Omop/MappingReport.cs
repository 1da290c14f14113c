using System.Collections.Concurrent;

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

    public IReadOnlyDictionary<string, long> RowsByTable => _rows;
    public IReadOnlyDictionary<string, long> UnmappedRowsByTable => _unmappedRows;
    public IReadOnlyDictionary<(string Table, string Vocabulary, string Code), long> UnmappedCodes => _unmappedCodes;
    public IReadOnlyDictionary<string, long> SourceVocabularies => _sourceVocabularies;
    public IReadOnlyDictionary<string, long> QuarantinedByReason => _quarantined;
    public IReadOnlyDictionary<string, long> NotCoveredByResourceType => _notCovered;

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

    /// <summary>Adds another report's counts into this one (fan-in).</summary>
    public void Merge(MappingReport other)
    {
        foreach (var (k, v) in other._rows) _rows.AddOrUpdate(k, v, (_, n) => n + v);
        foreach (var (k, v) in other._unmappedRows) _unmappedRows.AddOrUpdate(k, v, (_, n) => n + v);
        foreach (var (k, v) in other._unmappedCodes) _unmappedCodes.AddOrUpdate(k, v, (_, n) => n + v);
        foreach (var (k, v) in other._sourceVocabularies) _sourceVocabularies.AddOrUpdate(k, v, (_, n) => n + v);
        foreach (var (k, v) in other._quarantined) _quarantined.AddOrUpdate(k, v, (_, n) => n + v);
        foreach (var (k, v) in other._notCovered) _notCovered.AddOrUpdate(k, v, (_, n) => n + v);
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
}
