using Ingestion.Omop;
using Ingestion.Pipeline.Activities;
using Ingestion.Pipeline.Publishing;
using Ingestion.Pipeline.Tests.Engine;
using Ingestion.Privacy;
using Ingestion.Storage.Embedded;

namespace Ingestion.Pipeline.Tests.Integrity;

/// <summary>The fan-in's eras, reduced one person at a time from sorted staged events, are the eras one builder of
/// every event gives; an incremental run's events and its predecessor's collapse together.</summary>
public sealed class EraEventsReduceTests : IDisposable
{
    private static readonly DateOnly D0 = new(2020, 1, 1);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "era-reduce-" + Guid.NewGuid().ToString("N"));
    private readonly FileSystemLake _lake;
    private readonly KeyedDeidentifier _deid = new(new DeidentificationOptions { Key = Convert.ToBase64String(new byte[32]) });

    public EraEventsReduceTests() => _lake = new FileSystemLake(new FileSystemLakeOptions { RootPath = _root });

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Eras_reduced_per_person_from_spilled_sorts_equal_one_builder_of_every_event()
    {
        // 600 persons' events spread over 7 files in no order, some events staged again (another file, other dates:
        // the later file's copy counts), small sort runs so both sorts spill.
        var random = new Random(19);
        var files = Enumerable.Range(0, 7).Select(_ => new List<StagedEraEvent>()).ToList();
        var all = new EraBuilder(_deid);
        var staged = new List<StagedEraEvent>();
        for (var i = 0; i < 20_000; i++)
        {
            var e = RandomEvent(random, eventId: 1_000_000 - i * 13L);
            if (i > 100 && random.Next(10) == 0) e = e with { EventId = staged[random.Next(staged.Count)].EventId }; // the same event again
            staged.Add(e);
            files[random.Next(files.Count)].Add(e);
        }
        for (var f = 0; f < files.Count; f++)
        {
            await StageAsync(EraEventStaging.PathOf("run1", f), files[f]);
            foreach (var e in files[f]) all.Add(e.KindName, e.EventId, e.Person, e.Concept, e.Start, e.End);
        }

        var options = new PipelineOptions { FanInSortRunLength = 500 };
        await using var reduce = new EraEventsReduce(_lake, _deid, null, options);
        await reduce.SortAsync("run1", Enumerable.Range(0, files.Count).Select(f => EraEventStaging.PathOf("run1", f)), null, CancellationToken.None);
        var written = await WriteAsync(reduce);

        Assert.Equal(all.EventCount, reduce.MergedEvents);
        Assert.True(all.ConditionEras().Count() > 1_000);
        Assert.Equal(Lines(all.ConditionEras()), Lines(written[CdmTables.ConditionEra.Name]));
        Assert.Equal(Lines(all.DrugEras()), Lines(written[CdmTables.DrugEra.Name]));
        Assert.False(written.ContainsKey(CdmTables.Deletions.Name));
        // The run's merged events: one per event_id, its last copy, by event_id.
        Assert.Equal(Lines(all.Events()), Lines((await ReadAsync(EraEventStaging.MergedPathOf("run1"))).Select(Row)));
    }

    [Fact]
    public async Task Events_of_the_previous_run_and_this_run_for_the_same_person_collapse_into_one_era()
    {
        // Run 1: two condition eras of person 5, 60 days apart, and a drug era; person 6 untouched later.
        await StageAsync(EraEventStaging.PathOf("run1", 0),
        [
            Condition(1, person: 5, 0, 10), Condition(2, person: 5, 70, 80), Drug(3, person: 5, 0, 5), Condition(4, person: 6, 0, 3),
        ]);
        await using (var first = new EraEventsReduce(_lake, _deid, null, new PipelineOptions()))
        {
            await first.SortAsync("run1", [EraEventStaging.PathOf("run1", 0)], null, CancellationToken.None);
            await WriteAsync(first);
        }
        // Run 2 (incremental): a new event of person 5 within 30 days of both eras, and event 3 again, updated.
        await StageAsync(EraEventStaging.PathOf("run2", 0), [Condition(7, person: 5, 35, 45), Drug(3, person: 5, 0, 9)]);
        await using var second = new EraEventsReduce(_lake, _deid, null, new PipelineOptions());
        await second.SortAsync("run2", [EraEventStaging.PathOf("run2", 0)], "run1", CancellationToken.None);
        var written = await WriteAsync(second);

        var conditionEras = written[CdmTables.ConditionEra.Name];
        Assert.Equal(2, conditionEras.Count);
        Assert.Equal([5L, 201826, D0, D0.AddDays(80), 3], conditionEras[0][1..]); // events 1, 7 and 2: one era
        Assert.Equal([6L, 201826, D0, D0.AddDays(3), 1], conditionEras[1][1..]);
        Assert.Equal([5L, 1836430, D0, D0.AddDays(9), 1, 0], Assert.Single(written[CdmTables.DrugEra.Name])[1..]); // this run's copy
        // The era run 1 started on day 70 is merged away: listed as deleted; the one of day 0 keeps its key.
        var deleted = Assert.Single(written[CdmTables.Deletions.Name]);
        var before = new EraBuilder(_deid);
        foreach (var e in new[] { Condition(2, person: 5, 70, 80) }) before.Add(e.KindName, e.EventId, e.Person, e.Concept, e.Start, e.End);
        Assert.Equal([CdmTables.ConditionEra.Name, CdmTables.ConditionEra.Name, before.ConditionEras().Single()[0], null], deleted);
        Assert.Equal(5, (await ReadAsync(EraEventStaging.MergedPathOf("run2"))).Count);
    }

    [Fact]
    public async Task An_incremental_reduce_from_an_older_builds_text_merged_events_writes_the_eras_deletions_and_merged_events_of_the_binary_ones()
    {
        // The predecessor's merged events (by event id), once binary ("prev-binary") and once as an older build's text
        // ("prev-text": the first incremental run after an upgrade).
        var random = new Random(23);
        var previous = Enumerable.Range(0, 3_000).Select(i => RandomEvent(random, eventId: i * 7L - 5_000)).ToList();
        await StageAsync(EraEventStaging.MergedPathOf("prev-binary"), previous);
        await OldBuildStaging.WriteAsync(_lake, StagedFileFormat.LegacyTextPathOf(EraEventStaging.MergedPathOf("prev-text")), previous.Select(OldBuildStaging.Line));
        // This run's events: new ones and updated copies of the predecessor's.
        var current = Enumerable.Range(0, 800).Select(i => RandomEvent(random, eventId: i % 2 == 0 ? previous[random.Next(previous.Count)].EventId : 100_000 + i)).ToList();
        await StageAsync(EraEventStaging.PathOf("after-binary", 0), current);
        await StageAsync(EraEventStaging.PathOf("after-text", 0), current);

        var fromBinary = await ReduceAsync("after-binary", "prev-binary");
        var fromText = await ReduceAsync("after-text", "prev-text");

        Assert.True(fromBinary[CdmTables.Deletions.Name].Count > 0, "the fixture must merge eras of the predecessor away");
        Assert.Equal(fromBinary.Keys.Order(), fromText.Keys.Order());
        foreach (var table in fromBinary.Keys) Assert.Equal(Lines(fromBinary[table]), Lines(fromText[table]));
        // This run's merged events are binary (the next run reads no text) and the same.
        Assert.Equal(await ReadAsync(EraEventStaging.MergedPathOf("after-binary")), await ReadAsync(EraEventStaging.MergedPathOf("after-text")));
        Assert.Null(await _lake.GetAsync(StagedFileFormat.LegacyTextPathOf(EraEventStaging.MergedPathOf("after-text"))));
    }

    [Fact]
    public async Task Per_file_text_staging_of_an_older_build_still_fails_the_reduce_with_a_version_mismatch()
    {
        var perFile = StagedFileFormat.LegacyTextPathOf(EraEventStaging.PathOf("run1", 0));
        await OldBuildStaging.WriteAsync(_lake, perFile, ["sdrug,1,2,1836430,2020-01-01,2020-01-05"]);

        await using var reduce = new EraEventsReduce(_lake, _deid, null, new PipelineOptions());
        var e = await Assert.ThrowsAsync<StagingFormatException>(() => reduce.SortAsync("run1", [EraEventStaging.PathOf("run1", 0)], null, CancellationToken.None));

        Assert.Equal(StagingFormatException.VersionMismatch, e.ErrorCode);
        Assert.Equal(perFile, e.Path);
    }

    private async Task<Dictionary<string, List<object?[]>>> ReduceAsync(string runId, string previousRunId)
    {
        await using var reduce = new EraEventsReduce(_lake, _deid, null, new PipelineOptions { FanInSortRunLength = 500 });
        await reduce.SortAsync(runId, [EraEventStaging.PathOf(runId, 0)], previousRunId, CancellationToken.None);
        return await WriteAsync(reduce);
    }

    private static StagedEraEvent Condition(long id, long person, int start, int end) =>
        new(StagedEraEvent.ConditionKind, id, person, 201826, D0.AddDays(start).DayNumber, D0.AddDays(end).DayNumber);

    private static StagedEraEvent Drug(long id, long person, int start, int end) =>
        new(StagedEraEvent.DrugKind, id, person, 1836430, D0.AddDays(start).DayNumber, D0.AddDays(end).DayNumber);

    private static StagedEraEvent RandomEvent(Random random, long eventId)
    {
        var start = D0.AddDays(random.Next(3_000));
        return new StagedEraEvent(random.Next(2), eventId, random.Next(-300, 300) * 1_000_003L, 1000 + random.Next(6),
            start.DayNumber, start.AddDays(random.Next(60)).DayNumber);
    }

    private async Task StageAsync(string path, IEnumerable<StagedEraEvent> events)
    {
        await using var file = EraEventStaging.Create(_lake, path);
        foreach (var e in events) await EraEventStaging.WriteAsync(file, e, CancellationToken.None);
        await file.CompleteAsync(CancellationToken.None);
    }

    private async Task<List<StagedEraEvent>> ReadAsync(string path)
    {
        var events = new List<StagedEraEvent>();
        await using var reader = (await EraEventStaging.OpenAsync(_lake, path, CancellationToken.None))!;
        var batch = new StagedEraEvent[100];
        int count;
        while ((count = await reader.ReadAsync(batch, CancellationToken.None)) > 0) events.AddRange(batch.AsSpan(0, count));
        return events;
    }

    private static async Task<Dictionary<string, List<object?[]>>> WriteAsync(EraEventsReduce reduce)
    {
        var written = new Dictionary<string, List<object?[]>>();
        await reduce.WriteAsync((table, row, _) =>
        {
            if (!written.TryGetValue(table.Name, out var rows)) written[table.Name] = rows = [];
            rows.Add(row);
            return ValueTask.CompletedTask;
        }, CancellationToken.None);
        return written;
    }

    private static object?[] Row(StagedEraEvent e) => [e.KindName, e.EventId, e.Person, e.Concept, e.Start, e.End];

    private static List<string> Lines(IEnumerable<object?[]> rows) => rows.Select(r => string.Join('|', r)).ToList();
}
