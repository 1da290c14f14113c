using Ingestion.Pipeline.State;

namespace Ingestion.Pipeline.Publishing;

/// <summary>A run's totals over its files' results, as the report and the RunCompleted event carry them. Counts only.</summary>
public sealed record RunTotals
{
    public int FilesTotal { get; init; }
    public long ResourcesRead { get; init; }
    public long ResourcesValid { get; init; }
    public long ResourcesQuarantined { get; init; }
    public long ResourcesNotCovered { get; init; }
    public long Deletions { get; init; }
    public long ServerErrors { get; init; }
    public long Bytes { get; init; }
    public long UnmappedRows { get; init; }
    public IReadOnlyDictionary<string, long> RowsByTable { get; init; } = new Dictionary<string, long>();

    public static RunTotals Of(IReadOnlyList<ActivityState> files)
    {
        var rows = new SortedDictionary<string, long>(StringComparer.Ordinal);
        long read = 0, valid = 0, quarantined = 0, notCovered = 0, bytes = 0, unmapped = 0, deletions = 0, serverErrors = 0;
        foreach (var a in files)
        {
            if (a.Result is not { } r) continue;
            read += r.LinesRead; valid += r.ResourcesValid; quarantined += r.Quarantined; notCovered += r.NotCovered;
            bytes += r.Bytes; deletions += r.Deletions; serverErrors += r.ServerErrors;
            foreach (var (table, n) in r.RowsByTable) rows[table] = rows.GetValueOrDefault(table) + n;
            foreach (var (_, n) in r.UnmappedRowsByTable) unmapped += n;
        }
        return new RunTotals
        {
            FilesTotal = files.Count,
            ResourcesRead = read,
            ResourcesValid = valid,
            ResourcesQuarantined = quarantined,
            ResourcesNotCovered = notCovered,
            Deletions = deletions,
            ServerErrors = serverErrors,
            Bytes = bytes,
            UnmappedRows = unmapped,
            RowsByTable = rows,
        };
    }
}
