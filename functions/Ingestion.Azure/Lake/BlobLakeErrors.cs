using Azure;
using Azure.Storage.Blobs.Models;
using Ingestion.Storage;

namespace Ingestion.Azure.Lake;

/// <summary>Maps the Blob service's answers onto the lake's typed errors (one place for every lake call).</summary>
internal static class BlobLakeErrors
{
    /// <summary>
    /// 412 (If-Match stale, If-None-Match on Put Block List), 409 BlobAlreadyExists (If-None-Match: * on Put Blob), and
    /// 400 InvalidBlockList: another writer committed the name first and the service discarded our staged blocks.
    /// </summary>
    public static bool IsConditionFailure(RequestFailedException ex) =>
        ex.Status == 412
        || (ex.Status == 409 && ex.ErrorCode == BlobErrorCode.BlobAlreadyExists)
        || (ex.Status == 400 && ex.ErrorCode == BlobErrorCode.InvalidBlockList);

    public static bool IsNotFound(RequestFailedException ex) => ex.Status == 404;

    /// <summary>The lake error for a failed write, or null when it is not a condition failure (rethrow as is).</summary>
    public static LakeException? ForWrite(string path, RequestFailedException ex) =>
        IsConditionFailure(ex) ? new LakeConditionFailedException(path, ex) : null;
}
