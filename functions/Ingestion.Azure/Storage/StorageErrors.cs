using Azure;

namespace Ingestion.Azure.Storage;

/// <summary>Reads the service's error code from a failed storage response.</summary>
internal static class StorageErrors
{
    public static string? ErrorCode(Response response) =>
        response.Headers.TryGetValue("x-ms-error-code", out var code) ? code : null;

    /// <summary>Status and error code only: response bodies may echo request content.</summary>
    public static string Describe(string operation, Response response) =>
        $"{operation} failed: HTTP {response.Status} {ErrorCode(response) ?? "(no x-ms-error-code)"}.";
}
