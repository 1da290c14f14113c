using System.Buffers.Binary;
using Ingestion.Omop;
using Ingestion.Pipeline.Activities;
using Ingestion.Storage;
using Ingestion.Storage.Embedded;

namespace Ingestion.Pipeline.Tests.Engine;

/// <summary>The era events, death rows and person date bounds a file stages for the fan-in come back exactly as
/// written (types, nulls, text of any length), in order, across read blocks; a file of another format (a run resumed
/// on another build, the text files of older builds) or a cut one fails clearly, never misreads; a previous run's merged
/// text of an older build decodes, and a damaged line of it fails naming the line only.</summary>
public sealed class FanInStagingTests : IDisposable
{
    private static readonly DateOnly D0 = new(2021, 1, 1);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "fan-in-staging-" + Guid.NewGuid().ToString("N"));
    private readonly FileSystemLake _lake;

    public FanInStagingTests() => _lake = new FileSystemLake(new FileSystemLakeOptions { RootPath = _root });

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Staged_era_events_read_back_unchanged_in_write_order_across_read_blocks()
    {
        var path = EraEventStaging.PathOf("run1", 3);
        var expected = Enumerable.Range(0, 5_000).Select(i => new StagedEraEvent(i % 3 == 0 ? StagedEraEvent.DrugKind : StagedEraEvent.ConditionKind,
            long.MaxValue - i, i * 7919L - 1_000_000, 1836430 + i, D0.DayNumber - i, D0.DayNumber + i)).ToList();
        var rows = new OmopRowBuffer(CdmTables.EraEvents);
        await using (var file = EraEventStaging.Create(_lake, path))
        {
            foreach (var e in expected)
            {
                // Half from mapped rows (the file activity's way), half as read back (the fan-in's merged file).
                if (e.EventId % 2 == 0) await EraEventStaging.WriteAsync(file, e, CancellationToken.None);
                else
                {
                    rows.Clear();
                    rows.Add().Put(e.KindName).Put(e.EventId).Put(e.Person).Put(e.Concept).Put(e.Start).Put(e.End);
                    await EraEventStaging.WriteAsync(file, rows, 0, CancellationToken.None);
                }
            }
            Assert.Equal(path, await file.CompleteAsync(CancellationToken.None));
        }

        Assert.Equal(expected, await ReadAllAsync<StagedEraEvent>(path, batch: 333));
    }

    [Fact]
    public async Task Staged_files_written_and_read_side_by_side_keep_their_own_records_while_their_buffers_are_pooled()
    {
        // Writers and readers rent their blocks from the shared pool: one completed or disposed mid-way hands its block
        // to the next, which must never see (or leave behind) another file's bytes.
        static StagedEraEvent Event(int file, int i) => new(StagedEraEvent.ConditionKind, file * 1_000_000L + i, i, file, i, i + file);
        var paths = Enumerable.Range(0, 3).Select(f => EraEventStaging.PathOf("run1", 10 + f)).ToArray();
        // The third file starts once the first has completed and returned its buffer.
        var starts = new[] { 0, 0, 3_000 };
        var counts = new[] { 3_000, 9_000, 5_000 };
        var writers = new StagedBinaryFile?[3];
        for (var i = 0; i < 9_000; i++)
        {
            for (var f = 0; f < 3; f++)
            {
                var n = i - starts[f];
                if (n < 0 || n >= counts[f]) continue;
                var file = writers[f] ??= EraEventStaging.Create(_lake, paths[f]);
                await EraEventStaging.WriteAsync(file, Event(f, n), CancellationToken.None);
                if (n + 1 < counts[f]) continue;
                Assert.Equal(paths[f], await file.CompleteAsync(CancellationToken.None));
                await file.DisposeAsync();
            }
        }

        var readers = new StagedRecordReader<StagedEraEvent>?[paths.Length];
        for (var f = 0; f < paths.Length; f++) readers[f] = await StagedRecordReader<StagedEraEvent>.OpenAsync(_lake, paths[f], CancellationToken.None, blockBytes: 100);
        var read = paths.Select(_ => new List<StagedEraEvent>()).ToArray();
        var block = new StagedEraEvent[97];
        for (var open = 3; open > 0;)
        {
            for (var f = 0; f < 3; f++)
            {
                if (readers[f] is not { } reader) continue;
                var count = await reader.ReadAsync(block, CancellationToken.None);
                read[f].AddRange(block.AsSpan(0, count));
                if (count > 0) continue;
                await reader.DisposeAsync();
                readers[f] = null;
                open--;
            }
        }
        for (var f = 0; f < 3; f++) Assert.Equal(Enumerable.Range(0, counts[f]).Select(i => Event(f, i)), read[f]);
    }

    [Fact]
    public async Task Staged_death_rows_read_back_with_their_nulls_and_text_of_any_length()
    {
        var path = DeathStaging.PathOf("run1", 0);
        object?[][] deaths =
        [
            [1L, new DateOnly(2020, 2, 29), new DateTime(2020, 2, 29, 23, 59, 58, DateTimeKind.Utc), 32817, 201826, "http://x|a,b%c\nd é", 0],
            [2L, new DateOnly(2021, 1, 1), null, null, null, "", null],
            [3L, new DateOnly(1999, 12, 31), null, 32817, 4306655, new string('x', 70_000), 4306655],
            [-4L, new DateOnly(2021, 1, 2), null, 32817, null, null, null],
        ];
        var rows = new OmopRowBuffer(CdmTables.Death);
        await using (var file = DeathStaging.Create(_lake, path))
        {
            foreach (var death in deaths)
            {
                rows.Clear();
                rows.AddBoxed(death);
                await DeathStaging.WriteAsync(file, rows, 0, CancellationToken.None);
            }
            await file.CompleteAsync(CancellationToken.None);
        }

        var read = await ReadAllAsync<StagedDeath>(path, batch: 2);
        Assert.Equal(deaths, read.Select(d => d.Row));
    }

    [Fact]
    public async Task Staged_person_dates_read_back_by_person_and_a_file_without_any_leaves_nothing()
    {
        var path = PersonDatesStaging.PathOf("run1", 1);
        var range = new PersonDateRange();
        for (var person = 2_000L; person > -2_000; person -= 3)
        {
            range.Observe(person, D0.AddDays((int)person));
            range.Observe(person, D0.AddDays((int)(person % 17)));
        }
        Assert.Equal(path, await PersonDatesStaging.WriteAsync(_lake, "run1", 1, range, CancellationToken.None));

        var read = await ReadAllAsync<StagedPersonDates>(path, batch: 100);
        Assert.Equal(range.Bounds().Select(b => new StagedPersonDates(b.Person, b.Min, b.Max)), read);

        Assert.Null(await PersonDatesStaging.WriteAsync(_lake, "run1", 1, new PersonDateRange(), CancellationToken.None));
        Assert.Null(await _lake.GetAsync(path));
        Assert.Null(await PersonDatesStaging.OpenAsync(_lake, path, CancellationToken.None));
    }

    public static TheoryData<string> StagedKinds => ["era events", "death rows", "person dates"];

    [Theory]
    [MemberData(nameof(StagedKinds))]
    public async Task A_staged_file_of_another_format_version_or_record_layout_fails_with_a_version_mismatch_naming_only_the_file(string kind)
    {
        var path = await StageOneAsync(kind);
        var original = await ReadBytesAsync(path);
        foreach (var (offset, what) in new[] { (0, "binary format"), (4, "format version"), (8, "record layout") })
        {
            var bytes = (byte[])original.Clone();
            bytes[offset] ^= 0x5A;
            await _lake.WriteAsync(path, bytes, LakeWriteCondition.None);

            var e = await Assert.ThrowsAsync<StagingFormatException>(() => OpenAsync(kind, path));

            Assert.Equal(StagingFormatException.VersionMismatch, e.ErrorCode);
            Assert.Equal(path, e.Path);
            Assert.Contains(what, e.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(StagedKinds))]
    public async Task A_text_file_staged_by_an_older_build_fails_with_a_version_mismatch_instead_of_counting_as_nothing_staged(string kind)
    {
        var path = await StageOneAsync(kind);
        await _lake.DeleteAsync(path);
        var text = Path.ChangeExtension(path, ".csv");
        await _lake.WriteAsync(text, "1,2021-01-01,2021-01-02\n"u8.ToArray(), LakeWriteCondition.None);

        var e = await Assert.ThrowsAsync<StagingFormatException>(() => OpenAsync(kind, path));

        Assert.Equal(StagingFormatException.VersionMismatch, e.ErrorCode);
        Assert.Equal(text, e.Path);
        Assert.DoesNotContain("2021", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(StagedKinds))]
    public async Task A_staged_file_cut_inside_a_record_fails_as_corrupt_instead_of_losing_the_row(string kind)
    {
        var path = await StageOneAsync(kind);
        var bytes = await ReadBytesAsync(path);
        await _lake.WriteAsync(path, bytes[..^3], LakeWriteCondition.None);

        var e = await Assert.ThrowsAsync<StagingFormatException>(() => ReadAllAsync(kind, path));

        Assert.Equal(StagingFormatException.Corrupt, e.ErrorCode);
        Assert.Equal(path, e.Path);
    }

    [Fact]
    public async Task An_era_event_of_no_known_kind_fails_as_corrupt()
    {
        var path = await StageOneAsync("era events");
        var bytes = await ReadBytesAsync(path);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(StagedFileFormat.HeaderBytes), 7);
        await _lake.WriteAsync(path, bytes, LakeWriteCondition.None);

        var e = await Assert.ThrowsAsync<StagingFormatException>(() => ReadAllAsync<StagedEraEvent>(path, batch: 10));

        Assert.Equal(StagingFormatException.Corrupt, e.ErrorCode);
    }

    [Fact]
    public async Task A_previous_runs_merged_person_dates_in_an_older_builds_text_decode_to_the_binary_records()
    {
        var bounds = new[] { new StagedPersonDates(-9_223_372_036_854_775_807L, D0, D0.AddDays(3)), new StagedPersonDates(42, new DateOnly(1900, 2, 28), new DateOnly(2099, 12, 31)) };
        var text = StagedFileFormat.LegacyTextPathOf(PersonDatesStaging.MergedPathOf("prev"));
        await OldBuildStaging.WriteAsync(_lake, text, bounds.Select(OldBuildStaging.Line));

        Assert.Equal(text, await LegacyMergedStaging.FindAsync(_lake, PersonDatesStaging.MergedPathOf("prev"), CancellationToken.None));
        Assert.Equal(bounds, await AllAsync(LegacyMergedStaging.ReadPersonDatesAsync(_lake, text, CancellationToken.None)));
        // Without a text file (or with the binary one), nothing is read as text.
        Assert.Null(await LegacyMergedStaging.FindAsync(_lake, PersonDatesStaging.MergedPathOf("other"), CancellationToken.None));
    }

    public static TheoryData<string, string> MalformedOldLines => new()
    {
        { "era events", "scondition,1234567,7654321,201826,2020-01-01" },
        { "era events", "sprocedure,1234567,7654321,201826,2020-01-01,2020-01-09" },
        { "era events", "scondition,1234567,7654321,201826,2020-13-01,2020-01-09" },
        { "person dates", "7654321,2020-01-01,20200109" },
        { "person dates", "7654321x,2020-01-01,2020-01-09" },
    };

    [Theory]
    [MemberData(nameof(MalformedOldLines))]
    public async Task A_malformed_line_of_an_older_builds_merged_text_fails_as_corrupt_naming_the_file_and_line_but_no_value(string kind, string malformed)
    {
        var path = StagedFileFormat.LegacyTextPathOf(kind == "era events" ? EraEventStaging.MergedPathOf("prev") : PersonDatesStaging.MergedPathOf("prev"));
        var good = kind == "era events" ? "sdrug,1,2,1836430,2020-01-01,2020-01-05" : "2,2020-01-01,2020-01-05";
        await OldBuildStaging.WriteAsync(_lake, path, [good, good, malformed, good]);

        var e = await Assert.ThrowsAsync<StagingFormatException>(async () =>
        {
            if (kind == "era events") await AllAsync(LegacyMergedStaging.ReadEraEventsAsync(_lake, path, CancellationToken.None));
            else await AllAsync(LegacyMergedStaging.ReadPersonDatesAsync(_lake, path, CancellationToken.None));
        });

        Assert.Equal(StagingFormatException.Corrupt, e.ErrorCode);
        Assert.Equal(path, e.Path);
        Assert.Contains($"'{path}' line 3 ", e.Message, StringComparison.Ordinal);
        foreach (var value in malformed.Split(','))
            Assert.DoesNotContain(value, e.Message.Replace(path, "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    private static async Task<List<T>> AllAsync<T>(IAsyncEnumerable<T> records)
    {
        var all = new List<T>();
        await foreach (var record in records) all.Add(record);
        return all;
    }

    private async Task<string> StageOneAsync(string kind)
    {
        switch (kind)
        {
            case "era events":
            {
                var path = EraEventStaging.PathOf("run1", 0);
                await using var file = EraEventStaging.Create(_lake, path);
                await EraEventStaging.WriteAsync(file, new StagedEraEvent(StagedEraEvent.DrugKind, 1, 2, 3, D0.DayNumber, D0.DayNumber + 1), CancellationToken.None);
                await file.CompleteAsync(CancellationToken.None);
                return path;
            }
            case "death rows":
            {
                var path = DeathStaging.PathOf("run1", 0);
                var rows = new OmopRowBuffer(CdmTables.Death);
                rows.AddBoxed([1L, D0, null, 32817, 201826, "44054006", 201826]);
                await using var file = DeathStaging.Create(_lake, path);
                await DeathStaging.WriteAsync(file, rows, 0, CancellationToken.None);
                await file.CompleteAsync(CancellationToken.None);
                return path;
            }
            default:
            {
                var range = new PersonDateRange();
                range.Observe(1, D0);
                return (await PersonDatesStaging.WriteAsync(_lake, "run1", 0, range, CancellationToken.None))!;
            }
        }
    }

    private Task OpenAsync(string kind, string path) => kind switch
    {
        "era events" => EraEventStaging.OpenAsync(_lake, path, CancellationToken.None),
        "death rows" => DeathStaging.OpenAsync(_lake, path, CancellationToken.None),
        _ => PersonDatesStaging.OpenAsync(_lake, path, CancellationToken.None),
    };

    private Task ReadAllAsync(string kind, string path) => kind switch
    {
        "era events" => ReadAllAsync<StagedEraEvent>(path, 10),
        "death rows" => ReadAllAsync<StagedDeath>(path, 10),
        _ => ReadAllAsync<StagedPersonDates>(path, 10),
    };

    private async Task<List<T>> ReadAllAsync<T>(string path, int batch) where T : IStagedRecord<T>
    {
        var records = new List<T>();
        await using var reader = (await StagedRecordReader<T>.OpenAsync(_lake, path, CancellationToken.None, blockBytes: 256))!;
        var block = new T[batch];
        int count;
        while ((count = await reader.ReadAsync(block, CancellationToken.None)) > 0) records.AddRange(block.AsSpan(0, count));
        return records;
    }

    private async Task<byte[]> ReadBytesAsync(string path)
    {
        await using var stream = await _lake.OpenReadAsync(path);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }
}
