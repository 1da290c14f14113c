using System.Text.Json;
using Ingestion.Pipeline.State;
using Ingestion.Storage;

namespace Ingestion.Pipeline.Publishing;

/// <summary>Finds a source's published runs through their commit manifests (a run is published exactly when its
/// manifest exists). Used for the merges and comparisons that span runs.</summary>
public static class PublishedRuns
{
    private static readonly JsonSerializerOptions Options = new(StateJson.Options);

    /// <summary>The latest published run of <paramref name="sourceId"/> other than <paramref name="exceptRunId"/>, by commit time.</summary>
    public static async Task<RunManifest?> LatestAsync(ILake lake, string sourceId, string exceptRunId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lake);
        RunManifest? latest = null;
        var own = LakePaths.RunManifest(exceptRunId);
        await foreach (var item in lake.ListAsync("_runs/", cancellationToken).ConfigureAwait(false))
        {
            if (!item.Path.EndsWith("/manifest.json", StringComparison.Ordinal) || item.Path == own) continue;
            var manifest = await ReadJsonAsync<RunManifest>(lake, item.Path, cancellationToken).ConfigureAwait(false);
            if (manifest is null || manifest.SourceId != sourceId) continue;
            if (latest is null || manifest.CommittedAt > latest.CommittedAt) latest = manifest;
        }
        return latest;
    }

    /// <summary>A JSON object of the lake, or null when it is absent or unreadable (then it is no baseline).</summary>
    public static async Task<T?> ReadJsonAsync<T>(ILake lake, string path, CancellationToken cancellationToken) where T : class
    {
        try
        {
            await using var stream = await lake.OpenReadAsync(path, cancellationToken).ConfigureAwait(false);
            return await JsonSerializer.DeserializeAsync<T>(stream, Options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is LakeItemNotFoundException or JsonException)
        {
            return null;
        }
    }
}
