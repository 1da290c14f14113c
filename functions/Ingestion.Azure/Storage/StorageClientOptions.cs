using Azure.Core;

namespace Ingestion.Azure.Storage;

/// <summary>
/// Options shared by the Blob and Queue clients. Retries (Azure.Core's RetryPolicy) cover 408, 429, 500, 502,
/// 503, 504 and network errors, exponential from <see cref="RetryOptions.Delay"/>.
/// </summary>
public abstract class StorageClientOptions : ClientOptions
{
    /// <summary>The REST API version sent as x-ms-version (Azurite 3.37.0 accepts up to 2026-06-06).</summary>
    public const string DefaultServiceVersion = "2025-01-05";

    protected StorageClientOptions()
    {
        Retry.MaxRetries = 5;
        Retry.Delay = TimeSpan.FromMilliseconds(200);
        Retry.MaxDelay = TimeSpan.FromSeconds(10);
        Retry.Mode = RetryMode.Exponential;
        Retry.NetworkTimeout = TimeSpan.FromSeconds(100);
    }

    public string ServiceVersion { get; set; } = DefaultServiceVersion;
}
