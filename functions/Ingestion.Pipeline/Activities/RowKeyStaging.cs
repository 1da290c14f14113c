using System.Globalization;
using System.Text;
using Ingestion.Omop;
using Ingestion.Storage;

namespace Ingestion.Pipeline.Activities;

/// <summary>
/// What a file stages for the run's referential-integrity pass (docs/lake-layout.md): one CSV line per row it wrote
/// to a Parquet part, in write order, under <c>_staging/&lt;runId&gt;/integrity/file-&lt;fileIndex&gt;.csv</c>:
/// <c>table,key,lastUpdatedTicks,line,startTicks,ref…</c> — the row's key, its resource's <c>meta.lastUpdated</c> and
/// NDJSON line (the tie-breaks between two rows of one key), the start of a visit (preceding visit) and the row's key
/// references in <see cref="CdmForeignKeys.Of"/> order. Keys and counters only, never values.
/// </summary>
public static class RowKeyStaging
{
    public static string PathOf(string runId, int fileIndex) => $"_staging/{runId}/integrity/file-{fileIndex:D5}.csv";

    /// <summary>The outcome of the run's integrity pass, read by the publisher.</summary>
    public static string ResultPathOf(string runId) => $"_staging/{runId}/integrity/result.json";

    /// <summary>The keys a run's committed view holds per referenced table (merged with earlier incremental runs'):
    /// the next incremental run of the source starts from them.</summary>
    public static string MergedPathOf(string runId, OmopTable table) => $"_staging/{runId}/integrity/merged/{table.Name}.csv";

    private static readonly Dictionary<string, OmopTable> Tables = CdmTables.All.ToDictionary(t => t.Name, StringComparer.Ordinal);

    /// <summary>Reads a file's staged rows back in write order; nothing when the file does not exist.</summary>
    public static async IAsyncEnumerable<StagedRowKey> ReadAsync(ILake lake, string path,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lake);
        if (await lake.GetAsync(path, cancellationToken).ConfigureAwait(false) is null) yield break;
        await using var stream = await lake.OpenReadAsync(path, cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (line.Length > 0) yield return Decode(line);
        }
    }

    internal static void Encode(StringBuilder line, OmopRowBuffer rows, int row, long lastUpdatedTicks, long lineNumber)
    {
        var table = rows.Table;
        var start = ReferenceEquals(table, CdmTables.VisitOccurrence) ? PrecedingVisitBuilder.StartTicksOf(rows, row) : 0;
        line.Append(table.Name).Append(CultureInfo.InvariantCulture, $",{rows.Int64(row, 0)},{lastUpdatedTicks},{lineNumber},{start}");
        // Indexed, not foreach: an interface enumerator would be an allocation per staged row.
        var references = CdmForeignKeys.Of(table);
        for (var i = 0; i < references.Count; i++)
        {
            line.Append(',');
            if (rows.NullableInt64(row, references[i].Index) is { } key) line.Append(CultureInfo.InvariantCulture, $"{key}");
        }
    }

    private static StagedRowKey Decode(string line)
    {
        // Cell by cell over the line (no string per cell): the integrity pass decodes every staged row three times.
        var rest = line.AsSpan();
        var table = TableLookup.TryGetValue(NextCell(ref rest), out var t) ? t : throw new FormatException("A staged row names an unknown table.");
        var fks = CdmForeignKeys.Of(table);
        var cells = line.AsSpan().Count(',') + 1;
        if (cells != 5 + fks.Count) throw new FormatException($"A staged {table.Name} row has {cells} cells, expected {5 + fks.Count}.");
        var key = Parse(NextCell(ref rest));
        var lastUpdated = Parse(NextCell(ref rest));
        var lineNumber = Parse(NextCell(ref rest));
        var start = Parse(NextCell(ref rest));
        var references = new long?[fks.Count];
        for (var i = 0; i < references.Length; i++)
        {
            var cell = NextCell(ref rest);
            if (cell.Length > 0) references[i] = Parse(cell);
        }
        return new StagedRowKey(table, key, lastUpdated, lineNumber, start, references);
    }

    private static readonly Dictionary<string, OmopTable>.AlternateLookup<ReadOnlySpan<char>> TableLookup = Tables.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The cell up to the next comma (or the end); <paramref name="rest"/> moves past it.</summary>
    private static ReadOnlySpan<char> NextCell(ref ReadOnlySpan<char> rest)
    {
        var comma = rest.IndexOf(',');
        if (comma < 0)
        {
            var last = rest;
            rest = default;
            return last;
        }
        var cell = rest[..comma];
        rest = rest[(comma + 1)..];
        return cell;
    }

    private static long Parse(ReadOnlySpan<char> cell) => long.Parse(cell, NumberStyles.Integer, CultureInfo.InvariantCulture);
}

/// <summary>One staged row: its table and key, its resource's lastUpdated (UTC ticks, 0 when absent) and NDJSON line,
/// a visit's start (UTC ticks) and its key references (<see cref="CdmForeignKeys.Of"/> order, null when empty).</summary>
public sealed record StagedRowKey(OmopTable Table, long Key, long LastUpdatedTicks, long Line, long StartTicks, long?[] References);
