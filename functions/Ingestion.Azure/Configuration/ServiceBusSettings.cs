using Ingestion.Azure.Identity;

namespace Ingestion.Azure.Configuration;

/// <summary>The <c>ServiceBus</c> section: where run events are announced (empty namespace = logged only).</summary>
public sealed class ServiceBusSettings : ServiceIdentitySettings
{
    /// <summary>e.g. my-bus.servicebus.windows.net</summary>
    public string? FullyQualifiedNamespace { get; set; }

    public string Topic { get; set; } = "ingestion-runs";

    /// <summary>Retries of a failed send by the SDK (exponential back-off) before the event is reported as not sent.</summary>
    public int MaxRetries { get; set; } = 3;
}
