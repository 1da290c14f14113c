using System.Text.Json;
using Ingestion.Pipeline.State;
using Ingestion.Storage.Catalog;
using Ingestion.Storage.Embedded;

namespace Ingestion.Orchestration.Tests;

/// <summary>
/// The publish takes the completed files the reduce read from the run catalog (same process), instead of reading them
/// again: the same view a read gives, once; then, and in any other case, the catalog is read.
/// </summary>
public sealed class CompletedFilesHandOffTests
{
    private readonly IRunCatalog _catalog = new StateStoreRunCatalog(new SqliteStateStore(new SqliteStateStoreOptions { DatabasePath = SqliteStateStoreOptions.InMemory }));

    private async Task StageAsync(string runId)
    {
        var result = new FileResult { LinesRead = 7, ResourcesValid = 6, Quarantined = 1, Parts = [new PartOutput("person", $"omop/person/run={runId}/part-0.parquet", 6, 1234)] };
        await _catalog.PutFilesAsync(runId,
        [
            new RunFileRecord { RunId = runId, Index = 0, Kind = ManifestFiles.Output, ResourceType = "Patient", Url = "https://ehr.test/f/0.ndjson", Status = RunFileStatus.Completed, Attempts = 2, ResultJson = JsonSerializer.Serialize(result, StateJson.Options) },
            new RunFileRecord { RunId = runId, Index = 1, Kind = ManifestFiles.Output, ResourceType = "Encounter", Url = "https://ehr.test/f/1.ndjson", Status = RunFileStatus.Failed, Attempts = 3 },
            new RunFileRecord { RunId = runId, Index = 2, Kind = ManifestFiles.Error, ResourceType = "OperationOutcome", Url = "https://ehr.test/e/0.ndjson", Status = RunFileStatus.Completed, Attempts = 1, ResultJson = JsonSerializer.Serialize(new FileResult { ServerErrors = 3 }, StateJson.Options) },
        ], CancellationToken.None);
    }

    private static string Json(IReadOnlyList<ActivityState> files) => JsonSerializer.Serialize(files, StateJson.Options);

    [Fact]
    public async Task The_publish_takes_the_files_the_reduce_read_once_then_reads_the_catalog()
    {
        await StageAsync("r1");
        var handOff = new CompletedFilesHandOff();
        var fresh = await CatalogViews.CompletedFilesAsync(_catalog, "r1", CancellationToken.None);

        var reduced = await handOff.ReadAndKeepAsync(_catalog, "r1", CancellationToken.None);
        // A later change shows only in a read of the catalog, not in the view handed over.
        await _catalog.UpdateFileAsync("r1", 1, f => f with { Status = RunFileStatus.Completed, ResultJson = JsonSerializer.Serialize(new FileResult(), StateJson.Options) }, CancellationToken.None);
        var published = await handOff.TakeAsync(_catalog, "r1", CancellationToken.None);
        var again = await handOff.TakeAsync(_catalog, "r1", CancellationToken.None);

        Json(reduced).Should().Be(Json(fresh));
        published.Should().BeSameAs(reduced);
        published.Select(f => f.Index).Should().Equal(0, 2);
        again.Select(f => f.Index).Should().Equal(0, 1, 2);
    }

    [Fact]
    public async Task A_publish_without_the_reduce_here_reads_the_catalog()
    {
        await StageAsync("r2");
        var handOff = new CompletedFilesHandOff();
        await handOff.ReadAndKeepAsync(_catalog, "other-run", CancellationToken.None);

        var published = await handOff.TakeAsync(_catalog, "r2", CancellationToken.None);

        Json(published).Should().Be(Json(await CatalogViews.CompletedFilesAsync(_catalog, "r2", CancellationToken.None)));
    }
}
