namespace Ingestion.Azure.Configuration;

/// <summary>
/// Every Azure service the host uses, one configuration section each in the Azure Functions style (app settings
/// <c>Lake__ServiceUri</c>, <c>Lake__credential</c>, <c>Lake__clientId</c>, likewise Quarantine, Cosmos, ServiceBus).
/// Bind it from the configuration root: <c>configuration.Get&lt;AzureSettings&gt;()</c>.
/// </summary>
public sealed class AzureSettings
{
    public BlobLakeSettings Lake { get; set; } = new() { Container = "lake" };

    /// <summary>Holds PHI: its own container, and its own account when <c>Quarantine__ServiceUri</c> is set.</summary>
    public BlobLakeSettings Quarantine { get; set; } = new() { Container = "quarantine" };

    public CosmosSettings Cosmos { get; set; } = new();

    public ServiceBusSettings ServiceBus { get; set; } = new();
}
