namespace Ingestion.Azure.Storage;

/// <summary>
/// The parts of an Azure Storage connection string this project uses: account name and key, and the Blob and Queue
/// endpoints (explicit BlobEndpoint/QueueEndpoint, or derived from DefaultEndpointsProtocol + EndpointSuffix).
/// "UseDevelopmentStorage=true" means Azurite on its default ports.
/// </summary>
public sealed record StorageConnectionString(string AccountName, string? AccountKey, Uri BlobEndpoint, Uri QueueEndpoint, string? SasToken)
{
    private const string DevelopmentAccount = "devstoreaccount1";
    private const string DevelopmentKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    /// <summary>The credential the connection string carries (Shared Key or SAS).</summary>
    public StorageCredential Credential =>
        AccountKey is not null ? StorageCredential.SharedKey(AccountName, AccountKey)
        : SasToken is not null ? StorageCredential.Sas(SasToken)
        : throw new InvalidOperationException("The storage connection string has neither AccountKey nor SharedAccessSignature.");

    public static StorageConnectionString Parse(string connectionString)
    {
        var parts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var segment in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var separator = segment.IndexOf('=');
            if (separator <= 0) throw new FormatException("A storage connection string segment is not 'Name=Value'.");
            parts[segment[..separator]] = segment[(separator + 1)..];
        }

        if (parts.TryGetValue("UseDevelopmentStorage", out var dev) && bool.TryParse(dev, out var useDev) && useDev)
        {
            return new StorageConnectionString(DevelopmentAccount, DevelopmentKey,
                new Uri($"http://127.0.0.1:10000/{DevelopmentAccount}/"), new Uri($"http://127.0.0.1:10001/{DevelopmentAccount}/"), null);
        }

        parts.TryGetValue("AccountName", out var account);
        parts.TryGetValue("AccountKey", out var key);
        parts.TryGetValue("SharedAccessSignature", out var sas);
        var protocol = parts.GetValueOrDefault("DefaultEndpointsProtocol", "https");
        var suffix = parts.GetValueOrDefault("EndpointSuffix", "core.windows.net");
        Uri Endpoint(string name, string service) => parts.TryGetValue(name, out var explicitEndpoint)
            ? new Uri(explicitEndpoint.EndsWith('/') ? explicitEndpoint : explicitEndpoint + "/")
            : new Uri($"{protocol}://{account ?? throw new FormatException($"The storage connection string needs AccountName or {name}.")}.{service}.{suffix}/");
        var blob = Endpoint("BlobEndpoint", "blob");
        var queue = Endpoint("QueueEndpoint", "queue");
        account ??= blob.Host.Split('.')[0];
        return new StorageConnectionString(account, key, blob, queue, sas);
    }

    public override string ToString() => $"AccountName={AccountName};BlobEndpoint={BlobEndpoint};QueueEndpoint={QueueEndpoint}";
}
