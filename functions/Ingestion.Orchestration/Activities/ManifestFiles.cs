using Ingestion.Fhir.BulkData;
using Ingestion.Storage.Catalog;

namespace Ingestion.Orchestration;

/// <summary>The catalog rows of a manifest's files: output, then error (OperationOutcome files), then deleted.</summary>
public static class ManifestFiles
{
    public const string Output = "output";
    public const string Error = "error";
    public const string Deleted = "deleted";

    public static IReadOnlyList<RunFileRecord> From(string runId, BulkExportManifest manifest)
    {
        var rows = new List<RunFileRecord>(manifest.Output.Count + manifest.Error.Count + manifest.Deleted.Count);
        void Add(string kind, IReadOnlyList<BulkExportFile> files)
        {
            foreach (var f in files)
                rows.Add(new RunFileRecord { RunId = runId, Index = rows.Count, Kind = kind, ResourceType = f.Type, Url = f.Url, ExpectedCount = f.Count });
        }
        Add(Output, manifest.Output);
        Add(Error, manifest.Error);
        Add(Deleted, manifest.Deleted);
        return rows;
    }
}
