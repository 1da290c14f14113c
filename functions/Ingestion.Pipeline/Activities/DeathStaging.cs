using System.Buffers.Binary;
using System.Text;
using Ingestion.Omop;
using Ingestion.Storage;

namespace Ingestion.Pipeline.Activities;

/// <summary>
/// A file's death rows, staged for the fan-in under <c>_staging/&lt;runId&gt;/fan-in/death/</c>: one person's
/// Patient and cause-of-death rows may come from different files, so death is only written merged
/// (<see cref="DeathRecordMerger"/>).
/// <para>Format (little-endian): the <see cref="StagedFileFormat"/> header (<c>IDTH</c>, version 2: the text
/// <c>.csv</c> was 1), then per row <c>int64 person_id</c>, <c>int64 death_datetime</c> (UTC ticks),
/// <c>int32 death_date</c> (<see cref="DateOnly.DayNumber"/>), <c>int32 death_type_concept_id, cause_concept_id,
/// cause_source_concept_id</c>, <c>int32</c> presence bits (<see cref="Present"/>), <c>int32</c> byte length of
/// cause_source_value and its UTF-8 bytes: fixed width but for the one text column.</para>
/// </summary>
public static class DeathStaging
{
    internal const int FixedBytes = 40;

    /// <summary>Bytes of cause_source_value reserved at a time (what <see cref="StagedBinaryFile.Reserve"/> always has room for).</summary>
    private const int TextChunkBytes = 1024;

    internal static StagedFileFormat Format { get; } = new("staged death rows", 0x48544449, 2,
        "int64 person_id;int64 death_datetime_ticks;int32 death_date_day;int32 death_type_concept_id;int32 cause_concept_id;" +
        "int32 cause_source_concept_id;int32 present(datetime,type,cause,cause_source_value,cause_source_concept);int32 text_bytes;utf8 cause_source_value");

    /// <summary>Bit per nullable column: set when the column has a value.</summary>
    [Flags]
    internal enum Present
    {
        DateTime = 1,
        Type = 2,
        Cause = 4,
        CauseSourceValue = 8,
        CauseSourceConcept = 16,
    }

    public static string PathOf(string runId, int fileIndex) => $"_staging/{runId}/fan-in/{CdmTables.Death.Name}/file-{fileIndex:D5}.deaths";

    internal static StagedBinaryFile Create(ILake lake, string path) => new(lake, path, Format.Header);

    /// <summary>Stages death row <paramref name="row"/> of <paramref name="rows"/>.</summary>
    internal static async ValueTask WriteAsync(StagedBinaryFile file, OmopRowBuffer rows, int row, CancellationToken cancellationToken)
    {
        if (!ReferenceEquals(rows.Table, CdmTables.Death)) throw new ArgumentException($"A {rows.Table.Name} row cannot be staged as death.", nameof(rows));
        var text = rows.IsNull(row, 5) ? null : Encoding.UTF8.GetBytes(rows.String(row, 5)!);
        var present = (rows.IsNull(row, 2) ? 0 : Present.DateTime) | (rows.IsNull(row, 3) ? 0 : Present.Type) | (rows.IsNull(row, 4) ? 0 : Present.Cause)
            | (text is null ? 0 : Present.CauseSourceValue) | (rows.IsNull(row, 6) ? 0 : Present.CauseSourceConcept);
        var record = file.Reserve(FixedBytes);
        BinaryPrimitives.WriteInt64LittleEndian(record, rows.Int64(row, 0));
        BinaryPrimitives.WriteInt64LittleEndian(record[8..], (present & Present.DateTime) != 0 ? rows.Ticks(row, 2) : 0);
        BinaryPrimitives.WriteInt32LittleEndian(record[16..], rows.DayNumber(row, 1));
        BinaryPrimitives.WriteInt32LittleEndian(record[20..], (present & Present.Type) != 0 ? rows.Int32(row, 3) : 0);
        BinaryPrimitives.WriteInt32LittleEndian(record[24..], (present & Present.Cause) != 0 ? rows.Int32(row, 4) : 0);
        BinaryPrimitives.WriteInt32LittleEndian(record[28..], (present & Present.CauseSourceConcept) != 0 ? rows.Int32(row, 6) : 0);
        BinaryPrimitives.WriteInt32LittleEndian(record[32..], (int)present);
        BinaryPrimitives.WriteInt32LittleEndian(record[36..], text?.Length ?? 0);
        await file.EndRecordAsync(cancellationToken).ConfigureAwait(false);
        // The text follows in chunks the file always has room for; a record of any length stays contiguous.
        for (var written = 0; text is not null && written < text.Length; written += TextChunkBytes)
        {
            var chunk = text.AsSpan(written, Math.Min(TextChunkBytes, text.Length - written));
            chunk.CopyTo(file.Reserve(chunk.Length));
            await file.EndRecordAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    internal static Task<StagedRecordReader<StagedDeath>?> OpenAsync(ILake lake, string path, CancellationToken cancellationToken) =>
        StagedRecordReader<StagedDeath>.OpenAsync(lake, path, cancellationToken);
}

/// <summary>One staged death row in <see cref="CdmTables.Death"/> column order (deaths are few: boxed values).</summary>
internal readonly record struct StagedDeath(object?[] Row) : IStagedRecord<StagedDeath>
{
    public static StagedFileFormat Format => DeathStaging.Format;

    public static int SizeOf(ReadOnlySpan<byte> bytes, string path)
    {
        if (bytes.Length < DeathStaging.FixedBytes) return 0;
        var length = BinaryPrimitives.ReadInt32LittleEndian(bytes[36..]);
        return length >= 0 ? DeathStaging.FixedBytes + length : throw Format.Corrupt(path, "hold a row of negative length");
    }

    public static StagedDeath Decode(ReadOnlySpan<byte> bytes)
    {
        var present = (DeathStaging.Present)BinaryPrimitives.ReadInt32LittleEndian(bytes[32..]);
        return new StagedDeath(
        [
            BinaryPrimitives.ReadInt64LittleEndian(bytes),
            DateOnly.FromDayNumber(BinaryPrimitives.ReadInt32LittleEndian(bytes[16..])),
            (present & DeathStaging.Present.DateTime) != 0 ? new DateTime(BinaryPrimitives.ReadInt64LittleEndian(bytes[8..]), DateTimeKind.Utc) : null,
            Int(bytes, 20, present, DeathStaging.Present.Type),
            Int(bytes, 24, present, DeathStaging.Present.Cause),
            (present & DeathStaging.Present.CauseSourceValue) != 0 ? Encoding.UTF8.GetString(bytes[DeathStaging.FixedBytes..]) : null,
            Int(bytes, 28, present, DeathStaging.Present.CauseSourceConcept),
        ]);
    }

    private static object? Int(ReadOnlySpan<byte> bytes, int offset, DeathStaging.Present present, DeathStaging.Present bit) =>
        (present & bit) != 0 ? BinaryPrimitives.ReadInt32LittleEndian(bytes[offset..]) : null;
}
