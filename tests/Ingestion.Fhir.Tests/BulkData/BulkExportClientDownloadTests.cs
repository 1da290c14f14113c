using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Ingestion.Fhir.Auth;
using Ingestion.Fhir.BulkData;

namespace Ingestion.Fhir.Tests.BulkData;

public class BulkExportClientDownloadTests
{
    private const string FileUrl = "https://fhir.test/r4/files/Patient-1.ndjson";

    private static BulkExportClientOptions Options() => new()
    {
        BaseUrl = new Uri("https://fhir.test/r4/"),
        RetryAfterFloor = TimeSpan.FromMilliseconds(1),
        BackoffBase = TimeSpan.FromMilliseconds(2),
        BackoffCeiling = TimeSpan.FromMilliseconds(10),
    };

    private static BulkExportManifest Manifest(bool requiresAccessToken = false, long? count = null) => new()
    {
        TransactionTime = DateTimeOffset.UnixEpoch,
        Request = "https://fhir.test/r4/$export",
        RequiresAccessToken = requiresAccessToken,
        Output = [new BulkExportFile("Patient", FileUrl, count)],
    };

    private static byte[] Patients(int count) => Encoding.UTF8.GetBytes(string.Concat(
        Enumerable.Range(1, count).Select(i => $"{{\"resourceType\":\"Patient\",\"id\":\"p{i}\",\"pad\":\"{new string('x', i % 50)}\"}}\n")));

    private static async Task<List<string>> ReadIds(BulkExportClient client, BulkExportManifest manifest)
    {
        var ids = new List<string>();
        await foreach (var line in client.ReadFileAsync(manifest, manifest.Output[0], CancellationToken.None))
        {
            Assert.Null(line.Error);
            var text = Encoding.UTF8.GetString(line.Utf8.Span);
            ids.Add(text[(text.IndexOf("\"id\":\"", StringComparison.Ordinal) + 6)..text.IndexOf("\",\"pad", StringComparison.Ordinal)]);
        }
        return ids;
    }

    private static HttpResponseMessage Body(HttpStatusCode status, Stream body, string? encoding = null)
    {
        var response = new HttpResponseMessage(status) { Content = new StreamContent(body) };
        if (encoding is not null) response.Content.Headers.ContentEncoding.Add(encoding);
        return response;
    }

