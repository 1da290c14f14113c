using System.Collections.Concurrent;
using Ingestion.Pipeline.State;
using Ingestion.Storage.Catalog;

namespace Ingestion.Orchestration;

/// <summary>
/// The completed files of a run as the reduce read them from the run catalog, handed to the publish that follows in the
/// same worker process: the publish does not read and parse every file's catalog row again (1,900 rows at N = 100,
/// on one core between the two activities; docs/benchmarks.md, "After tail3"). Both run after the files phase, when a
/// run's file rows no longer change, so the handed-off view equals a fresh read. Taken once; a publish in another
/// process, a repeated publish or one after a restart reads the catalog.
/// </summary>
public sealed class CompletedFilesHandOff
{
    // Runs whose reduce ended without a publish here (failed, or published elsewhere) are not kept for long.
    private const int MaxRuns = 4;
    private readonly ConcurrentDictionary<string, IReadOnlyList<ActivityState>> _runs = new(StringComparer.Ordinal);

    /// <summary>The run's completed files from the catalog (the reduce's read), kept for <see cref="TakeAsync"/>.</summary>
    public async Task<IReadOnlyList<ActivityState>> ReadAndKeepAsync(IRunCatalog catalog, string runId, CancellationToken cancellationToken)
    {
        var files = await CatalogViews.CompletedFilesAsync(catalog, runId, cancellationToken).ConfigureAwait(false);
        if (_runs.Count >= MaxRuns) _runs.Clear();
        _runs[runId] = files;
        return files;
    }

    /// <summary>The files <see cref="ReadAndKeepAsync"/> kept for the run (then forgotten), else a read of the catalog.</summary>
    public async Task<IReadOnlyList<ActivityState>> TakeAsync(IRunCatalog catalog, string runId, CancellationToken cancellationToken) =>
        _runs.TryRemove(runId, out var files) ? files : await CatalogViews.CompletedFilesAsync(catalog, runId, cancellationToken).ConfigureAwait(false);
}
