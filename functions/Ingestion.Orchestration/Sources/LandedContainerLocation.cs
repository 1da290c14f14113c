using Azure.Identity;
using Azure.Storage.Blobs;
using Ingestion.Pipeline;
using Ingestion.Pipeline.Sources;

namespace Ingestion.Orchestration;

/// <summary>
/// A landed blob container location: a container URL (<c>https://acct.blob.core.windows.net/landed/exports/2026-01</c>)
/// or a name with an optional prefix (<c>landed/exports/2026-01</c>) on the <see cref="LandedContainerOptions"/>
/// account. The location is part of the run's input (history, catalog), so it never carries a credential: a SAS is refused.
/// </summary>
public static class LandedContainerLocation
{
    /// <summary>The reason a location cannot be used, or null.</summary>
    public static string? Problem(string location, LandedContainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(location)) return "The landed container is empty.";
        if (Uri.TryCreate(location, UriKind.Absolute, out var uri))
        {
            if (uri.Scheme is not ("http" or "https")) return $"'{uri.Scheme}:' is not a blob container URL.";
            if (uri.Query.Contains("sig=", StringComparison.OrdinalIgnoreCase))
                return "A SAS in the container URL would be stored with the run: set Landed__StorageConnection, or grant the managed identity read access, and pass the URL without its query.";
            return new BlobUriBuilder(uri).BlobContainerName is { Length: > 0 } ? null : "The container URL names no container.";
        }
        return string.IsNullOrWhiteSpace(options.StorageConnection)
            ? "A landed container given by name needs Landed__StorageConnection (or pass the container's URL)."
            : null;
    }

    /// <summary>The source for the location (the credential comes from configuration, never from the location).</summary>
    public static LandedBlobContainerSource Open(string location, LandedContainerOptions options)
    {
        if (Problem(location, options) is { } problem) throw new NonRetryableActivityException(problem);
        if (Uri.TryCreate(location, UriKind.Absolute, out var uri))
        {
            var parts = new BlobUriBuilder(uri);
            if (string.IsNullOrWhiteSpace(options.StorageConnection))
            {
                var containerUri = new BlobUriBuilder(uri) { BlobName = "", Query = "" }.ToUri();
                return new LandedBlobContainerSource(new BlobContainerClient(containerUri, new DefaultAzureCredential()), parts.BlobName);
            }
            var service = new BlobServiceClient(options.StorageConnection);
            if (!string.Equals(service.AccountName, parts.AccountName, StringComparison.OrdinalIgnoreCase))
                throw new NonRetryableActivityException($"The container URL's account '{parts.AccountName}' is not Landed__StorageConnection's account '{service.AccountName}'.");
            return new LandedBlobContainerSource(service.GetBlobContainerClient(parts.BlobContainerName), parts.BlobName);
        }
        var slash = location.IndexOf('/', StringComparison.Ordinal);
        var container = slash < 0 ? location : location[..slash];
        var prefix = slash < 0 ? "" : location[(slash + 1)..];
        return new LandedBlobContainerSource(new BlobServiceClient(options.StorageConnection).GetBlobContainerClient(container), prefix);
    }
}
