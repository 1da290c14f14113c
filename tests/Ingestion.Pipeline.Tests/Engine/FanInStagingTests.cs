using Ingestion.Omop;
using Ingestion.Pipeline.Activities;
using Ingestion.Storage.Embedded;

namespace Ingestion.Pipeline.Tests.Engine;

/// <summary>Rows staged for the fan-in come back exactly as written (types, nulls, text with separators).</summary>
public sealed class FanInStagingTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "fan-in-staging-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Staged_death_and_era_rows_read_back_unchanged_and_an_empty_file_leaves_nothing()
    {
        var lake = new FileSystemLake(new FileSystemLakeOptions { RootPath = _root });
        var death = FanInStaging.PathOf("run1", CdmTables.Death, 0);
        object?[][] deaths =
        [
            [1L, new DateOnly(2020, 2, 29), new DateTime(2020, 2, 29, 23, 59, 58, DateTimeKind.Utc), 32817, 201826, "http://x|a,b%c\nd", 0],
            [2L, new DateOnly(2021, 1, 1), null, 32817, null, "", null],
        ];
        await FanInStaging.WriteAsync(lake, CdmTables.Death, death, deaths, CancellationToken.None);
        var eras = FanInStaging.PathOf("run1", CdmTables.EraEvents, 0);
        object?[][] events = [[EraEvents.Drug, long.MaxValue, 3L, 1836430, new DateOnly(2021, 1, 1), new DateOnly(2021, 1, 30)]];
        await FanInStaging.WriteAsync(lake, CdmTables.EraEvents, eras, events, CancellationToken.None);

        Assert.Equal(deaths, await ListOf(FanInStaging.ReadAsync(lake, CdmTables.Death, death, CancellationToken.None)));
        Assert.Equal(events, await ListOf(FanInStaging.ReadAsync(lake, CdmTables.EraEvents, eras, CancellationToken.None)));

        await FanInStaging.WriteAsync(lake, CdmTables.Death, death, [], CancellationToken.None);
        Assert.Null(await lake.GetAsync(death));
        Assert.Empty(await ListOf(FanInStaging.ReadAsync(lake, CdmTables.Death, death, CancellationToken.None)));
    }

    // System.Linq.Async (brought in by the Durable packages) and .NET's own AsyncEnumerable both define ToListAsync.
    private static async Task<List<object?[]>> ListOf(IAsyncEnumerable<object?[]> rows)
    {
        var list = new List<object?[]>();
        await foreach (var row in rows) list.Add(row);
        return list;
    }
}
