using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Ingestion.Omop;
using Ingestion.Storage;

namespace Ingestion.Pipeline.Activities;

/// <summary>
/// What a file stages for the run's referential-integrity pass (docs/lake-layout.md): one binary record per row it
/// wrote to a Parquet part, in write order, under <c>_staging/&lt;runId&gt;/integrity/file-&lt;fileIndex&gt;.keys</c>:
/// the row's table and key, its resource's <c>meta.lastUpdated</c> and NDJSON line (the tie-breaks between two rows of
/// one key), the start of a visit (preceding visit) and the row's key references in <see cref="CdmForeignKeys.Of"/>
/// order. Keys and counters only, never values.
/// <para>Format (little-endian): the <see cref="StagedFileFormat"/> header of <see cref="Magic"/>, the format
/// <see cref="Version"/> and a fingerprint of the table layout the records index; then per row <c>int32 table</c> (index in
/// <see cref="CdmTables.All"/>), <c>int32 present</c> (bit i: reference i is not null), <c>int64 key, lastUpdatedTicks,
/// line, startTicks</c> and one <c>int64</c> per reference of the table (0 when null): fixed width per table, encoded
/// from spans and read back in blocks without a string or a parse per row. A file of another format or layout (a run
/// resumed on a different build) fails with <see cref="StagingFormatException"/>, never misread.</para>
/// </summary>
public static class RowKeyStaging
{
    /// <summary>"IRKS": the first bytes of every row-key file (the text format this replaced began with a table name).</summary>
    internal const uint Magic = 0x534B5249;

    /// <summary>The record format; 2 since the text format (1, <c>.csv</c>).</summary>
    internal const int Version = 2;

    /// <summary>Table, presence bits and the four numbers every record has.</summary>
    private const int FixedBytes = 8 + 4 * 8;

    /// <summary>Most references a table has (visit_detail's six); <see cref="StagedReferences"/> holds this many.</summary>
    internal const int MaxReferences = 8;

    public static string PathOf(string runId, int fileIndex) => $"_staging/{runId}/integrity/file-{fileIndex:D5}.keys";

    /// <summary>The outcome of the run's integrity pass, read by the publisher.</summary>
    public static string ResultPathOf(string runId) => $"_staging/{runId}/integrity/result.json";

    /// <summary>The keys a run's committed view holds per referenced table (merged with earlier incremental runs'):
    /// the next incremental run of the source starts from them.</summary>
    public static string MergedPathOf(string runId, OmopTable table) => $"_staging/{runId}/integrity/merged/{table.Name}.csv";

    private static readonly Dictionary<OmopTable, int> TableIndex =
        CdmTables.All.Select((t, i) => (t, i)).ToDictionary<(OmopTable t, int i), OmopTable, int>(p => p.t, p => p.i, ReferenceEqualityComparer.Instance);

    /// <summary>Per table index, the references (<see cref="CdmForeignKeys.Of"/>) as an array: read per record.</summary>
    internal static readonly CdmForeignKey[][] References = CdmTables.All.Select(t =>
        CdmForeignKeys.Of(t).Count <= MaxReferences ? CdmForeignKeys.Of(t).ToArray() : throw new InvalidOperationException($"{t.Name} has more references than a staged row key holds.")).ToArray();

    /// <summary>Per table index, whether the table has a row key (<see cref="CdmForeignKeys.HasRowKey"/>, which compares
    /// names): checked per staged record read.</summary>
    private static readonly bool[] Keyed = CdmTables.All.Select(CdmForeignKeys.HasRowKey).ToArray();

    /// <summary>The header; its fingerprint identifies the table list and reference counts the records' table indexes
    /// and widths depend on: a build that adds, moves or changes a table writes another.</summary>
    internal static StagedFileFormat Format { get; } = new("staged row keys", Magic, Version, string.Concat(CdmTables.All.Select(table =>
        table.Name + ":" + string.Join(',', CdmForeignKeys.Of(table).Select(fk => fk.Column)) + ";")));

    /// <summary>The file header, for <see cref="StagedBinaryFile"/>.</summary>
    internal static ReadOnlyMemory<byte> FileHeader => Format.Header;

    /// <summary>Bytes of one record of the table at <paramref name="tableIndex"/>.</summary>
    internal static int RecordBytes(int tableIndex) => FixedBytes + 8 * References[tableIndex].Length;

    /// <summary>The index in <see cref="CdmTables.All"/> a record names its table by.</summary>
    internal static int IndexOf(OmopTable table) => TableIndex[table];

    /// <summary>Stages row <paramref name="row"/> of <paramref name="rows"/> (a keyed table) into <paramref name="file"/>.</summary>
    internal static ValueTask WriteAsync(StagedBinaryFile file, OmopRowBuffer rows, int row, long lastUpdatedTicks, long lineNumber, CancellationToken cancellationToken)
    {
        var table = rows.Table;
        var index = IndexOf(table);
        var columns = References[index];
        var start = ReferenceEquals(table, CdmTables.VisitOccurrence) ? PrecedingVisitChain.StartTicksOf(rows, row) : 0;
        var present = 0;
        var references = default(StagedReferences);
        for (var i = 0; i < columns.Length; i++)
        {
            if (rows.IsNull(row, columns[i].Index)) continue;
            present |= 1 << i;
            references[i] = rows.Int64(row, columns[i].Index);
        }
        return WriteAsync(file, new StagedRowKey(index, rows.Int64(row, 0), lastUpdatedTicks, lineNumber, start, present, references), cancellationToken);
    }

