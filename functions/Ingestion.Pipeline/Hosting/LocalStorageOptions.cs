namespace Ingestion.Pipeline.Hosting;

/// <summary>
/// Where the embedded pipeline keeps its lake, quarantine and state (section "Storage", e.g. <c>Storage__LakePath</c>).
/// The quarantine holds PHI: keep it apart from the lake, with stricter access.
/// </summary>
public sealed class LocalStorageOptions
{
    public const string SectionName = "Storage";

    public string LakePath { get; set; } = "lake";

    /// <summary>Default: "&lt;LakePath&gt;-quarantine" beside the lake.</summary>
    public string? QuarantinePath { get; set; }

    /// <summary>The SQLite file holding the run catalog. Default: "&lt;LakePath&gt;-state/ingestion.db".</summary>
    public string? StatePath { get; set; }

    public string ResolvedQuarantinePath => QuarantinePath ?? Path.GetFullPath(LakePath).TrimEnd(Path.DirectorySeparatorChar) + "-quarantine";

    public string ResolvedStatePath => StatePath ?? Path.Combine(Path.GetFullPath(LakePath).TrimEnd(Path.DirectorySeparatorChar) + "-state", "ingestion.db");
}
