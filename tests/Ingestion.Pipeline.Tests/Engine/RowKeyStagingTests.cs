using Ingestion.Fhir.Json;
using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Ingestion.Omop;
using Ingestion.Pipeline.Activities;
using Ingestion.Storage;
using Ingestion.Storage.Embedded;

namespace Ingestion.Pipeline.Tests.Engine;

/// <summary>The row keys a file stages for the integrity pass come back exactly as staged, in order, across read
/// blocks; a file of another format (a run resumed on another build) or a cut one fails clearly, never misreads.</summary>
public sealed class RowKeyStagingTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "row-key-staging-" + Guid.NewGuid().ToString("N"));
    private readonly FileSystemLake _lake;

    public RowKeyStagingTests() => _lake = new FileSystemLake(new FileSystemLakeOptions { RootPath = _root });

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Staged_row_keys_read_back_in_write_order_with_their_references_nulls_and_tie_breaks()
    {
        var path = RowKeyStaging.PathOf("run1", 7);
        var expected = await StageAsync(path, 5_000);

        var read = await ReadAllAsync(path, blockRows: 333);

        Assert.Equal(expected.Count, read.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            var (table, key, lastUpdated, line, start, references) = expected[i];
            var row = read[i];
            Assert.Same(table, row.Table);
            Assert.Equal(key, row.Key);
            Assert.Equal(lastUpdated, row.LastUpdatedTicks);
            Assert.Equal(line, row.Line);
            Assert.Equal(start, row.StartTicks);
            Assert.Equal(references, Enumerable.Range(0, references.Length).Select(row.Reference));
        }
    }

    [Fact]
    public async Task A_file_with_no_keyed_row_stages_nothing_and_removes_an_earlier_attempts_file()
    {
        var path = RowKeyStaging.PathOf("run1", 3);
        await StageAsync(path, 10);
        await using (var stager = new RowKeyStager(_lake, path))
        {
            // death has no row key of its own: nothing to stage.
            var death = new OmopRowBuffer(CdmTables.Death);
            death.AddBoxed([1L, new DateOnly(2020, 1, 1), null, 32817, null, null, null]);
            await stager.WriteAsync(death, 0, CancellationToken.None);
            Assert.Null(await stager.CompleteAsync(CancellationToken.None));
        }
        Assert.Null(await _lake.GetAsync(path));
        Assert.Null(await RowKeyStaging.OpenAsync(_lake, path, CancellationToken.None));
    }

    [Fact]
    public async Task Row_keys_staged_as_text_by_an_older_build_fail_with_a_version_mismatch_naming_the_file()
    {
        var path = "_staging/run1/integrity/file-00000.keys";
        await _lake.WriteAsync(path, Encoding.UTF8.GetBytes("person,42,0,1,0,,,\nvisit_occurrence,7,0,2,0,42,,,\n"));

        var e = await Assert.ThrowsAsync<StagingFormatException>(() => RowKeyStaging.OpenAsync(_lake, path, CancellationToken.None));

        Assert.Equal(StagingFormatException.VersionMismatch, e.ErrorCode);
        Assert.Equal(path, e.Path);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<NonRetryableActivityException>(e);
    }

    [Theory]
    [InlineData(4, "version")]
    [InlineData(8, "layout")]
    public async Task Row_keys_of_another_format_version_or_table_layout_fail_with_a_version_mismatch(int field, string what)
    {
        var path = RowKeyStaging.PathOf("run1", 1);
        await StageAsync(path, 20);
        var bytes = await ReadBytesAsync(path);
        // The header as another build would have written it: the next version, or another table list.
        if (field == 4) BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(4)) + 1);
        else bytes[8] ^= 0xFF;
        await _lake.WriteAsync(path, bytes);

        var e = await Assert.ThrowsAsync<StagingFormatException>(() => RowKeyStaging.OpenAsync(_lake, path, CancellationToken.None));

        Assert.Equal(StagingFormatException.VersionMismatch, e.ErrorCode);
        Assert.Contains(what, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_staged_file_cut_inside_a_record_fails_as_corrupt_instead_of_losing_the_row()
    {
        var path = RowKeyStaging.PathOf("run1", 2);
        await StageAsync(path, 50);
        var bytes = await ReadBytesAsync(path);
        await _lake.WriteAsync(path, bytes.AsMemory(0, bytes.Length - 5));

        var e = await Assert.ThrowsAsync<StagingFormatException>(() => ReadAllAsync(path, blockRows: 16));

        Assert.Equal(StagingFormatException.Corrupt, e.ErrorCode);
    }

    /// <summary>Stages rows of three keyed tables the way the file activity does; returns what each row should read back as.</summary>
    private async Task<List<(OmopTable Table, long Key, long LastUpdated, long Line, long Start, long?[] References)>> StageAsync(string path, int count)
    {
        var random = new Random(count);
        var expected = new List<(OmopTable, long, long, long, long, long?[])>();
        await using var stager = new RowKeyStager(_lake, path);
        for (var i = 0; i < count; i++)
        {
            DateTimeOffset? lastUpdated = i % 4 == 0 ? null : new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.FromHours(2)).AddMinutes(i);
            using var resource = ResourceDocument.Parse(lastUpdated is { } at ? "{\"meta\":{\"lastUpdated\":\"" + at.ToString("yyyy-MM-ddTHH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture) + "\"}}" : "{}");
            stager.BeginResource(resource.RootElement, i + 1);
            var (table, row, references, start) = (i % 3) switch
            {
                0 => Visit(random),
                1 => Measurement(random),
                _ => Person(random),
            };
            var rows = new OmopRowBuffer(table);
            rows.AddBoxed(row);
            await stager.WriteAsync(rows, 0, CancellationToken.None);
            expected.Add((table, (long)row[0]!, lastUpdated?.UtcTicks ?? 0, i + 1, start, references));
        }
        Assert.Equal(path, await stager.CompleteAsync(CancellationToken.None));
        return expected;
    }

    private static (OmopTable, object?[], long?[], long) Visit(Random random)
    {
        var table = CdmTables.VisitOccurrence;
        var row = new object?[table.Columns.Count];
        var start = new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMinutes(random.Next(1_000_000));
        row[0] = random.NextInt64(1, long.MaxValue);
        row[1] = random.NextInt64(1, long.MaxValue);
        row[2] = 9202;
        row[3] = DateOnly.FromDateTime(start);
        row[4] = random.Next(2) == 0 ? start : null;
        row[5] = DateOnly.FromDateTime(start);
        row[7] = 32827;
        row[table.IndexOf("provider_id")] = random.Next(2) == 0 ? random.NextInt64(long.MinValue, long.MaxValue) : null;
        var expectedStart = row[4] is DateTime t ? t.Ticks : ((DateOnly)row[3]!).ToDateTime(TimeOnly.MinValue).Ticks;
        return (table, row, CdmForeignKeys.Of(table).Select(fk => (long?)row[fk.Index]).ToArray(), expectedStart);
    }

    private static (OmopTable, object?[], long?[], long) Measurement(Random random)
    {
        var table = CdmTables.Measurement;
        var row = new object?[table.Columns.Count];
        for (var c = 0; c < row.Length; c++)
        {
            var column = table.Columns[c];
            if (!column.Required) continue;
            row[c] = column.Type switch
            {
                OmopColumnType.BigInt => random.NextInt64(1, long.MaxValue),
                OmopColumnType.Integer => 3004410,
                OmopColumnType.Date => new DateOnly(2021, 5, 6),
                _ => null,
            };
        }
        foreach (var fk in CdmForeignKeys.Of(table).Where(fk => !fk.Required)) row[fk.Index] = random.Next(3) == 0 ? null : random.NextInt64(1, long.MaxValue);
        return (table, row, CdmForeignKeys.Of(table).Select(fk => (long?)row[fk.Index]).ToArray(), 0);
    }

    private static (OmopTable, object?[], long?[], long) Person(Random random)
    {
        var table = CdmTables.Person;
        var row = new object?[table.Columns.Count];
        row[0] = random.NextInt64(1, long.MaxValue);
        row[1] = 8507;
        row[2] = 1970;
        row[6] = 0;
        row[7] = 0;
        row[table.IndexOf("location_id")] = random.NextInt64(1, long.MaxValue);
        return (table, row, CdmForeignKeys.Of(table).Select(fk => (long?)row[fk.Index]).ToArray(), 0);
    }

    private async Task<List<StagedRowKey>> ReadAllAsync(string path, int blockRows)
    {
        var rows = new List<StagedRowKey>();
        await using var reader = (await RowKeyStaging.OpenAsync(_lake, path, CancellationToken.None))!;
        var block = new StagedRowKey[blockRows];
        int count;
        while ((count = await reader.ReadAsync(block, CancellationToken.None)) > 0) rows.AddRange(block.AsSpan(0, count));
        return rows;
    }

    private async Task<byte[]> ReadBytesAsync(string path)
    {
        await using var stream = await _lake.OpenReadAsync(path);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }
}
