using System.Globalization;
using System.Text;
using Ingestion.Omop;
using Ingestion.Storage;

namespace Ingestion.Pipeline.Activities;

/// <summary>
/// Per-file person date bounds, staged as CSV (person_id,min_date,max_date) under <c>_staging/&lt;runId&gt;/</c> for
/// the run's observation_period reduce. Staged as text because the pipeline writes Parquet but has no Parquet reader.
/// </summary>
public static class PersonDatesStaging
{
    public static string PathOf(string runId, int fileIndex) => $"_staging/{runId}/person-dates/file-{fileIndex:D5}.csv";

    /// <summary>The bounds a run's observation_period was built from, merged with earlier incremental runs': the next
    /// incremental run of the source starts from them.</summary>
    public static string MergedPathOf(string runId) => $"_staging/{runId}/person-dates/merged.csv";

    internal static Task<string?> WriteAsync(ILake lake, string runId, int fileIndex, PersonDateRange range, CancellationToken cancellationToken) =>
        WriteAsync(lake, PathOf(runId, fileIndex), range, cancellationToken);

    internal static async Task<string?> WriteAsync(ILake lake, string path, PersonDateRange range, CancellationToken cancellationToken)
    {
        if (range.PersonCount == 0)
        {
            await lake.DeleteAsync(path, cancellationToken).ConfigureAwait(false);
            return null;
        }
        await using var upload = await lake.StartUploadAsync(path, LakeWriteCondition.None, cancellationToken).ConfigureAwait(false);
        await using (var writer = new StreamWriter(upload.Content, new UTF8Encoding(false), 1 << 16, leaveOpen: true))
        {
            foreach (var row in range.Rows())
            {
                await writer.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{(long)row[0]!},{(DateOnly)row[1]!:yyyy-MM-dd},{(DateOnly)row[2]!:yyyy-MM-dd}")).ConfigureAwait(false);
            }
        }
        await upload.CommitAsync(cancellationToken).ConfigureAwait(false);
        return path;
    }

    /// <summary>Reads staged rows back in <see cref="CdmTables.PersonDateBounds"/> shape, streaming.</summary>
    public static async IAsyncEnumerable<object?[]> ReadAsync(ILake lake, string path, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var stream = await lake.OpenReadAsync(path, cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            var parts = line.Split(',');
            yield return
            [
                long.Parse(parts[0], CultureInfo.InvariantCulture),
                DateOnly.ParseExact(parts[1], "yyyy-MM-dd", CultureInfo.InvariantCulture),
                DateOnly.ParseExact(parts[2], "yyyy-MM-dd", CultureInfo.InvariantCulture),
            ];
        }
    }
}
