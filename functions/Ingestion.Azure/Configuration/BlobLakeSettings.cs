using Ingestion.Azure.Identity;

namespace Ingestion.Azure.Configuration;

/// <summary>The <c>Lake</c> (or <c>Quarantine</c>) section: a Blob account (ADLS Gen2: its Blob endpoint) and container.</summary>
public sealed class BlobLakeSettings : ServiceIdentitySettings
{
    /// <summary>e.g. https://account.blob.core.windows.net/ (an ADLS Gen2 account's Blob endpoint, not dfs).
    /// Quarantine: empty = the lake's account.</summary>
    public Uri? ServiceUri { get; set; }

    public string Container { get; set; } = "lake";

    /// <summary>Optional folder inside the container.</summary>
    public string? Prefix { get; set; }

    public int BlockSizeMb { get; set; } = 8;

    public int MaxConcurrency { get; set; } = 4;

    internal bool HasAccount => ServiceUri is not null || !string.IsNullOrEmpty(ConnectionString);
}
