using Ingestion.Fhir.Json;
using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;

namespace Ingestion.Fhir.Validation;

/// <summary>
/// Loads conformance resources into a <see cref="DefinitionSet"/> from FHIR NPM packages (<c>.tgz</c>, streamed entry by
/// entry), JSON files (a resource or a Bundle of them) and folders of JSON files.
/// </summary>
public sealed class FhirPackageReader : IDisposable
{
    // The set keeps ResourceElements that point into these documents.
    private readonly List<ResourceDocument> _documents = [];

    public DefinitionSet Definitions { get; } = new();

    /// <summary>"name@version" of each package read (from its package/package.json).</summary>
    public List<string> PackageIds { get; } = [];

    public async Task AddAsync(string path, CancellationToken cancellationToken = default)
    {
        if (Directory.Exists(path))
        {
            foreach (var file in Directory.EnumerateFiles(path, "*.json", SearchOption.TopDirectoryOnly).Order(StringComparer.Ordinal))
                await AddJsonFileAsync(file, cancellationToken).ConfigureAwait(false);
        }
        else if (path.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".tar.gz", StringComparison.OrdinalIgnoreCase))
        {
            await AddPackageAsync(path, cancellationToken).ConfigureAwait(false);
        }
        else if (File.Exists(path))
        {
            await AddJsonFileAsync(path, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            throw new FileNotFoundException("Definition source not found.", path);
        }
    }

    private async Task AddPackageAsync(string path, CancellationToken cancellationToken)
    {
        await using var file = File.OpenRead(path);
        await using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        while (await tar.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
        {
            // Only the package root holds the conformance resources; examples and other/ hold instances and IG files.
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null) continue;
            var name = entry.Name;
            if (name == "package/package.json")
            {
                using var manifest = await ResourceDocument.ParseAsync(entry.DataStream, default, cancellationToken).ConfigureAwait(false);
                if (manifest.RootElement.TryGetProperty("name", out var n) && manifest.RootElement.TryGetProperty("version", out var v))
                    PackageIds.Add($"{n.GetString()}@{v.GetString()}");
                continue;
            }
            if (!name.StartsWith("package/", StringComparison.Ordinal) || name.IndexOf('/', 8) >= 0 || !name.EndsWith(".json", StringComparison.Ordinal)) continue;
            var fileName = name[8..];
            if (!fileName.StartsWith("StructureDefinition-", StringComparison.Ordinal) && !fileName.StartsWith("ValueSet-", StringComparison.Ordinal)
                && !fileName.StartsWith("CodeSystem-", StringComparison.Ordinal)) continue;
            await AddStreamAsync(entry.DataStream, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task AddJsonFileAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        await AddStreamAsync(stream, cancellationToken).ConfigureAwait(false);
    }

    private async Task AddStreamAsync(Stream stream, CancellationToken cancellationToken)
    {
        var document = await ResourceDocument.ParseAsync(stream, default, cancellationToken).ConfigureAwait(false);
        _documents.Add(document);
        Definitions.AddResource(document.RootElement);
    }

    public void Dispose()
    {
        foreach (var document in _documents) document.Dispose();
        _documents.Clear();
    }
}
