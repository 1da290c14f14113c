namespace Ingestion.Azure.Blobs;

/// <summary>ETags come quoted in headers and (on some servers) unquoted in listings: compare and send them quoted.</summary>
internal static class BlobETag
{
    public static string Quote(string etag) =>
        etag.Length == 0 || etag == "*" || etag.StartsWith('"') || etag.StartsWith("W/", StringComparison.Ordinal) ? etag : $"\"{etag}\"";
}
