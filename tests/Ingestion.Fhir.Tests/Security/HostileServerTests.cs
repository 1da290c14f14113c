using System.IO.Compression;
using System.Net;
using System.Text;
using Ingestion.Fhir.Auth;
using Ingestion.Fhir.BulkData;

namespace Ingestion.Fhir.Tests.Security;

/// <summary>
/// The Bulk Data client against a hostile FHIR server on loopback, through the REAL handler factory (no fake
/// HttpMessageHandler): every attack is refused or bounded, with the reason, and no secret in what it reports.
/// </summary>
public class HostileServerTests
{
    private const string Signature = "sig=SECRET-SIGNATURE-do-not-leak";
    private const string Token = "SECRET-BEARER-TOKEN";

    private sealed class FixedToken : IAccessTokenProvider
    {
        public ValueTask<string> GetTokenAsync(bool forceRefresh, CancellationToken cancellationToken) => ValueTask.FromResult(Token);
    }

    private static BulkExportClientOptions Options(HostileFhirServer server, Action<BulkExportClientOptions>? configure = null)
    {
        var options = new BulkExportClientOptions
        {
            BaseUrl = server.BaseUrl,
            AllowInsecureHttp = true,
            AllowPrivateNetwork = true,
            RetryAfterFloor = TimeSpan.FromMilliseconds(1),
            RetryAfterCeiling = TimeSpan.FromMilliseconds(50),
            BackoffBase = TimeSpan.FromMilliseconds(5),
            BackoffCeiling = TimeSpan.FromMilliseconds(20),
            RequestTimeout = TimeSpan.FromSeconds(10),
            DownloadIdleTimeout = TimeSpan.FromSeconds(10),
            MaxStatusRequestsPerMinute = 0,
        };
        configure?.Invoke(options);
        return options;
    }

    private static string ManifestJson(bool requiresAccessToken, params (string Url, long? Count)[] files) =>
        $$"""{"transactionTime":"2026-12-06T00:00:00Z","request":"x","requiresAccessToken":{{(requiresAccessToken ? "true" : "false")}},"output":[{{string.Join(",", files.Select(f => $$"""{"type":"Patient","url":"{{f.Url}}"{{(f.Count is { } c ? $",\"count\":{c}" : "")}}}"""))}}],"error":[]}""";

    private static BulkExportManifest Manifest(string url, long? count, bool requiresAccessToken = false) => new()
    {
        TransactionTime = DateTimeOffset.UnixEpoch,
        Request = "x",
        RequiresAccessToken = requiresAccessToken,
        Output = [new BulkExportFile("Patient", url, count)],
    };

    /// <summary>Fails the test instead of hanging it when a limit under test is missing.</summary>
    private static CancellationToken Deadline(int seconds = 20) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    private static async Task<long> ReadAllAsync(BulkExportClient client, BulkExportManifest manifest, CancellationToken cancellationToken)
    {
        long lines = 0;
        await foreach (var _ in client.ReadFileAsync(manifest, manifest.Output[0], cancellationToken)) lines++;
        return lines;
    }

