namespace Ingestion.Pipeline;

/// <summary>
/// The lake layout (docs/lake-layout.md). Every name is deterministic, so a re-run of a file replaces exactly its
/// own parts.
/// </summary>
public static class LakePaths
{
    public static string TablePrefix(string table, string runId) => $"omop/{table}/run={runId}/";

    /// <summary>Part <paramref name="part"/> of <paramref name="table"/> written by file activity <paramref name="fileIndex"/>.</summary>
    public static string Part(string table, string runId, int fileIndex, int part) =>
        $"{TablePrefix(table, runId)}part-{fileIndex:D5}-{part}.parquet";

    /// <summary>The n of a file part's name (<c>part-&lt;fileIndex&gt;-&lt;n&gt;.parquet</c>): parts of one file and table in write order.</summary>
    public static int PartNumber(string partPath)
    {
        ArgumentNullException.ThrowIfNull(partPath);
        var name = partPath[(partPath.LastIndexOf('/') + 1)..];
        var end = name.LastIndexOf(".parquet", StringComparison.Ordinal);
        var dash = name.LastIndexOf('-', end - 1);
        return int.Parse(name.AsSpan(dash + 1, end - dash - 1), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The fan-in's rewrite of file part <paramref name="part"/> when it held a duplicate or a dangling
    /// reference: it replaces the original in the run's manifest. Always in the run's own folder (a retried run's
    /// carried parts live in the failed run's).</summary>
    public static string RewrittenPart(string table, string runId, int fileIndex, int part) =>
        $"{TablePrefix(table, runId)}part-{fileIndex:D5}-{part}-final.parquet";

    /// <summary>The previous run's pending rows (deferred by the integrity pass) that this run emits.</summary>
    public static string ReleasedPart(string table, string runId, int part) =>
        $"{TablePrefix(table, runId)}part-pending-{part}.parquet";

    /// <summary>Parts written by the run's reduce step (observation_period, cdm_source).</summary>
    public static string ReducedPart(string table, string runId, int part) =>
        $"{TablePrefix(table, runId)}part-reduce-{part}.parquet";

    /// <summary>The folder of one vocabulary version: <c>vocabulary/&lt;version&gt;/</c>, the version with every character
    /// outside [A-Za-z0-9._-] as '_' ("v5.0 30-AUG-24" → "v5.0_30-AUG-24").</summary>
    public static string VocabularyPrefix(string version)
    {
        var slug = string.Create(version.Length, version, static (span, v) =>
        {
            for (var i = 0; i < v.Length; i++) span[i] = char.IsAsciiLetterOrDigit(v[i]) || v[i] is '.' or '-' or '_' ? v[i] : '_';
        });
        return $"vocabulary/{(slug is "." or ".." ? "_" : slug)}/";
    }

    public static string VocabularyPart(string version, string table, int part) => $"{VocabularyPrefix(version)}{table}/part-{part}.parquet";

    /// <summary>Written last: a vocabulary version is published exactly when its manifest exists.</summary>
    public static string VocabularyManifest(string version) => $"{VocabularyPrefix(version)}manifest.json";

    public static string RunManifest(string runId) => $"_runs/{runId}/manifest.json";
    public static string RunReport(string runId) => $"reports/{runId}/report.json";
    public static string UnmappedSummary(string runId) => $"reports/{runId}/unmapped.json";

    /// <summary>In the quarantine lake (PHI): one JSON-lines file per source file.</summary>
    public static string Quarantine(string runId, int fileIndex) => $"{runId}/file-{fileIndex:D5}.ndjson";
    public static string QuarantinePrefix(string runId) => $"{runId}/";
}