    private static byte[] Gzip(byte[] data)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest)) gzip.Write(data);
        return buffer.ToArray();
    }

    [Fact]
    public async Task A_gzipped_file_streams_every_line_in_order_without_a_token_when_none_is_required()
    {
        var data = Patients(500);
        var handler = new FakeFhirHandler(_ => Body(HttpStatusCode.OK, new MemoryStream(Gzip(data)), "gzip"));
        var tokens = new CountingTokens();
        var client = new BulkExportClient(handler, Options(), tokens);

        var ids = await ReadIds(client, Manifest(requiresAccessToken: false, count: 500));

        Assert.Equal(Enumerable.Range(1, 500).Select(i => $"p{i}"), ids);
        var sent = Assert.Single(handler.Requests);
        Assert.Null(sent.Header("Authorization"));
        Assert.Contains("gzip", sent.Header("Accept-Encoding"));
        Assert.Equal(0, tokens.Calls);
    }

    [Fact]
    public async Task The_bearer_token_is_sent_when_the_manifest_requires_it_and_refreshed_once_on_401()
    {
        var data = Patients(3);
        var handler = new FakeFhirHandler(r => r.Header("Authorization") == "Bearer token-2"
            ? Body(HttpStatusCode.OK, new MemoryStream(data))
            : FakeFhirHandler.Status(HttpStatusCode.Unauthorized));
        var tokens = new CountingTokens();
        var client = new BulkExportClient(handler, Options(), tokens);

        var ids = await ReadIds(client, Manifest(requiresAccessToken: true));

        Assert.Equal(["p1", "p2", "p3"], ids);
        Assert.Equal(["Bearer token-1", "Bearer token-2"], handler.Requests.Select(r => r.Header("Authorization")));
        Assert.Equal(1, tokens.ForcedRefreshes);
    }

    [Fact]
    public async Task A_dropped_connection_resumes_with_range_and_delivers_every_line_exactly_once()
    {
        var data = Patients(2000);
        var handler = new FakeFhirHandler(r =>
        {
            var range = r.Header("Range");
            if (range is null) return Body(HttpStatusCode.OK, new DroppingStream(data, data.Length / 3, maxChunk: 997));
            var from = long.Parse(range["bytes=".Length..].TrimEnd('-'));
            var rest = data[(int)from..];
            var partial = Body(HttpStatusCode.PartialContent, new DroppingStream(rest, from < data.Length / 2 ? rest.Length / 2 : long.MaxValue, maxChunk: 997));
            partial.Content.Headers.ContentRange = new ContentRangeHeaderValue(from, data.Length - 1, data.Length);
            return partial;
        });
        var client = new BulkExportClient(handler, Options());

        var ids = await ReadIds(client, Manifest(count: 2000));

        Assert.Equal(Enumerable.Range(1, 2000).Select(i => $"p{i}"), ids);
        Assert.Equal(3, handler.Requests.Count);
        Assert.Null(handler.Requests.First().Header("Range"));
        Assert.All(handler.Requests.Skip(1), r => Assert.StartsWith("bytes=", r.Header("Range")));
        Assert.All(handler.Requests.Skip(1), r => Assert.Null(r.Header("Accept-Encoding")));
    }

    [Fact]
    public async Task Without_range_support_a_dropped_gzip_download_restarts_and_skips_what_was_delivered()
    {
        var data = Patients(1500);
        var gz = Gzip(data);
        var calls = 0;
        // The server ignores Range and always sends the whole gzip body; the first two attempts break mid-way.
        var handler = new FakeFhirHandler(_ => Body(HttpStatusCode.OK, new DroppingStream(gz, ++calls <= 2 ? gz.Length * calls / 3 : long.MaxValue, 501), "gzip"));
        var client = new BulkExportClient(handler, Options());

        var ids = await ReadIds(client, Manifest(count: 1500));

        Assert.Equal(Enumerable.Range(1, 1500).Select(i => $"p{i}"), ids);
        Assert.Equal(3, handler.Requests.Count);
    }

    [Fact]
    public async Task A_download_that_keeps_failing_stops_with_a_clear_file_error()
    {
        var data = Patients(100);
        var handler = new FakeFhirHandler(_ => Body(HttpStatusCode.OK, new DroppingStream(data, 10)));
        var options = Options();
        options.MaxDownloadAttempts = 3;
        var client = new BulkExportClient(handler, options);

        var error = await Assert.ThrowsAsync<BulkExportFileException>(() => ReadIds(client, Manifest()));

        Assert.Equal(FileUrl, error.FileUrl);
        Assert.Contains("3 times", error.Message);
    }

    [Fact]
    public async Task An_expired_file_url_is_retried_briefly_then_reported_as_expired()
    {
        var handler = new FakeFhirHandler(_ => FakeFhirHandler.Status(HttpStatusCode.Gone));
        var client = new BulkExportClient(handler, Options());

        var error = await Assert.ThrowsAsync<BulkExportFileException>(() => ReadIds(client, Manifest()));

        Assert.Equal(HttpStatusCode.Gone, error.StatusCode);
        Assert.Contains("expired", error.Message);
        Assert.Equal(1 + Options().ExpiredFileRetries, handler.Requests.Count);
    }

    [Fact]
    public async Task A_briefly_expired_file_is_fetched_on_retry()
    {
        var calls = 0;
        var handler = new FakeFhirHandler(_ => ++calls == 1 ? FakeFhirHandler.Status(HttpStatusCode.NotFound) : Body(HttpStatusCode.OK, new MemoryStream(Patients(4))));
        var client = new BulkExportClient(handler, Options());

        Assert.Equal(4, (await ReadIds(client, Manifest(count: 4))).Count);
    }

    [Fact]
    public async Task A_line_count_that_differs_from_the_manifest_count_fails_after_the_lines_flowed()
    {
        var handler = new FakeFhirHandler(_ => Body(HttpStatusCode.OK, new MemoryStream(Patients(9))));
        var client = new BulkExportClient(handler, Options());
        var seen = 0;
        var manifest = Manifest(count: 10);

        var error = await Assert.ThrowsAsync<BulkExportFileException>(async () =>
        {
            await foreach (var _ in client.ReadFileAsync(manifest, manifest.Output[0], CancellationToken.None)) seen++;
        });

        Assert.Equal(9, seen);
        Assert.Contains("announced 10", error.Message);
    }

    [Fact]
    public async Task Lines_of_the_wrong_resource_type_are_flagged_and_the_rest_flows()
    {
        var text = "{\"resourceType\":\"Patient\",\"id\":\"a\"}\n{\"resourceType\":\"Observation\",\"id\":\"b\"}\n{\"resourceType\":\"Patient\",\"id\":\"c\"}\n";
        var handler = new FakeFhirHandler(_ => Body(HttpStatusCode.OK, new MemoryStream(Encoding.UTF8.GetBytes(text))));
        var client = new BulkExportClient(handler, Options());
        var results = new List<(long, string?)>();
        var manifest = Manifest(count: 3);

        await foreach (var line in client.ReadFileAsync(manifest, manifest.Output[0], CancellationToken.None)) results.Add((line.LineNumber, line.Error));

        Assert.Equal(3, results.Count);
        Assert.Null(results[0].Item2);
        Assert.StartsWith("resource-type-mismatch", results[1].Item2);
        Assert.Null(results[2].Item2);
    }

    [Fact]
    public async Task A_redirect_to_a_foreign_host_is_refused_and_a_same_origin_redirect_is_followed()
    {
        var handler = new FakeFhirHandler(r => r.Url.AbsolutePath switch
        {
            "/r4/files/Patient-1.ndjson" => Redirect("https://fhir.test/r4/blobs/p1"),
            "/r4/blobs/p1" => Body(HttpStatusCode.OK, new MemoryStream(Patients(2))),
            _ => FakeFhirHandler.Status(HttpStatusCode.NotFound),
        });
        var client = new BulkExportClient(handler, Options());
        Assert.Equal(["p1", "p2"], await ReadIds(client, Manifest()));

        handler.Respond = _ => Redirect("http://169.254.169.254/latest/meta-data/");
        await Assert.ThrowsAsync<BulkExportUnsafeUrlException>(() => ReadIds(client, Manifest()));
        Assert.DoesNotContain(handler.Requests, r => r.Url.Host == "169.254.169.254");

        static HttpResponseMessage Redirect(string to)
        {
            var response = FakeFhirHandler.Status(HttpStatusCode.Found);
            response.Headers.Location = new Uri(to);
            return response;
        }
    }

    [Fact]
    public async Task Downloads_beyond_the_parallelism_limit_wait_for_a_free_slot()
    {
        var handler = new FakeFhirHandler(_ => Body(HttpStatusCode.OK, new MemoryStream(Patients(1))));
        var options = Options();
        options.MaxConcurrentDownloads = 2;
        var client = new BulkExportClient(handler, options);
        var manifest = Manifest();

        var first = await client.OpenFileAsync(manifest, manifest.Output[0], CancellationToken.None);
        var second = await client.OpenFileAsync(manifest, manifest.Output[0], CancellationToken.None);
        var third = client.OpenFileAsync(manifest, manifest.Output[0], CancellationToken.None);
        await Task.Delay(100);
        Assert.False(third.IsCompleted);

        await first.DisposeAsync();
        await using var opened = await third.WaitAsync(TimeSpan.FromSeconds(10));
        await second.DisposeAsync();
        Assert.Equal(3, handler.Requests.Count);
    }

    private sealed class CountingTokens : IAccessTokenProvider
    {
        public int Calls;
        public int ForcedRefreshes;
        private int _issued = 1;

        public ValueTask<string> GetTokenAsync(bool forceRefresh, CancellationToken cancellationToken)
        {
            Calls++;
            if (forceRefresh)
            {
                ForcedRefreshes++;
                _issued++;
            }
            return ValueTask.FromResult($"token-{_issued}");
        }
    }
}
