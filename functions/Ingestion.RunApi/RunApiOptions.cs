namespace Ingestion.RunApi;

/// <summary>Settings of the run API (section <c>RunApi</c>, e.g. <c>RunApi__PublicBaseUrl</c>); the same in every host.</summary>
public sealed class RunApiOptions
{
    public const string SectionName = "RunApi";

    /// <summary>
    /// The URL clients reach the API at (e.g. https://ingest.example.org). Management URLs are built from it; when empty
    /// they come from X-Forwarded-Proto/X-Forwarded-Host, else from the request.
    /// </summary>
    public Uri? PublicBaseUrl { get; set; }

    /// <summary>Largest accepted request body; a start request is a few hundred bytes.</summary>
    public int MaxRequestBodyBytes { get; set; } = 16 * 1024;

    /// <summary>Retry-After (seconds) on 202 answers while a run is in progress.</summary>
    public int StatusRetryAfterSeconds { get; set; } = 10;

    /// <summary>Refuse plain-http management URLs (Azure: on).</summary>
    public bool RequireHttps { get; set; }

    /// <summary>Largest page of a run listing.</summary>
    public int MaxPageSize { get; set; } = 200;
}
