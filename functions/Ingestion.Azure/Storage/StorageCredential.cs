using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Ingestion.Azure.Storage;

/// <summary>How a storage client authenticates: Shared Key, SAS, or Microsoft Entra ID (a <see cref="TokenCredential"/>, managed identity in Azure).</summary>
public sealed class StorageCredential
{
    /// <summary>The Entra ID scope for Blob and Queue data-plane access.</summary>
    public const string StorageScope = "https://storage.azure.com/.default";

    private readonly Func<HttpPipelinePolicy> _createPolicy;

    private StorageCredential(string kind, Func<HttpPipelinePolicy> createPolicy)
    {
        Kind = kind;
        _createPolicy = createPolicy;
    }

    /// <summary>"SharedKey", "Sas" or "EntraId" (for logs; never the secret).</summary>
    public string Kind { get; }

    public static StorageCredential SharedKey(string accountName, string accountKey) =>
        SharedKey(new StorageSharedKeyCredential(accountName, accountKey));

    public static StorageCredential SharedKey(StorageSharedKeyCredential credential) =>
        new("SharedKey", () => new SharedKeyAuthenticationPolicy(credential));

    public static StorageCredential Sas(string sasToken) =>
        new("Sas", () => new SasAuthenticationPolicy(new AzureSasCredential(sasToken)));

    public static StorageCredential EntraId(TokenCredential credential) =>
        new("EntraId", () => new BearerTokenAuthenticationPolicy(credential, StorageScope));

    internal HttpPipelinePolicy CreatePolicy() => _createPolicy();
}
