namespace Ingestion.Orchestration;

/// <summary>Where landed blob containers are read from, bound from the <c>Landed</c> section (<c>Landed__StorageConnection</c>).</summary>
public sealed class LandedContainerOptions
{
    public const string SectionName = "Landed";

    /// <summary>
    /// A storage connection string (an account key, or Azurite) for landed containers given by name or by URL on that
    /// account. Unset: a container URL is read with <c>DefaultAzureCredential</c> (the managed identity in Azure).
    /// </summary>
    public string? StorageConnection { get; set; }
}
