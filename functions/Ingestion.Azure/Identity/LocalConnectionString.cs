namespace Ingestion.Azure.Identity;

/// <summary>
/// Connection strings carry account keys, so they are accepted only when they point at a stand-in on the loopback
/// interface (Azurite, the Cosmos stand-in). Real accounts are reached by endpoint + token credential.
/// </summary>
public static class LocalConnectionString
{
    /// <summary>Throws unless <paramref name="endpoint"/> (the address the connection string resolves to) is loopback.</summary>
    public static void RequireLoopback(Uri endpoint, string section)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (endpoint.IsLoopback) return;
        throw new AzureConfigurationException(AzureConfigurationException.ConnectionStringNotLocal,
            $"Setting {section}__ConnectionString points at {endpoint.Host}: connection strings are only for local stand-ins. "
            + $"Use {section}__ServiceUri (or the Cosmos account endpoint) with {section}__credential instead.");
    }
}
