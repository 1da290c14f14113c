using System.Net;
using Ingestion.Fhir.Net;

namespace Ingestion.Fhir.Auth;

/// <summary>
/// The SMART token endpoint refused the client (or could not be found). <see cref="ErrorCode"/> is the OAuth
/// <c>error</c> (e.g. invalid_client) and <see cref="ErrorDescription"/> the server's own explanation. URLs in the
/// message lose their query strings.
/// </summary>
public sealed class SmartAuthenticationException(string message, HttpStatusCode? statusCode = null, string? errorCode = null, string? errorDescription = null, Exception? innerException = null)
    : Exception(UrlRedaction.RedactIn(message
        + (statusCode is { } s ? $" (HTTP {(int)s})" : "")
        + (errorCode is null ? "" : $" error={errorCode}")
        + (string.IsNullOrWhiteSpace(errorDescription) ? "" : $": {errorDescription}")), innerException)
{
    public HttpStatusCode? StatusCode { get; } = statusCode;
    public string? ErrorCode { get; } = errorCode;
    public string? ErrorDescription { get; } = errorDescription;
}
