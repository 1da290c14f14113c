using Azure;

namespace Ingestion.Azure.Queues;

/// <summary>A failed Queue Storage call: HTTP status and the service's <c>x-ms-error-code</c>.</summary>
public sealed class QueueStorageException(int status, string message, string? errorCode, Exception? inner = null)
    : RequestFailedException(status, message, errorCode, inner)
{
    public const string MessageNotFound = "MessageNotFound";
    public const string PopReceiptMismatch = "PopReceiptMismatch";
    public const string QueueNotFound = "QueueNotFound";

    /// <summary>The pop receipt is stale: the message was received again by someone else, or deleted.</summary>
    public bool IsLeaseLost => ErrorCode is MessageNotFound or PopReceiptMismatch || Status == 404;
}