    /// <summary>Stages one row key (also one read back from staging, unchanged: a deferred row carried to the next run).</summary>
    internal static ValueTask WriteAsync(StagedBinaryFile file, in StagedRowKey key, CancellationToken cancellationToken)
    {
        var count = References[key.TableIndex].Length;
        var record = file.Reserve(RecordBytes(key.TableIndex));
        BinaryPrimitives.WriteInt32LittleEndian(record, key.TableIndex);
        BinaryPrimitives.WriteInt32LittleEndian(record[4..], key.Present);
        BinaryPrimitives.WriteInt64LittleEndian(record[8..], key.Key);
        BinaryPrimitives.WriteInt64LittleEndian(record[16..], key.LastUpdatedTicks);
        BinaryPrimitives.WriteInt64LittleEndian(record[24..], key.Line);
        BinaryPrimitives.WriteInt64LittleEndian(record[32..], key.StartTicks);
        // A null reference is written as 0 (its presence bit is clear).
        for (var i = 0; i < count; i++) BinaryPrimitives.WriteInt64LittleEndian(record[(FixedBytes + 8 * i)..], key.Reference(i) ?? 0);
        return file.EndRecordAsync(cancellationToken);
    }

    /// <summary>Opens a file's staged rows for reading in write order; null when the file does not exist.</summary>
    internal static Task<StagedRecordReader<StagedRowKey>?> OpenAsync(ILake lake, string path, CancellationToken cancellationToken) =>
        StagedRecordReader<StagedRowKey>.OpenAsync(lake, path, cancellationToken);

    /// <summary>Decodes one record of <paramref name="bytes"/> (exactly <see cref="RecordBytes"/> of its table).</summary>
    internal static StagedRowKey Decode(ReadOnlySpan<byte> bytes)
    {
        var index = BinaryPrimitives.ReadInt32LittleEndian(bytes);
        var present = BinaryPrimitives.ReadInt32LittleEndian(bytes[4..]);
        var count = References[index].Length;
        var references = default(StagedReferences);
        for (var i = 0; i < count; i++) references[i] = BinaryPrimitives.ReadInt64LittleEndian(bytes[(FixedBytes + 8 * i)..]);
        return new StagedRowKey(index, BinaryPrimitives.ReadInt64LittleEndian(bytes[8..]), BinaryPrimitives.ReadInt64LittleEndian(bytes[16..]),
            BinaryPrimitives.ReadInt64LittleEndian(bytes[24..]), BinaryPrimitives.ReadInt64LittleEndian(bytes[32..]), present, references);
    }

    /// <summary>The table index at the start of a record, checked: a corrupt file fails instead of indexing past the tables.</summary>
    internal static int TableIndexAt(ReadOnlySpan<byte> bytes, string path)
    {
        var index = BinaryPrimitives.ReadInt32LittleEndian(bytes);
        return (uint)index < (uint)Keyed.Length && Keyed[index] ? index
            : throw Format.Corrupt(path, $"name no keyed table (index {index})");
    }
}

/// <summary>A staged row's key references (<see cref="CdmForeignKeys.Of"/> order), held inline: no array per row.</summary>
[InlineArray(RowKeyStaging.MaxReferences)]
public struct StagedReferences
{
    private long _first;
}

/// <summary>One staged row: its table (index in <see cref="CdmTables.All"/>) and key, its resource's lastUpdated (UTC
/// ticks, 0 when absent) and NDJSON line, a visit's start (UTC ticks) and its key references (<see cref="CdmForeignKeys.Of"/>
/// order; <see cref="Reference"/> is null when empty).</summary>
public readonly struct StagedRowKey(int tableIndex, long key, long lastUpdatedTicks, long line, long startTicks, int present, StagedReferences references)
    : IStagedRecord<StagedRowKey>
{
    static StagedFileFormat IStagedRecord<StagedRowKey>.Format => RowKeyStaging.Format;

    static int IStagedRecord<StagedRowKey>.SizeOf(ReadOnlySpan<byte> bytes, string path) =>
        bytes.Length < 4 ? 0 : RowKeyStaging.RecordBytes(RowKeyStaging.TableIndexAt(bytes, path));

    static StagedRowKey IStagedRecord<StagedRowKey>.Decode(ReadOnlySpan<byte> bytes) => RowKeyStaging.Decode(bytes);

    private readonly StagedReferences _references = references;

    public int TableIndex { get; } = tableIndex;
    public OmopTable Table => CdmTables.All[TableIndex];
    public long Key { get; } = key;
    public long LastUpdatedTicks { get; } = lastUpdatedTicks;
    public long Line { get; } = line;
    public long StartTicks { get; } = startTicks;

    /// <summary>Bit i set: reference i is not null.</summary>
    public int Present { get; } = present;

    public long? Reference(int i) => (Present & (1 << i)) != 0 ? _references[i] : null;

    /// <summary>The references' values (0 where <see cref="Present"/> has no bit).</summary>
    public StagedReferences References => _references;
}
