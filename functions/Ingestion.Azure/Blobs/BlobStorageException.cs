using Azure;

namespace Ingestion.Azure.Blobs;

/// <summary>A failed Blob Storage call: the HTTP status and the service's <c>x-ms-error-code</c> (e.g. BlobAlreadyExists, ConditionNotMet).</summary>
public sealed class BlobStorageException(int status, string message, string? errorCode, Exception? inner = null)
    : RequestFailedException(status, message, errorCode, inner)
{
    public const string BlobNotFound = "BlobNotFound";
    public const string BlobAlreadyExists = "BlobAlreadyExists";
    public const string ConditionNotMet = "ConditionNotMet";
    public const string ContainerNotFound = "ContainerNotFound";
    public const string ContainerAlreadyExists = "ContainerAlreadyExists";
    public const string InvalidBlockList = "InvalidBlockList";

    /// <summary>True when a conditional write lost: the blob exists already (If-None-Match: *) or its ETag changed (If-Match).</summary>
    public bool IsConditionFailure => Status == 412 || (Status == 409 && ErrorCode == BlobAlreadyExists);
}
