using Ingestion.Pipeline.Publishing;

namespace Ingestion.Pipeline.Tests.Integrity;

/// <summary>The preceding visits computed from spilled sorts (one visit held per chain) equal the in-memory computation
/// over the whole committed view: this run's rows, the earlier visits whose predecessor changed, the merged visit list.</summary>
public sealed class PrecedingVisitPassTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("preceding-visits-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private sealed record Visit(long Id, long Person, long Start, string? Part);

    [Theory]
    [InlineData(3, 64, 0)]
    [InlineData(5, 2_000, 0)]
    [InlineData(7, 3_000, 1_500)]
    [InlineData(1_000_000, 3_000, 1_500)]
    public async Task Predecessors_equal_the_in_memory_computation_with_many_persons_and_ties(int runLength, int runVisits, int earlierVisits)
    {
        var random = new Random(runLength + runVisits + earlierVisits);
        // Few persons and few distinct starts: many visits per person and many equal starts (ties go by key).
        Visit Random(long id, string? part) => new(id, random.Next(-20, 60), random.Next(0, 12) * 1_000L, part);
        var earlier = Enumerable.Range(0, earlierVisits).Select(_ => Random(random.Next(-5_000, 5_000), random.Next(5) == 0 ? null : $"earlier/part-{random.Next(4)}")).ToList();
        // The merged keys hold each visit once; this run's rows are unique, some replacing an earlier visit (moved).
        earlier = earlier.DistinctBy(v => v.Id).ToList();
        var runIds = new HashSet<long>();
        var run = new List<(Visit Visit, long Row)>();
        long row = 0;
        while (run.Count < runVisits)
        {
            row += random.Next(1, 3); // rows between are dropped rows: their slots stay empty
            var id = random.Next(3) == 0 && earlier.Count > 0 ? earlier[random.Next(earlier.Count)].Id : random.Next(-5_000, 5_000);
            if (runIds.Add(id)) run.Add((Random(id, null) with { Part = $"run-{row % 5}" }, row));
        }
        var rows = row + 3;

        await using var pass = new PrecedingVisitPass(new PipelineOptions { FanInSortRunLength = runLength, FanInSortDirectory = _root });
        foreach (var v in earlier) await pass.AddEarlierAsync(v.Id, v.Person, v.Start, v.Part, CancellationToken.None);
        foreach (var (v, r) in run.OrderBy(_ => random.Next())) await pass.AddRunAsync(v.Id, v.Person, v.Start, r, (int)(r % 5), CancellationToken.None);
        await pass.ComputeAsync(rows, CancellationToken.None);

        var committed = earlier.Where(v => !runIds.Contains(v.Id)).Concat(run.Select(r => r.Visit)).ToList();
        var before = InMemoryPredecessors(earlier);
        var now = InMemoryPredecessors(committed);

        var slots = new PrecedingSlot[rows];
        await using (var reader = pass.OpenRows(0)) await reader.ReadAsync(slots, slots.Length, CancellationToken.None);
        var expectedSlots = new PrecedingSlot[rows];
        foreach (var (v, r) in run) expectedSlots[r] = now[v.Id] is long p ? new PrecedingSlot(1, p) : default;
        Assert.Equal(expectedSlots, slots);
        Assert.Equal(run.Exists(r => now[r.Visit.Id] is not null), pass.AnyRunVisitPreceded);

        // A part's rewrite reads from its own first row.
        var from = rows / 2;
        var tail = new PrecedingSlot[rows - from];
        await using (var reader = pass.OpenRows(from)) await reader.ReadAsync(tail, tail.Length, CancellationToken.None);
        Assert.Equal(expectedSlots[(int)from..], tail);

        var changed = earlier.Where(v => !runIds.Contains(v.Id) && before.GetValueOrDefault(v.Id) != now.GetValueOrDefault(v.Id)).ToList();
        Assert.Equal(changed.Count(v => v.Part is null), pass.StaleWithoutPart);
        Assert.Equal(
            changed.Where(v => v.Part is not null).GroupBy(v => v.Part!).ToDictionary(g => g.Key, g => g.ToDictionary(v => v.Id, v => now.GetValueOrDefault(v.Id))),
            pass.Stale.ToDictionary(kv => kv.Key, kv => kv.Value));
        if (earlierVisits > 0) Assert.NotEmpty(changed);

        var reemitted = new Dictionary<long, string> { [changed.FirstOrDefault()?.Id ?? 0] = "again" };
        var listed = new List<(long, long, long, string?)>();
        await foreach (var v in pass.CommittedAsync(part => $"run-{part}", reemitted, CancellationToken.None)) listed.Add(v);
        Assert.Equal(
            committed.OrderBy(v => v.Id).Select(v => (v.Id, v.Person, v.Start, runIds.Contains(v.Id) ? v.Part : reemitted.GetValueOrDefault(v.Id) ?? v.Part)),
            listed);
    }

    [Fact]
    public async Task Nothing_is_left_on_disk_once_disposed()
    {
        var pass = new PrecedingVisitPass(new PipelineOptions { FanInSortRunLength = 2, FanInSortDirectory = _root });
        for (var i = 0; i < 10; i++) await pass.AddRunAsync(i, i % 3, i, i, 0, CancellationToken.None);
        await pass.ComputeAsync(10, CancellationToken.None);
        await pass.DisposeAsync();

        Assert.Empty(Directory.EnumerateFileSystemEntries(_root));
    }

    /// <summary>What the pass replaces: every visit in memory, per person by start then key, each one's predecessor.</summary>
    private static Dictionary<long, long?> InMemoryPredecessors(List<Visit> visits)
    {
        var result = new Dictionary<long, long?>();
        foreach (var person in visits.GroupBy(v => v.Person))
        {
            long? previous = null;
            foreach (var v in person.OrderBy(v => v.Start).ThenBy(v => v.Id))
            {
                result[v.Id] = previous;
                previous = v.Id;
            }
        }
        return result;
    }
}
