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
                    case "Name" or "Content-Length" or "Etag" or "Last-Modified" when depthOfBlob >= 0:
                        var field = reader.LocalName;
                        var text = await reader.ReadElementContentAsStringAsync().ConfigureAwait(false);
                        positioned = true;
                        switch (field)
                        {
                            case "Name": name = text; break;
                            case "Content-Length": length = long.Parse(text, CultureInfo.InvariantCulture); break;
                            case "Etag": etag = text; break;
                            default: lastModified = DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal); break;
                        }
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
