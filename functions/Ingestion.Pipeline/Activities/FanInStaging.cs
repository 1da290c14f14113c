using System.Text;
using Ingestion.Omop;
using Ingestion.Storage;

namespace Ingestion.Pipeline.Activities;

/// <summary>
/// What a file stages for the run's fan-in besides person date bounds, under <c>_staging/&lt;runId&gt;/fan-in/</c>:
/// era inputs (<see cref="CdmTables.EraEvents"/>, from condition_occurrence and drug_exposure rows) and death rows
/// (one person's Patient and cause-of-death rows may come from different files, so death is only written merged at
/// fan-in). Rows stream to the lake as they come; a file with none leaves no staged file (a re-run deletes a stale one).
/// </summary>
public static class FanInStaging
{
    /// <summary>The tables staged for the fan-in.</summary>
    public static IReadOnlyList<OmopTable> Tables { get; } = [CdmTables.EraEvents, CdmTables.Death];

    public static string PathOf(string runId, OmopTable table, int fileIndex) => $"_staging/{runId}/fan-in/{table.Name}/file-{fileIndex:D5}.csv";

    /// <summary>The era events a run's eras were built from, merged with earlier incremental runs'.</summary>
    public static string MergedPathOf(string runId, OmopTable table) => $"_staging/{runId}/fan-in/{table.Name}/merged.csv";

    /// <summary>Reads staged rows back, streaming; nothing when the file does not exist.</summary>
    public static async IAsyncEnumerable<object?[]> ReadAsync(ILake lake, OmopTable table, string path,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (await lake.GetAsync(path, cancellationToken).ConfigureAwait(false) is null) yield break;
        await using var stream = await lake.OpenReadAsync(path, cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (line.Length > 0) yield return StagedRowCodec.Decode(table, line);
        }
    }

    /// <summary>Writes rows to one staged file (replacing it); deletes it when there are none.</summary>
    public static async Task WriteAsync(ILake lake, OmopTable table, string path, IEnumerable<object?[]> rows, CancellationToken cancellationToken)
    {
        await using var writer = new FanInStagingWriter(lake, table, path);
        foreach (var row in rows) await writer.WriteAsync(row, cancellationToken).ConfigureAwait(false);
        await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }
}
