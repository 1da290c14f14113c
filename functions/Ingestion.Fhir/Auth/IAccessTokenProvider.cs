namespace Ingestion.Fhir.Auth;

/// <summary>Supplies the bearer token for FHIR requests.</summary>
public interface IAccessTokenProvider
{
    /// <summary>
    /// A valid access token. <paramref name="forceRefresh"/> asks for a new one even if the cached one looks valid
    /// (the server just answered 401).
    /// </summary>
    ValueTask<string> GetTokenAsync(bool forceRefresh, CancellationToken cancellationToken);
}
