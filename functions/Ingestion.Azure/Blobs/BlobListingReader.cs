using System.Globalization;
using System.Xml;

namespace Ingestion.Azure.Blobs;

/// <summary>Reads one List Blobs response (EnumerationResults XML) forward-only.</summary>
internal static class BlobListingReader
{
    public static async Task<BlobPage> ReadPageAsync(Stream stream, CancellationToken cancellationToken)
    {
        var items = new List<BlobProperties>();
        string? nextMarker = null;
        using var reader = XmlReader.Create(stream, new XmlReaderSettings { Async = true, IgnoreWhitespace = true, DtdProcessing = DtdProcessing.Prohibit });
        string? name = null, etag = null;
        long length = 0;
        var lastModified = DateTimeOffset.MinValue;
        var depthOfBlob = -1;
        // ReadElementContentAsString already moves past the element: then do not Read again.
        var positioned = false;
        while (positioned ? !reader.EOF : await reader.ReadAsync().ConfigureAwait(false))
        {
            positioned = false;
            cancellationToken.ThrowIfCancellationRequested();
            if (reader.NodeType == XmlNodeType.Element)
            {
                switch (reader.LocalName)
                {
                    case "Blob":
                        depthOfBlob = reader.Depth;
                        name = etag = null;
                        length = 0;
                        lastModified = DateTimeOffset.MinValue;
                        break;
                    case "Name" when depthOfBlob >= 0:
                        name = await reader.ReadElementContentAsStringAsync().ConfigureAwait(false);
                        positioned = true;
                        continue;
                    case "Content-Length" when depthOfBlob >= 0:
                        length = long.Parse(await reader.ReadElementContentAsStringAsync().ConfigureAwait(false), CultureInfo.InvariantCulture);
                        positioned = true;
                        continue;
                    case "Etag" when depthOfBlob >= 0:
                        etag = await reader.ReadElementContentAsStringAsync().ConfigureAwait(false);
                        positioned = true;
                        continue;
                    case "Last-Modified" when depthOfBlob >= 0:
                        lastModified = DateTimeOffset.Parse(await reader.ReadElementContentAsStringAsync().ConfigureAwait(false), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
                        positioned = true;
                        continue;
                    case "NextMarker" when depthOfBlob < 0:
                        if (reader.IsEmptyElement) break;
                        nextMarker = await reader.ReadElementContentAsStringAsync().ConfigureAwait(false);
                        positioned = true;
                        continue;
                }
            }
            else if (reader.NodeType == XmlNodeType.EndElement && reader.LocalName == "Blob" && reader.Depth == depthOfBlob)
            {
                if (name is not null) items.Add(new BlobProperties(name, length, BlobETag.Quote(etag ?? string.Empty), lastModified));
                depthOfBlob = -1;
            }
        }
        return new BlobPage(items, string.IsNullOrEmpty(nextMarker) ? null : nextMarker);
    }
}
