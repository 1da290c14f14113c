using System.Globalization;
using Ingestion.Omop;
using Ingestion.Pipeline.Activities;
using Ingestion.Pipeline.Publishing;
using Ingestion.Storage;
using Ingestion.Storage.Embedded;

namespace Ingestion.Pipeline.Tests.Integrity;

/// <summary>The merged keys a run stages for the next incremental run: the text each line had when it was written a
/// line at a time (invariant numbers, one line end each, UTF-8 without a byte order mark), over more than one buffer,
/// and read back by the next run.</summary>
public sealed class RunKeySetsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("run-key-sets-").FullName;
    private readonly FileSystemLake _lake;

    public RunKeySetsTests() => _lake = new FileSystemLake(new FileSystemLakeOptions { RootPath = _root });

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private async Task<byte[]> ReadAsync(string path)
    {
        await using var stream = await _lake.OpenReadAsync(path, CancellationToken.None);
        using var bytes = new MemoryStream();
        await stream.CopyToAsync(bytes);
        return bytes.ToArray();
    }

    private static async IAsyncEnumerable<T> Stream<T>(IEnumerable<T> items)
    {
        foreach (var item in items)
        {
            await Task.Yield();
            yield return item;
        }
    }

    [Fact]
    public async Task Merged_keys_and_visits_are_the_lines_written_one_at_a_time_and_read_back()
    {
        var random = new Random(19);
        var keys = new RunKeySets();
        var persons = Enumerable.Range(0, 9_000).Select(_ => random.NextInt64(long.MinValue, long.MaxValue)).Distinct().ToList();
        foreach (var person in persons) keys.Add(CdmTables.Person, person);
        var visits = Enumerable.Range(0, 6_000)
            .Select(i => (Visit: random.NextInt64(long.MinValue, long.MaxValue), Person: persons[i % persons.Count], StartTicks: random.NextInt64(0, DateTime.MaxValue.Ticks),
                Part: i % 7 == 0 ? null : $"omop/visit_occurrence/run=r1/part-{i % 3}, with a comma.parquet"))
            .DistinctBy(v => v.Visit).OrderBy(v => v.Visit).ToList();

        await keys.WriteMergedKeysAsync(_lake, "r1", CancellationToken.None);
        await RunKeySets.WriteMergedVisitsAsync(_lake, "r1", Stream(visits), CancellationToken.None);

        string Lines(IEnumerable<string> lines) => string.Concat(lines.Select(l => l + Environment.NewLine));
        var expectedPersons = Lines(persons.Order().Select(p => p.ToString(CultureInfo.InvariantCulture)));
        var expectedVisits = Lines(visits.Select(v => string.Create(CultureInfo.InvariantCulture, $"{v.Visit},{v.Person},{v.StartTicks},{v.Part}")));
        Assert.Equal(new System.Text.UTF8Encoding(false).GetBytes(expectedPersons), await ReadAsync(RowKeyStaging.MergedPathOf("r1", CdmTables.Person)));
        Assert.Equal(new System.Text.UTF8Encoding(false).GetBytes(expectedVisits), await ReadAsync(RowKeyStaging.MergedPathOf("r1", CdmTables.VisitOccurrence)));
        Assert.Empty(await ReadAsync(RowKeyStaging.MergedPathOf("r1", CdmTables.Provider)));

        var next = new RunKeySets();
        await using var pass = new PrecedingVisitPass(new PipelineOptions { FanInSortDirectory = _root });
        await next.AddMergedAsync(_lake, "r1", pass, CancellationToken.None);
        Assert.Equal(persons.Count, next.Count(CdmTables.Person));
        Assert.Equal(visits.Count, next.Count(CdmTables.VisitOccurrence));
        Assert.All(persons, p => Assert.True(next.Contains(CdmTables.Person, p)));
    }
}
