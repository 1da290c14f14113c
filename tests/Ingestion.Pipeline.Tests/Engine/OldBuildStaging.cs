using System.Globalization;
using System.Text;
using Ingestion.Pipeline.Activities;
using Ingestion.Storage;

namespace Ingestion.Pipeline.Tests.Engine;

/// <summary>Merged staging as builds before the binary format wrote it (a939759's StagedRowCodec and PersonDatesStaging):
/// the fixtures of an incremental run after an upgrade.</summary>
internal static class OldBuildStaging
{
    /// <summary>An era_events row: text 's' + percent-encoded, then ids, concept and ISO dates.</summary>
    public static string Line(StagedEraEvent e) =>
        string.Create(CultureInfo.InvariantCulture, $"s{Uri.EscapeDataString(e.KindName)},{e.EventId},{e.Person},{e.Concept},{e.Start:yyyy-MM-dd},{e.End:yyyy-MM-dd}");

    /// <summary>person_id,min_date,max_date.</summary>
    public static string Line(StagedPersonDates d) => string.Create(CultureInfo.InvariantCulture, $"{d.Person},{d.Min:yyyy-MM-dd},{d.Max:yyyy-MM-dd}");

    public static Task WriteAsync(ILake lake, string path, IEnumerable<string> lines) =>
        lake.WriteAsync(path, Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + "\n"))), LakeWriteCondition.None);

    /// <summary>Replaces a binary staged file by the text file an older build wrote in its place (same records).</summary>
    public static async Task<int> DowngradeAsync<T>(ILake lake, string path, Func<T, string> line) where T : IStagedRecord<T>
    {
        var lines = new List<string>();
        await using (var reader = (await StagedRecordReader<T>.OpenAsync(lake, path, CancellationToken.None))!)
        {
            var batch = new T[256];
            int count;
            while ((count = await reader.ReadAsync(batch, CancellationToken.None)) > 0) lines.AddRange(batch.Take(count).Select(line));
        }
        await WriteAsync(lake, StagedFileFormat.LegacyTextPathOf(path), lines);
        await lake.DeleteAsync(path);
        return lines.Count;
    }
}
