using Ingestion.Fhir.BulkData;
using Ingestion.Fhir.Net;
using Ingestion.Storage.Catalog;

namespace Ingestion.Orchestration;

/// <summary>
/// The catalog rows of a manifest's files: output, then error (OperationOutcome files), then deleted; a file's index is
/// its position in that order. A FHIR server's file URLs are recorded redacted (they may be signed: docs/security.md);
/// the file activity gets the full URL from <see cref="ExportManifestCache"/>.
/// </summary>
public static class ManifestFiles
{
    public const string Output = "output";
    public const string Error = "error";
    public const string Deleted = "deleted";

    /// <param name="redactUrls">True for a FHIR server's manifest; a landed folder's entries are local paths, kept as they are.</param>
    public static IReadOnlyList<RunFileRecord> From(string runId, BulkExportManifest manifest, bool redactUrls)
    {
        var rows = new List<RunFileRecord>(manifest.Output.Count + manifest.Error.Count + manifest.Deleted.Count);
        void Add(string kind, IReadOnlyList<BulkExportFile> files)
        {
            foreach (var f in files)
                rows.Add(new RunFileRecord { RunId = runId, Index = rows.Count, Kind = kind, ResourceType = f.Type, Url = redactUrls ? UrlRedaction.Redact(f.Url) : f.Url, ExpectedCount = f.Count });
        }
        Add(Output, manifest.Output);
        Add(Error, manifest.Error);
        Add(Deleted, manifest.Deleted);
        return rows;
    }

    /// <summary>
    /// The order to process the files in: largest first (size where the source knows it, else the manifest's resource
    /// count; ties in index order), so the run does not end on one big file while the other cores idle. Null when
    /// nothing tells the files apart (index order).
    /// </summary>
    public static IReadOnlyList<int>? LargestFirst(BulkExportManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var weights = manifest.Output.Concat(manifest.Error).Concat(manifest.Deleted).Select(f => f.Bytes ?? f.Count ?? 0).ToList();
        if (weights.Distinct().Count() <= 1) return null;
        return Enumerable.Range(0, weights.Count).OrderByDescending(i => weights[i]).ThenBy(i => i).ToList();
    }

    /// <summary>
    /// Work units over <paramref name="order"/> (null: index order): how many consecutive files each file activity
    /// takes. A file whose size is known and below <paramref name="groupBytes"/> joins the unit before it while the
    /// unit stays within that many bytes and, when <paramref name="groupFiles"/> is above 0, that many files; any other
    /// file is a unit alone. Null when no unit holds more than one file. Largest first, the groups come last, where one
    /// small file per orchestrator round trip left the cores idle; the file cap keeps the last units short (a tiny file
    /// costs its fixed per-file work whatever its size: 348 files of 3 KB made one unit that ran alone at the end).
    /// </summary>
    public static IReadOnlyList<int>? SmallFileGroups(BulkExportManifest manifest, IReadOnlyList<int>? order, long groupBytes, int groupFiles = 0)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var count = manifest.Output.Count + manifest.Error.Count + manifest.Deleted.Count;
        if (groupBytes <= 0 || count < 2) return null;
        var units = new List<int>();
        long unitBytes = 0;
        var open = false; // the last unit may take more small files
        for (var i = 0; i < count; i++)
        {
            var bytes = At(manifest, order?[i] ?? i)!.Bytes;
            if (bytes is not { } size || size >= groupBytes)
            {
                units.Add(1);
                open = false;
            }
            else if (open && unitBytes + size <= groupBytes && (groupFiles <= 0 || units[^1] < groupFiles))
            {
                units[^1]++;
                unitBytes += size;
            }
            else
            {
                units.Add(1);
                unitBytes = size;
                open = true;
            }
        }
        return units.Count < count ? units : null;
    }

    /// <summary>The manifest entry at a file index (the order of <see cref="From"/>), or null past the end.</summary>
    public static BulkExportFile? At(BulkExportManifest manifest, int index)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        if (index < 0) return null;
        if (index < manifest.Output.Count) return manifest.Output[index];
        index -= manifest.Output.Count;
        if (index < manifest.Error.Count) return manifest.Error[index];
        index -= manifest.Error.Count;
        return index < manifest.Deleted.Count ? manifest.Deleted[index] : null;
    }

    /// <summary>A partial manifest's pages as kept between polls in Durable history: file URLs redacted (only counts and types are needed there).</summary>
    public static IReadOnlyList<BulkExportManifest> Redacted(IReadOnlyList<BulkExportManifest> pages) =>
        pages.Select(p => p with { Output = Redact(p.Output), Error = Redact(p.Error), Deleted = Redact(p.Deleted) }).ToList();

    private static List<BulkExportFile> Redact(IReadOnlyList<BulkExportFile> files) => files.Select(f => f with { Url = UrlRedaction.Redact(f.Url) }).ToList();
}
