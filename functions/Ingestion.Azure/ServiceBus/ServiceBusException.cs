using Azure;

namespace Ingestion.Azure.ServiceBus;

/// <summary>A failed Service Bus REST call (e.g. 401 bad token, 403 quota/entity disabled, 404 no such entity, 413 too large).</summary>
public sealed class ServiceBusException(int status, string message, string? errorCode, Exception? inner = null)
    : RequestFailedException(status, message, errorCode, inner);
