using Azure.Core;

namespace Ingestion.Azure.ServiceBus;

/// <summary>Options of <see cref="ServiceBusSenderClient"/>: retries (408/429/5xx and network errors) and the SAS token lifetime.</summary>
public sealed class ServiceBusSenderClientOptions : ClientOptions
{
    public ServiceBusSenderClientOptions()
    {
        Retry.MaxRetries = 5;
        Retry.Delay = TimeSpan.FromMilliseconds(500);
        Retry.Mode = RetryMode.Exponential;
    }

    /// <summary>How long a generated SAS token is valid; a new one is made when less than a fifth remains.</summary>
    public TimeSpan SasTokenLifetime { get; set; } = TimeSpan.FromHours(1);
}
