using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Ingestion.DemoServer;

namespace Ingestion.Fhir.Tests.DemoServer;

public sealed class FaultSwitchTests
{
    private static Task<DemoFhirServer> StartAsync(DemoFaults faults) =>
        DemoFhirServer.StartAsync(new DemoServerOptions { Patients = 5, Seed = 2, Faults = faults });

    private static async Task<string> OutcomeCodeAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("issue")[0].GetProperty("code").GetString()!;

    [Fact]
    public async Task Kick_off_is_throttled_for_the_first_n_requests_with_retry_after_in_seconds()
    {
        await using var server = await StartAsync(new DemoFaults { ThrottleKickOff = 2, ThrottleRetryAfterSeconds = 3 });
        using var client = new DemoServerClient(server.BaseUrl);
        for (var i = 0; i < 2; i++)
        {
            using var response = await client.SendAsync(client.Request(HttpMethod.Get, "/$export"));
            Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(3), response.Headers.RetryAfter!.Delta);
        }
        await client.KickOffAsync();
        Assert.Equal(1, server.KickOffCount);
        Assert.Equal(2, server.FaultsInjected.ThrottledKickOffs);
    }

    [Fact]
    public async Task Status_is_throttled_with_retry_after_as_an_http_date()
    {
        await using var server = await StartAsync(new DemoFaults { ThrottleStatus = 1, ThrottleRetryAfterFormat = RetryAfterFormat.HttpDate, ThrottleRetryAfterSeconds = 5 });
        using var client = new DemoServerClient(server.BaseUrl);
        var status = await client.KickOffAsync();
        using (var response = await client.SendAsync(client.Request(HttpMethod.Get, status, bulkHeaders: false)))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
            var date = response.Headers.RetryAfter!.Date;
            Assert.NotNull(date);
            Assert.InRange(date.Value - DateTimeOffset.UtcNow, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(7));
        }
        await client.WaitForManifestAsync(status);
        Assert.Equal(1, server.FaultsInjected.ThrottledStatusRequests);
    }

    [Theory]
    [InlineData(503)]
    [InlineData(500)]
    public async Task Transient_failures_hit_kick_off_status_and_files_then_clear(int statusCode)
    {
        await using var server = await StartAsync(new DemoFaults { TransientKickOff = 1, TransientStatus = 1, TransientFile = 1, TransientStatusCode = statusCode });
        using var client = new DemoServerClient(server.BaseUrl);
        using (var kickOff = await client.SendAsync(client.Request(HttpMethod.Get, "/$export?_type=Observation")))
        {
            Assert.Equal(statusCode, (int)kickOff.StatusCode);
            Assert.Equal("transient", await OutcomeCodeAsync(kickOff));
        }
        var status = await client.KickOffAsync("/$export?_type=Observation");
        using (var poll = await client.SendAsync(client.Request(HttpMethod.Get, status, bulkHeaders: false)))
            Assert.Equal(statusCode, (int)poll.StatusCode);
        var manifest = await client.WaitForManifestAsync(status);
        var url = manifest.GetProperty("output")[0].GetProperty("url").GetString()!;
        using (var file = await client.SendAsync(client.Request(HttpMethod.Get, url, bulkHeaders: false)))
            Assert.Equal(statusCode, (int)file.StatusCode);
        using (var retry = await client.SendAsync(client.Request(HttpMethod.Get, url, bulkHeaders: false)))
            Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal(new DemoFaultCounts(0, 0, 1, 1, 1, 0, 0, 0), server.FaultsInjected);
    }

    [Fact]
    public async Task Slow_responses_are_delayed()
    {
        await using var server = await StartAsync(new DemoFaults { SlowResponseDelay = TimeSpan.FromMilliseconds(400) });
        using var client = new DemoServerClient(server.BaseUrl);
        var watch = Stopwatch.StartNew();
        await client.KickOffAsync();
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(380), $"took {watch.Elapsed}");
        Assert.Equal(1, server.FaultsInjected.SlowResponses);
    }

    [Fact]
    public async Task Connection_drops_mid_file_for_the_first_n_downloads_then_the_file_arrives_whole()
    {
        await using var server = await StartAsync(new DemoFaults { DropConnection = 1, DropConnectionAfterBytes = 500 });
        using var client = new DemoServerClient(server.BaseUrl);
        var url = await client.FirstOutputUrlAsync("/$export?_type=Observation");

        using (var response = await client.Http.SendAsync(client.Request(HttpMethod.Get, url, bulkHeaders: false), HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.True(response.Content.Headers.ContentLength > 500);
            var received = new MemoryStream();
            var error = await Record.ExceptionAsync(async () => await (await response.Content.ReadAsStreamAsync()).CopyToAsync(received));
            Assert.True(error is HttpRequestException or IOException, $"expected a dropped connection, got {error?.GetType().Name ?? "a complete body"}");
            Assert.True(received.Length <= 500);
        }
        using var again = await client.SendAsync(client.Request(HttpMethod.Get, url, bulkHeaders: false));
        var body = await again.Content.ReadAsByteArrayAsync();
        Assert.Equal(again.Content.Headers.ContentLength, body.Length);
        Assert.Equal(1, server.FaultsInjected.DroppedConnections);
    }

    [Theory]
    [InlineData(410)]
    [InlineData(404)]
    public async Task File_urls_expire_for_the_first_n_downloads(int statusCode)
    {
        await using var server = await StartAsync(new DemoFaults { ExpiredFile = 1, ExpiredFileStatusCode = statusCode });
        using var client = new DemoServerClient(server.BaseUrl);
        var url = await client.FirstOutputUrlAsync("/$export?_type=Observation");
        using (var expired = await client.SendAsync(client.Request(HttpMethod.Get, url, bulkHeaders: false)))
            Assert.Equal(statusCode, (int)expired.StatusCode);
        using var fresh = await client.SendAsync(client.Request(HttpMethod.Get, url, bulkHeaders: false));
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
    }

    [Fact]
    public async Task Files_can_expire_permanently()
    {
        await using var server = await StartAsync(new DemoFaults { FilesExpiredPermanently = true });
        using var client = new DemoServerClient(server.BaseUrl);
        var url = await client.FirstOutputUrlAsync("/$export?_type=Observation");
        for (var i = 0; i < 3; i++)
        {
            using var response = await client.SendAsync(client.Request(HttpMethod.Get, url, bulkHeaders: false));
            Assert.Equal(HttpStatusCode.Gone, response.StatusCode);
        }
        Assert.Equal(3, server.FaultsInjected.ExpiredFiles);
    }

    [Fact]
    public async Task Manifest_can_carry_an_error_file_of_operation_outcomes()
    {
        await using var server = await StartAsync(new DemoFaults { ErrorFile = true });
        using var client = new DemoServerClient(server.BaseUrl);
        var manifest = await client.WaitForManifestAsync(await client.KickOffAsync());
        var errors = await client.DownloadAllAsync(manifest, "error");
        var outcome = JsonDocument.Parse(Assert.Single(errors["OperationOutcome"])).RootElement;
        Assert.Equal("OperationOutcome", outcome.GetProperty("resourceType").GetString());
        Assert.Equal(server.Expected.LinesOf("Patient"), (await client.DownloadAllAsync(manifest))["Patient"].Count);
    }

    [Fact]
    public async Task Manifest_can_point_a_file_at_a_foreign_host()
    {
        await using var server = await StartAsync(new DemoFaults { ForeignHostFileUrl = true });
        using var client = new DemoServerClient(server.BaseUrl);
        var manifest = await client.WaitForManifestAsync(await client.KickOffAsync());
        var hosts = manifest.GetProperty("output").EnumerateArray().Select(f => new Uri(f.GetProperty("url").GetString()!).Host).ToList();
        Assert.Equal("169.254.169.254", hosts[0]);
        Assert.All(hosts.Skip(1), h => Assert.Equal("127.0.0.1", h));
    }

    [Fact]
    public void Named_faults_of_the_cli_map_to_switches_and_unknown_names_are_refused()
    {
        var faults = DemoFaults.Names.Aggregate(new DemoFaults(), (f, name) => f.With(name));
        Assert.Equal(2, faults.ThrottleKickOff);
        Assert.Equal(RetryAfterFormat.HttpDate, new DemoFaults().With("throttle-http-date").ThrottleRetryAfterFormat);
        Assert.Equal(RetryAfterFormat.EpochSeconds, new DemoFaults().With("throttle-epoch-seconds").ThrottleRetryAfterFormat);
        Assert.Equal(RetryAfterFormat.EpochMilliseconds, new DemoFaults().With("throttle-epoch-ms").ThrottleRetryAfterFormat);
        Assert.True(faults.ForeignHostFileUrl && faults.ErrorFile && faults.FilesExpiredPermanently);
        Assert.Throws<ArgumentException>(() => new DemoFaults().With("meteor-strike"));
    }
}