    private static void AssertNoSecrets(Exception e)
    {
        for (var x = (Exception?)e; x is not null; x = x.InnerException)
        {
            Assert.DoesNotContain("SECRET", x.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("sig=", x.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_production_default_refuses_a_server_on_loopback_before_sending_anything()
    {
        await using var server = HostileFhirServer.Start(_ => HostileFhirServer.Respond(202));
        using var client = new BulkExportClient(Options(server, o => o.AllowPrivateNetwork = false));

        var error = await Assert.ThrowsAsync<BulkExportUnsafeUrlException>(() => client.KickOffAsync(new BulkExportRequest(), Deadline()));

        Assert.Contains("loopback", error.Message, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("ehr.example.test")]
    public async Task A_dns_name_resolving_to_loopback_is_refused_at_connect_time(string host)
    {
        await using var server = HostileFhirServer.Start(_ => HostileFhirServer.Respond(202));
        using var client = new BulkExportClient(Options(server, o =>
        {
            o.AllowPrivateNetwork = false;
            o.BaseUrl = new Uri($"http://{host}:{server.Port}/fhir/");
            // "ehr.example.test" answers like a rebinding DNS server would: a public address first, then loopback.
            o.ResolveHost = (name, _) => Task.FromResult(name == "localhost" ? Dns.GetHostAddresses(name) : [IPAddress.Parse("93.184.216.34"), IPAddress.Loopback]);
        }));

        var error = await Assert.ThrowsAsync<BulkExportUnsafeUrlException>(() => client.KickOffAsync(new BulkExportRequest(), Deadline()));

        Assert.Contains("resolves to a loopback address", error.Message, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task A_name_resolving_to_the_metadata_address_is_refused_even_when_a_private_network_is_allowed()
    {
        await using var server = HostileFhirServer.Start(_ => HostileFhirServer.Respond(202));
        using var client = new BulkExportClient(Options(server, o =>
        {
            o.BaseUrl = new Uri($"http://metadata-alias.test:{server.Port}/fhir/");
            o.ResolveHost = (_, _) => Task.FromResult(new[] { IPAddress.Parse("64:ff9b::a9fe:a9fe") });
        }));

        var error = await Assert.ThrowsAsync<BulkExportUnsafeUrlException>(() => client.KickOffAsync(new BulkExportRequest(), Deadline()));

        Assert.Contains("metadata", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data/iam/?" + Signature, "metadata")]
    [InlineData("http://127.0.0.1:1/internal?" + Signature, "nor allow-listed")]
    [InlineData("https://evil.example.test/steal?" + Signature, "nor allow-listed")]
    public async Task A_file_redirected_to_an_internal_or_foreign_address_is_refused_with_the_reason(string target, string reason)
    {
        await using var server = HostileFhirServer.Start(r => r.Path.EndsWith("/file", StringComparison.Ordinal)
            ? HostileFhirServer.Redirect(target)
            : HostileFhirServer.Respond(404));
        using var client = new BulkExportClient(Options(server), new FixedToken());
        var manifest = Manifest($"{server.Origin}/fhir/file?{Signature}", 1, requiresAccessToken: true);

        var error = await Assert.ThrowsAsync<BulkExportUnsafeUrlException>(() => ReadAllAsync(client, manifest, Deadline()));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.Single(server.Requests);
        AssertNoSecrets(error);
    }

    [Fact]
    public async Task Redirects_stop_at_the_configured_number_of_hops()
    {
        await using var server = HostileFhirServer.Start(r => HostileFhirServer.Redirect(r.Path.EndsWith("/a", StringComparison.Ordinal) ? "/fhir/b" : "/fhir/a"));
        using var client = new BulkExportClient(Options(server, o => o.MaxRedirects = 3));

        var error = await Assert.ThrowsAnyAsync<BulkExportException>(() => ReadAllAsync(client, Manifest($"{server.Origin}/fhir/a", 1), Deadline()));

        Assert.Contains("Gave up after 3 redirects", error.Message, StringComparison.Ordinal);
        Assert.Equal(4, server.Requests.Count);
    }

    [Fact]
    public async Task The_bearer_token_is_stripped_when_a_redirect_leaves_the_fhir_servers_origin()
    {
        await using var files = HostileFhirServer.Start(_ => HostileFhirServer.Bytes(200, "{\"resourceType\":\"Patient\",\"id\":\"1\"}\n"u8.ToArray(), "application/fhir+ndjson"));
        await using var server = HostileFhirServer.Start(_ => HostileFhirServer.Redirect($"{files.Origin}/blob/Patient.ndjson"));
        using var client = new BulkExportClient(Options(server, o => o.AllowedFileHosts.Add($"127.0.0.1:{files.Port}")), new FixedToken());

        var lines = await ReadAllAsync(client, Manifest($"{server.Origin}/fhir/file", 1, requiresAccessToken: true), Deadline());

        Assert.Equal(1, lines);
        Assert.Equal($"Bearer {Token}", Assert.Single(server.Requests).Headers["Authorization"]);
        Assert.False(Assert.Single(files.Requests).Headers.ContainsKey("Authorization"));
    }

    [Fact]
    public async Task A_kick_off_whose_answer_never_arrives_times_out_and_is_not_repeated()
    {
        await using var server = HostileFhirServer.Start(_ => HostileFhirServer.SlowHeaders());
        using var client = new BulkExportClient(Options(server, o => o.RequestTimeout = TimeSpan.FromSeconds(1)));

        var error = await Assert.ThrowsAsync<BulkExportKickOffException>(() => client.KickOffAsync(new BulkExportRequest(), Deadline()));

        Assert.Contains("did not answer", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, await server.SettledRequestCountAsync(1));
    }

    [Fact]
    public async Task A_download_that_stalls_is_cut_by_the_idle_timeout_and_retried_only_as_often_as_configured()
    {
        var line = "{\"resourceType\":\"Patient\",\"id\":\"1\"}\n"u8.ToArray();
        await using var server = HostileFhirServer.Start(_ => HostileFhirServer.StallAfter(line, 10_000));
        using var client = new BulkExportClient(Options(server, o =>
        {
            o.DownloadIdleTimeout = TimeSpan.FromMilliseconds(500);
            o.MaxDownloadAttempts = 3;
        }));

        var error = await Assert.ThrowsAsync<BulkExportFileException>(() => ReadAllAsync(client, Manifest($"{server.Origin}/fhir/file", 2), Deadline()));

        Assert.Contains("without progress", error.Message, StringComparison.Ordinal);
        // The first request delivered a line (progress); then three attempts in a row without progress: the read
        // on the stalled response and two new requests.
        Assert.Equal(3, await server.SettledRequestCountAsync(3));
    }

    [Fact]
    public async Task A_body_that_never_ends_stops_at_the_manifest_count()
    {
        await using var server = HostileFhirServer.Start(_ => HostileFhirServer.EndlessNdjson());
        using var client = new BulkExportClient(Options(server));

        var error = await Assert.ThrowsAsync<BulkExportFileException>(() => ReadAllAsync(client, Manifest($"{server.Origin}/fhir/file?{Signature}", 10), Deadline()));

        Assert.Contains("more resources than the 10", error.Message, StringComparison.Ordinal);
        Assert.Equal(11, error.LineNumber);
        AssertNoSecrets(error);
    }

    [Fact]
    public async Task A_gzip_bomb_stops_at_the_decoded_size_cap()
    {
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var zeros = new byte[1024 * 1024];
            for (var i = 0; i < 256; i++) gzip.Write(zeros);
        }
        await using var server = HostileFhirServer.Start(_ => HostileFhirServer.Bytes(200, compressed.ToArray(), "application/fhir+ndjson", ("Content-Encoding", "gzip")));
        using var client = new BulkExportClient(Options(server, o =>
        {
            o.MaxBytesPerResource = 1024 * 1024;
            o.MaxLineBytes = 1024 * 1024;
        }));
        var manifest = Manifest($"{server.Origin}/fhir/file", 1);

        await using var stream = await client.OpenFileAsync(manifest, manifest.Output[0], Deadline());
        var error = await Assert.ThrowsAsync<BulkExportFileException>(() => stream.CopyToAsync(Stream.Null, Deadline()));

        Assert.Contains($"larger than {2 * 1024 * 1024} decoded bytes", error.Message, StringComparison.Ordinal);
        Assert.True(stream.Position <= 2 * 1024 * 1024 + 128 * 1024, $"read {stream.Position} bytes");
    }

    [Fact]
    public async Task A_manifest_with_ten_thousand_files_is_refused_over_the_cap()
    {
        var files = Enumerable.Range(0, 10_000).Select(i => ($"/fhir/file/{i}", (long?)1)).ToArray();
        await using var server = HostileFhirServer.Start(_ => HostileFhirServer.Respond(200, ManifestJson(false, files), "application/json"));
        using var client = new BulkExportClient(Options(server));

        var error = await Assert.ThrowsAsync<BulkExportException>(() => client.PollAsync(new BulkExportJob($"{server.Origin}/fhir/status", DateTimeOffset.UtcNow), Deadline()));

        Assert.Contains("lists 10000 files, more than Fhir:MaxManifestFiles (5000)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_manifest_file_url_with_credentials_in_userinfo_is_refused_without_repeating_them()
    {
        await using var server = HostileFhirServer.Start(r => HostileFhirServer.Respond(200,
            ManifestJson(false, ($"http://admin:SECRET-PASSWORD@127.0.0.1:{r.Headers["Host"].Split(':')[1]}/fhir/file", 1)), "application/json"));
        using var client = new BulkExportClient(Options(server));

        var error = await Assert.ThrowsAsync<BulkExportUnsafeUrlException>(() => client.PollAsync(new BulkExportJob($"{server.Origin}/fhir/status", DateTimeOffset.UtcNow), Deadline()));

        Assert.Contains("user credentials", error.Message, StringComparison.Ordinal);
        AssertNoSecrets(error);
        Assert.DoesNotContain("admin", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_manifest_demanding_the_token_for_a_foreign_file_host_is_refused()
    {
        await using var server = HostileFhirServer.Start(_ => HostileFhirServer.Respond(200,
            ManifestJson(true, ($"https://files.example.test/Patient.ndjson?{Signature}", 1)), "application/json"));
        using var client = new BulkExportClient(Options(server, o => o.AllowedFileHosts.Add("files.example.test")), new FixedToken());

        var error = await Assert.ThrowsAsync<BulkExportUnsafeUrlException>(() => client.PollAsync(new BulkExportJob($"{server.Origin}/fhir/status", DateTimeOffset.UtcNow), Deadline()));

        Assert.Contains("requires the access token for a file on another origin", error.Message, StringComparison.Ordinal);
        AssertNoSecrets(error);
    }

    [Fact]
    public async Task A_kick_off_answered_503_without_retry_after_is_sent_once_and_with_retry_after_is_repeated()
    {
        var calls = 0;
        await using var server = HostileFhirServer.Start(_ => Interlocked.Increment(ref calls) switch
        {
            1 => HostileFhirServer.Respond(503, "{}", "application/fhir+json", ("Retry-After", "0")),
            2 => HostileFhirServer.Respond(202, null, "text/plain", ("Content-Location", "/fhir/status/1")),
            _ => HostileFhirServer.Respond(503, "{}"),
        });
        using var client = new BulkExportClient(Options(server));

        var job = await client.KickOffAsync(new BulkExportRequest { UsePost = true }, Deadline());
        var refused = await Assert.ThrowsAsync<BulkExportKickOffException>(() => client.KickOffAsync(new BulkExportRequest { UsePost = true }, Deadline()));

        Assert.EndsWith("/fhir/status/1", job.StatusUrl, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal(3, server.Requests.Count);
    }

    [Fact]
    public async Task Max_download_attempts_six_means_six_requests()
    {
        await using var server = HostileFhirServer.Start(_ => HostileFhirServer.Respond(503, "{}"));
        using var client = new BulkExportClient(Options(server, o => o.MaxDownloadAttempts = 6));

        var error = await Assert.ThrowsAsync<BulkExportFileException>(() => ReadAllAsync(client, Manifest($"{server.Origin}/fhir/file", 1), Deadline()));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.StatusCode);
        Assert.Equal(6, server.Requests.Count);
    }
}
