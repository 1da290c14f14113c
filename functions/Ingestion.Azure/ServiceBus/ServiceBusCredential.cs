using Azure.Core;
using Azure.Core.Pipeline;

namespace Ingestion.Azure.ServiceBus;

/// <summary>How the sender authenticates: a shared access key (token signed here), or Microsoft Entra ID (managed identity in Azure).</summary>
public sealed class ServiceBusCredential
{
    /// <summary>The Entra ID scope of the Service Bus data plane.</summary>
    public const string ServiceBusScope = "https://servicebus.azure.net/.default";

    private readonly Func<ServiceBusSenderClientOptions, HttpPipelinePolicy> _createPolicy;

    private ServiceBusCredential(string kind, Func<ServiceBusSenderClientOptions, HttpPipelinePolicy> createPolicy)
    {
        Kind = kind;
        _createPolicy = createPolicy;
    }

    public string Kind { get; }

    public static ServiceBusCredential SharedAccessKey(string keyName, string key) =>
        new("SharedAccessKey", options => new ServiceBusSasAuthenticationPolicy(keyName, key, options.SasTokenLifetime, TimeProvider.System));

    public static ServiceBusCredential EntraId(TokenCredential credential) =>
        new("EntraId", _ => new BearerTokenAuthenticationPolicy(credential, ServiceBusScope));

    internal HttpPipelinePolicy CreatePolicy(ServiceBusSenderClientOptions options) => _createPolicy(options);
}
