using System.Text.Json;
using Ingestion.Pipeline.State;
using Ingestion.Storage.Catalog;

namespace Ingestion.Orchestration;

/// <summary>The file activity's and the publisher's view of catalog rows.</summary>
internal static class CatalogViews
{
    public static RunState ToRunState(RunRecord run, ExportRunInput input) => new()
    {
        InstanceId = run.RunId,
        Input = new RunInput { SourceId = input.SourceId, Kind = input.SourceKind == ExportSourceKind.FhirServer ? SourceKind.FhirServer : SourceKind.Folder },
        CreatedTime = run.CreatedAt,
        EffectiveSince = run.EffectiveSince,
        TransactionTime = run.TransactionTime,
        RequiresAccessToken = run.RequiresAccessToken,
        SkippedFiles = run.SkippedFiles.Select(s => new Fhir.BulkData.SkippedExportFile(s.Name, s.Reason)).ToList(),
    };

    public static ActivityState ToActivityState(RunFileRecord file) => new()
    {
        InstanceId = file.RunId,
        Index = file.Index,
        FileKind = file.Kind switch { ManifestFiles.Error => ManifestFileKind.Error, ManifestFiles.Deleted => ManifestFileKind.Deleted, _ => ManifestFileKind.Output },
        ResourceType = file.ResourceType,
        Url = file.Url,
        ExpectedCount = file.ExpectedCount,
        Attempt = file.Attempts,
        Result = file.ResultJson is null ? null : JsonSerializer.Deserialize<FileResult>(file.ResultJson, StateJson.Options),
    };

    public static async Task<List<ActivityState>> CompletedFilesAsync(IRunCatalog catalog, string runId, CancellationToken cancellationToken)
    {
        var files = new List<ActivityState>();
        await foreach (var file in catalog.ListFilesAsync(runId, cancellationToken).ConfigureAwait(false))
            if (file.Status == RunFileStatus.Completed) files.Add(ToActivityState(file));
        return files;
    }
}
