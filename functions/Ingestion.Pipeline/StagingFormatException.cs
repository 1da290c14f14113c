namespace Ingestion.Pipeline;

/// <summary>
/// A staged file of the run (internal, transient: docs/lake-layout.md <c>_staging/</c>) is not in the format this build
/// reads: written by another build (a durable run resumed after an upgrade) or cut short. Retrying cannot fix it, so the
/// run fails clearly instead of misreading the file; start a new run. Names the path, never any content.
/// </summary>
public sealed class StagingFormatException(string path, string errorCode, string message)
    : NonRetryableActivityException(message)
{
    /// <summary>The file was written in another format version or for another table layout.</summary>
    public const string VersionMismatch = "StagingVersionMismatch";

    /// <summary>The file's records do not decode (truncated or damaged).</summary>
    public const string Corrupt = "StagingCorrupt";

    public string Path { get; } = path;

    public string ErrorCode { get; } = errorCode;
}
