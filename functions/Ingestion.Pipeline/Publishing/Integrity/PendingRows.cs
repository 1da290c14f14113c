using System.Text.Json;
using Ingestion.Omop;
using Ingestion.Parquet;
using Ingestion.Pipeline.Activities;
using Ingestion.Pipeline.State;
using Ingestion.Storage;

namespace Ingestion.Pipeline.Publishing;

/// <summary>
/// Rows a run's integrity pass deferred because a required reference (person_id, visit_detail's visit) names no row
/// yet — an event that arrived before its Patient (docs/omop-mapping.md, "Deferred rows"). Staged under
/// <c>_staging/&lt;runId&gt;/integrity/pending/</c>: Parquet parts per table, their row keys in the
/// <see cref="RowKeyStaging"/> format (same order per table) and this index. The next incremental run of the source judges them
/// again like its own rows: emitted once the reference exists, else carried forward. Counts and lake paths only.
/// </summary>
public sealed record PendingRows
{
    /// <summary>The row keys of <see cref="Parts"/>, in the parts' row order per table.</summary>
    public required string StagedPath { get; init; }
    public IReadOnlyList<PartOutput> Parts { get; init; } = [];
    /// <summary>Pending rows per (table, column whose reference was missing), with reason <see cref="IntegrityCorrection.Deferred"/>.</summary>
    public IReadOnlyList<IntegrityCorrection> Rows { get; init; } = [];

    public static string IndexPathOf(string runId) => $"_staging/{runId}/integrity/pending/index.json";

    public static string KeysPathOf(string runId) => $"_staging/{runId}/integrity/pending/rows.keys";

    public static string PartPathOf(string runId, OmopTable table, int part) => $"_staging/{runId}/integrity/pending/{table.Name}/part-{part}.parquet";

    /// <summary>The pending rows a run left; null when it left none (or ran before deferral existed).</summary>
    public static Task<PendingRows?> ReadAsync(ILake lake, string runId, CancellationToken cancellationToken) =>
        PublishedRuns.ReadJsonAsync<PendingRows>(lake, IndexPathOf(runId), cancellationToken);
}

/// <summary>Writes a run's <see cref="PendingRows"/>: each deferred row to its table's pending part and its staged key
/// line, then the index (or, with no row deferred, deletes a stale index of an earlier attempt).</summary>
internal sealed class PendingRowsWriter(ILake lake, string runId, PipelineOptions options) : IAsyncDisposable
{
    private readonly Dictionary<string, TablePartWriter> _writers = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Table, string Column), long> _rows = [];
    private readonly StagedBinaryFile _keys = new(lake, PendingRows.KeysPathOf(runId), RowKeyStaging.FileHeader);
    private readonly int[] _row = new int[1];

    /// <summary>Defers row <paramref name="row"/> of <paramref name="rows"/> (a row group of its part, as read) with its
    /// staged key.</summary>
    public async ValueTask WriteAsync(OmopTable table, string column, ParquetColumnBatch rows, int row, StagedRowKey key, CancellationToken cancellationToken)
    {
        if (!_writers.TryGetValue(table.Name, out var writer))
            _writers[table.Name] = writer = new TablePartWriter(lake, table, part => PendingRows.PartPathOf(runId, table, part), options);
        _row[0] = row;
        await writer.WriteAsync(rows, _row, cancellationToken).ConfigureAwait(false);
        await RowKeyStaging.WriteAsync(_keys, key, cancellationToken).ConfigureAwait(false);
        _rows[(table.Name, column)] = _rows.GetValueOrDefault((table.Name, column)) + 1;
    }

    public async Task<PendingRows?> CompleteAsync(CancellationToken cancellationToken)
    {
        var parts = new List<PartOutput>();
        foreach (var writer in _writers.Values)
        {
            await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
            parts.AddRange(writer.Parts);
        }
        var staged = await _keys.CompleteAsync(cancellationToken).ConfigureAwait(false);
        if (staged is null)
        {
            await lake.DeleteAsync(PendingRows.IndexPathOf(runId), cancellationToken).ConfigureAwait(false);
            return null;
        }
        var pending = new PendingRows
        {
            StagedPath = staged,
            Parts = parts,
            Rows = _rows.OrderBy(kv => kv.Key.Table, StringComparer.Ordinal).ThenBy(kv => kv.Key.Column, StringComparer.Ordinal)
                .Select(kv => new IntegrityCorrection(kv.Key.Table, kv.Key.Column, IntegrityCorrection.Deferred, kv.Value)).ToList(),
        };
        await lake.WriteAsync(PendingRows.IndexPathOf(runId), JsonSerializer.SerializeToUtf8Bytes(pending, StateJson.Options), LakeWriteCondition.None, cancellationToken).ConfigureAwait(false);
        return pending;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var writer in _writers.Values) await writer.DisposeAsync().ConfigureAwait(false);
        await _keys.DisposeAsync().ConfigureAwait(false);
    }
}
