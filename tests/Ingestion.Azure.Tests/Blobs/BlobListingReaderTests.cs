using System.Text;
using Ingestion.Azure.Blobs;

namespace Ingestion.Azure.Tests.Blobs;

public sealed class BlobListingReaderTests
{
    // Shape of the documented List Blobs response (trimmed), with the properties the lake reads.
    private const string Page = """
        <?xml version="1.0" encoding="utf-8"?>
        <EnumerationResults ServiceEndpoint="https://account.blob.core.windows.net/" ContainerName="lake">
          <Prefix>run=1/</Prefix>
          <MaxResults>2</MaxResults>
          <Blobs>
            <Blob>
              <Name>run=1/a.parquet</Name>
              <Properties>
                <Creation-Time>Sun, 22 Nov 2026 00:00:00 GMT</Creation-Time>
                <Last-Modified>Sun, 22 Nov 2026 00:01:00 GMT</Last-Modified>
                <Etag>0x8DC0000000000A1</Etag>
                <Content-Length>1234</Content-Length>
                <Content-Type>application/octet-stream</Content-Type>
              </Properties>
              <Metadata />
            </Blob>
            <Blob>
              <Name>run=1/b.parquet</Name>
              <Properties>
                <Last-Modified>Sun, 22 Nov 2026 00:02:00 GMT</Last-Modified>
                <Content-Length>0</Content-Length>
                <Etag>"0x8DC0000000000B2"</Etag>
              </Properties>
            </Blob>
          </Blobs>
          <NextMarker>2!48!bWFya2Vy</NextMarker>
        </EnumerationResults>
        """;

    [Fact]
    public async Task A_listing_page_yields_each_blob_with_quoted_etag_length_and_the_next_marker()
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(Page.Trim()));

        var page = await BlobListingReader.ReadPageAsync(stream, CancellationToken.None);

        Assert.Equal(["run=1/a.parquet", "run=1/b.parquet"], page.Items.Select(i => i.Name));
        Assert.Equal([1234L, 0L], page.Items.Select(i => i.ContentLength));
        Assert.Equal(["\"0x8DC0000000000A1\"", "\"0x8DC0000000000B2\""], page.Items.Select(i => i.ETag));
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 0, 2, 0, TimeSpan.Zero), page.Items[1].LastModified);
        Assert.Equal("2!48!bWFya2Vy", page.NextMarker);
    }

    [Fact]
    public async Task The_last_page_has_no_next_marker()
    {
        var xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?><EnumerationResults><Blobs /><NextMarker /></EnumerationResults>";
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(xml));

        var page = await BlobListingReader.ReadPageAsync(stream, CancellationToken.None);

        Assert.Empty(page.Items);
        Assert.Null(page.NextMarker);
    }
}
