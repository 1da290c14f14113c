using System.Buffers.Binary;
using Ingestion.Omop;
using Ingestion.Storage;

namespace Ingestion.Pipeline.Activities;

/// <summary>
/// Per-file person date bounds (<see cref="PersonDateRange"/>), staged under <c>_staging/&lt;runId&gt;/person-dates/</c>
/// for the run's observation_period reduce, and the bounds a run's periods were built from (<see cref="MergedPathOf"/>).
/// <para>Format (little-endian): the <see cref="StagedFileFormat"/> header (<c>IPDT</c>, version 2: the text
/// <c>.csv</c> was 1), then 16 bytes per person, by person_id: <c>int64 person_id</c>, <c>int32 min_date,
/// max_date</c> (<see cref="DateOnly.DayNumber"/>).</para>
/// </summary>
public static class PersonDatesStaging
{
    internal const int RecordBytes = 16;

    internal static StagedFileFormat Format { get; } = new("staged person dates", 0x54445049, 2, "int64 person_id;int32 min_day;int32 max_day");

    public static string PathOf(string runId, int fileIndex) => $"_staging/{runId}/person-dates/file-{fileIndex:D5}.dates";

    /// <summary>The bounds a run's observation_period was built from, merged with earlier incremental runs': the next
    /// incremental run of the source starts from them.</summary>
    public static string MergedPathOf(string runId) => $"_staging/{runId}/person-dates/merged.dates";

    internal static Task<string?> WriteAsync(ILake lake, string runId, int fileIndex, PersonDateRange range, CancellationToken cancellationToken) =>
        WriteAsync(lake, PathOf(runId, fileIndex), range, cancellationToken);

    /// <summary>Writes the bounds (replacing the file); with none, deletes it and returns null.</summary>
    internal static async Task<string?> WriteAsync(ILake lake, string path, PersonDateRange range, CancellationToken cancellationToken)
    {
        await using var file = new StagedBinaryFile(lake, path, Format.Header);
        foreach (var (person, min, max) in range.Bounds())
        {
            var record = file.Reserve(RecordBytes);
            BinaryPrimitives.WriteInt64LittleEndian(record, person);
            BinaryPrimitives.WriteInt32LittleEndian(record[8..], min.DayNumber);
            BinaryPrimitives.WriteInt32LittleEndian(record[12..], max.DayNumber);
            await file.EndRecordAsync(cancellationToken).ConfigureAwait(false);
        }
        return await file.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    internal static Task<StagedRecordReader<StagedPersonDates>?> OpenAsync(ILake lake, string path, CancellationToken cancellationToken) =>
        StagedRecordReader<StagedPersonDates>.OpenAsync(lake, path, cancellationToken);
}

/// <summary>One person's earliest and latest event date of one staged file.</summary>
internal readonly record struct StagedPersonDates(long Person, DateOnly Min, DateOnly Max) : IStagedRecord<StagedPersonDates>
{
    public static StagedFileFormat Format => PersonDatesStaging.Format;

    public static int SizeOf(ReadOnlySpan<byte> bytes, string path) => bytes.Length < PersonDatesStaging.RecordBytes ? 0 : PersonDatesStaging.RecordBytes;

    public static StagedPersonDates Decode(ReadOnlySpan<byte> bytes) => new(BinaryPrimitives.ReadInt64LittleEndian(bytes),
        DateOnly.FromDayNumber(BinaryPrimitives.ReadInt32LittleEndian(bytes[8..])), DateOnly.FromDayNumber(BinaryPrimitives.ReadInt32LittleEndian(bytes[12..])));
}
