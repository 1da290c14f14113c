using Ingestion.Omop;
using Ingestion.Pipeline.State;

namespace Ingestion.Pipeline.Publishing;

/// <summary>
/// The data-quality section of the run report: the DQD-style findings over the run's rows, the concept_id-0 rate by
/// table and the concept_id-0 rows by (table, source vocabulary), and flags from the comparison with the previous
/// published run of the same source. Counts and codes only.
/// </summary>
public sealed record DataQualityReport
{
    public required IReadOnlyDictionary<string, long> RowsChecked { get; init; }
    public required IReadOnlyList<DataQualityFinding> Findings { get; init; }
    public required IReadOnlyDictionary<string, double> ConceptIdZeroRateByTable { get; init; }
    public required IReadOnlyList<UnmappedCode> ConceptIdZeroByVocabulary { get; init; }
    /// <summary>The run compared with: the latest earlier published run of the source; null for the first run.</summary>
    public string? ComparedWithRunId { get; init; }
    public IReadOnlyList<DataQualityFlag> Flags { get; init; } = [];
    /// <summary>DQD's isForeignKey over the run's final rows: per (table, column) the references checked and the dangling
    /// ones (expected 0; a dangling one is also an <c>isForeignKey</c> finding).</summary>
    public IReadOnlyList<ForeignKeyCheck> ForeignKeys { get; init; } = [];
}

/// <summary>A change against the previous run worth an operator's look: <c>volumeDrop</c> or <c>conceptIdZeroSpike</c>.</summary>
public sealed record DataQualityFlag(string Kind, string Table, double Previous, double Current);

/// <summary>Builds <see cref="DataQualityReport"/>. Thresholds are documented in docs/omop-mapping.md ("Data quality").</summary>
public static class DataQualityReportBuilder
{
    /// <summary>A table of a full run with fewer than this share of the previous full run's rows is flagged.</summary>
    public const double VolumeDropShare = 0.5;
    /// <summary>A rise of the concept_id-0 rate by this much (absolute) or more is flagged…</summary>
    public const double ConceptIdZeroSpike = 0.05;
    /// <summary>…for a table with at least this many rows.</summary>
    public const long MinimumRowsForRates = 100;

    public static DataQualityReport Build(DataQualityResult checks, IReadOnlyDictionary<string, long> rowsByTable,
        IReadOnlyDictionary<string, long> conceptIdZeroRowsByTable, IReadOnlyList<UnmappedCode> unmapped, bool fullRun, PreviousRun? previous,
        IReadOnlyList<ForeignKeyCheck>? foreignKeys = null)
    {
        ArgumentNullException.ThrowIfNull(checks);
        foreignKeys ??= [];
        var findings = checks.Findings.Concat(foreignKeys.Where(fk => fk.Dangling > 0)
                .Select(fk => new DataQualityFinding(ForeignKeyChecks.IsForeignKey, fk.Table, fk.Column, fk.Dangling)))
            .OrderBy(f => f.Check, StringComparer.Ordinal).ThenBy(f => f.Table, StringComparer.Ordinal).ThenBy(f => f.Field, StringComparer.Ordinal).ToList();
        var rates = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var (table, rows) in rowsByTable)
        {
            if (rows > 0 && conceptIdZeroRowsByTable.ContainsKey(table)) rates[table] = Math.Round((double)conceptIdZeroRowsByTable[table] / rows, 6);
        }
        var byVocabulary = unmapped.GroupBy(u => (u.Table, u.Vocabulary))
            .Select(g => new UnmappedCode(g.Key.Table, g.Key.Vocabulary, "*", g.Sum(u => u.Count)))
            .OrderBy(u => u.Table, StringComparer.Ordinal).ThenBy(u => u.Vocabulary, StringComparer.Ordinal).ToList();
        var flags = new List<DataQualityFlag>();
        if (previous is not null)
        {
            var before = previous.Report.DataQuality?.ConceptIdZeroRateByTable ?? new Dictionary<string, double>();
            foreach (var (table, rate) in rates)
            {
                if (rowsByTable[table] >= MinimumRowsForRates && rate - before.GetValueOrDefault(table) >= ConceptIdZeroSpike)
                    flags.Add(new DataQualityFlag("conceptIdZeroSpike", table, before.GetValueOrDefault(table), rate));
            }
            // Incremental runs hold only changes: volumes compare between full runs only.
            if (fullRun && previous.FullRun)
            {
                foreach (var (table, rows) in previous.Report.Totals.RowsByTable)
                {
                    var now = rowsByTable.GetValueOrDefault(table);
                    if (rows >= MinimumRowsForRates && now < rows * VolumeDropShare) flags.Add(new DataQualityFlag("volumeDrop", table, rows, now));
                }
            }
        }
        return new DataQualityReport
        {
            RowsChecked = checks.RowsByTable,
            Findings = findings,
            ForeignKeys = foreignKeys,
            ConceptIdZeroRateByTable = rates,
            ConceptIdZeroByVocabulary = byVocabulary,
            ComparedWithRunId = previous?.Report.RunId,
            Flags = flags.OrderBy(f => f.Kind, StringComparer.Ordinal).ThenBy(f => f.Table, StringComparer.Ordinal).ToList(),
        };
    }
}

/// <summary>The previous published run of a source: its report, and whether it was a full export.</summary>
public sealed record PreviousRun(RunReport Report, bool FullRun);
