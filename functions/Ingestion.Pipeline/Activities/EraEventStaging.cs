using System.Buffers.Binary;
using Ingestion.Omop;
using Ingestion.Storage;

namespace Ingestion.Pipeline.Activities;

/// <summary>
/// A file's era inputs (<see cref="CdmTables.EraEvents"/> rows, from condition_occurrence and drug_exposure rows),
/// staged for the run's condition_era and drug_era under <c>_staging/&lt;runId&gt;/fan-in/era_events/</c>, and the
/// events a run's eras were built from (<see cref="MergedPathOf"/>), which the next incremental run starts from.
/// <para>Format (little-endian): the <see cref="StagedFileFormat"/> header (<c>IERA</c>, version 2: the text
/// <c>.csv</c> was 1), then 32 bytes per event: <c>int32 kind</c> (0 condition, 1 drug), <c>int32 concept_id</c>,
/// <c>int64 event_id, person_id</c>, <c>int32 start, end</c> (<see cref="DateOnly.DayNumber"/>). Ids, concepts and
/// dates only, never text.</para>
/// </summary>
public static class EraEventStaging
{
    internal const int RecordBytes = 32;

    internal static StagedFileFormat Format { get; } = new("staged era events", 0x41524549, 2,
        "int32 kind(condition=0,drug=1);int32 concept_id;int64 event_id;int64 person_id;int32 start_day;int32 end_day");

    public static string PathOf(string runId, int fileIndex) => $"_staging/{runId}/fan-in/{CdmTables.EraEvents.Name}/file-{fileIndex:D5}.events";

    /// <summary>The era events a run's eras were built from (one per event_id, by event_id), merged with earlier
    /// incremental runs'.</summary>
    public static string MergedPathOf(string runId) => $"_staging/{runId}/fan-in/{CdmTables.EraEvents.Name}/merged.events";

    /// <summary>A staged file to write events to (<see cref="WriteAsync(StagedBinaryFile, OmopRowBuffer, int, CancellationToken)"/>).</summary>
    internal static StagedBinaryFile Create(ILake lake, string path) => new(lake, path, Format.Header);

    /// <summary>Stages era_events row <paramref name="row"/> of <paramref name="events"/> (<see cref="EraEvents.TryAdd"/>).</summary>
    internal static ValueTask WriteAsync(StagedBinaryFile file, OmopRowBuffer events, int row, CancellationToken cancellationToken) =>
        WriteAsync(file, new StagedEraEvent(events.String(row, 0) == EraEvents.Drug ? StagedEraEvent.DrugKind : StagedEraEvent.ConditionKind,
            events.Int64(row, 1), events.Int64(row, 2), events.Int32(row, 3), events.DayNumber(row, 4), events.DayNumber(row, 5)), cancellationToken);

    internal static ValueTask WriteAsync(StagedBinaryFile file, in StagedEraEvent e, CancellationToken cancellationToken)
    {
        var record = file.Reserve(RecordBytes);
        BinaryPrimitives.WriteInt32LittleEndian(record, e.Kind);
        BinaryPrimitives.WriteInt32LittleEndian(record[4..], e.Concept);
        BinaryPrimitives.WriteInt64LittleEndian(record[8..], e.EventId);
        BinaryPrimitives.WriteInt64LittleEndian(record[16..], e.Person);
        BinaryPrimitives.WriteInt32LittleEndian(record[24..], e.StartDay);
        BinaryPrimitives.WriteInt32LittleEndian(record[28..], e.EndDay);
        return file.EndRecordAsync(cancellationToken);
    }

    /// <summary>Opens a staged file for reading; null when it does not exist (a file without era inputs).</summary>
    internal static Task<StagedRecordReader<StagedEraEvent>?> OpenAsync(ILake lake, string path, CancellationToken cancellationToken) =>
        StagedRecordReader<StagedEraEvent>.OpenAsync(lake, path, cancellationToken);
}

/// <summary>One staged era input: kind (<see cref="ConditionKind"/>, <see cref="DrugKind"/>), the row's key, person,
/// standard concept and dates as day numbers. Unmanaged, so the fan-in sorts it in spilled runs.</summary>
internal readonly record struct StagedEraEvent(int Kind, long EventId, long Person, int Concept, int StartDay, int EndDay) : IStagedRecord<StagedEraEvent>
{
    public const int ConditionKind = 0;
    public const int DrugKind = 1;

    public string KindName => Kind == DrugKind ? EraEvents.Drug : EraEvents.Condition;

    public DateOnly Start => DateOnly.FromDayNumber(StartDay);

    public DateOnly End => DateOnly.FromDayNumber(EndDay);

    public static StagedFileFormat Format => EraEventStaging.Format;

    public static int SizeOf(ReadOnlySpan<byte> bytes, string path)
    {
        if (bytes.Length < 4) return 0;
        var kind = BinaryPrimitives.ReadInt32LittleEndian(bytes);
        return kind is ConditionKind or DrugKind ? EraEventStaging.RecordBytes : throw Format.Corrupt(path, $"hold an event of no known kind ({kind})");
    }

    public static StagedEraEvent Decode(ReadOnlySpan<byte> bytes) => new(
        BinaryPrimitives.ReadInt32LittleEndian(bytes), BinaryPrimitives.ReadInt64LittleEndian(bytes[8..]), BinaryPrimitives.ReadInt64LittleEndian(bytes[16..]),
        BinaryPrimitives.ReadInt32LittleEndian(bytes[4..]), BinaryPrimitives.ReadInt32LittleEndian(bytes[24..]), BinaryPrimitives.ReadInt32LittleEndian(bytes[28..]));
}
