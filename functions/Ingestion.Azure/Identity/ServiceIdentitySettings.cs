namespace Ingestion.Azure.Identity;

/// <summary>
/// How one service section authenticates, in the Azure Functions identity-connection style: <c>Lake__credential</c>,
/// <c>Lake__clientId</c> (likewise Quarantine, Cosmos, ServiceBus). A connection string is accepted only for the local
/// stand-ins (Azurite, the Cosmos stand-in), so production settings never hold an account key.
/// </summary>
public abstract class ServiceIdentitySettings
{
    /// <summary>"managedidentity" (default, in Azure) or "developer" (DefaultAzureCredential: local development only).</summary>
    public string? Credential { get; set; }

    /// <summary>Client id of a user-assigned managed identity; empty = the system-assigned identity.</summary>
    public string? ClientId { get; set; }

    /// <summary>Only for a stand-in on 127.0.0.1 / localhost (e.g. "UseDevelopmentStorage=true").</summary>
    public string? ConnectionString { get; set; }
}
