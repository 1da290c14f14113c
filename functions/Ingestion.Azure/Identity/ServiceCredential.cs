using Azure.Core;
using Azure.Identity;

namespace Ingestion.Azure.Identity;

/// <summary>The token credential a service section asks for: managed identity in Azure, the developer's sign-in locally.</summary>
public static class ServiceCredential
{
    public const string ManagedIdentity = "managedidentity";
    public const string Developer = "developer";

    public static TokenCredential For(ServiceIdentitySettings settings, string section)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var kind = string.IsNullOrWhiteSpace(settings.Credential) ? ManagedIdentity : settings.Credential.Trim();
        if (string.Equals(kind, ManagedIdentity, StringComparison.OrdinalIgnoreCase))
        {
            var id = string.IsNullOrWhiteSpace(settings.ClientId) ? ManagedIdentityId.SystemAssigned : ManagedIdentityId.FromUserAssignedClientId(settings.ClientId);
            return new ManagedIdentityCredential(new ManagedIdentityCredentialOptions(id));
        }
        if (string.Equals(kind, Developer, StringComparison.OrdinalIgnoreCase))
        {
            // Local development only: the developer's Azure CLI / Visual Studio sign-in, never a managed identity probe.
            return new DefaultAzureCredential(new DefaultAzureCredentialOptions { ExcludeManagedIdentityCredential = true, ExcludeWorkloadIdentityCredential = true });
        }
        throw new AzureConfigurationException(AzureConfigurationException.UnknownCredential,
            $"Setting {section}__credential is '{kind}'; use '{ManagedIdentity}' (Azure) or '{Developer}' (local development).");
    }
}
