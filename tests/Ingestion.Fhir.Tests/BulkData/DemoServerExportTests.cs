using System.Net;
using System.Text.Json;
using Ingestion.DemoServer;
using Ingestion.Fhir.BulkData;

namespace Ingestion.Fhir.Tests.BulkData;

/// <summary>The client against the embedded demo server: every fault switch, with and without SMART auth.</summary>
public class DemoServerExportTests
{
    private static DemoServerOptions Small(DemoFaults? faults = null) => new()
    {
        Patients = 6,
        Seed = 7,
        ResourcesPerFile = 40,
        DefectRate = 0.05,
        Faults = faults ?? new DemoFaults(),
    };

    public static TheoryData<string, bool> FaultsThatMustBeSurvived()
    {
        var data = new TheoryData<string, bool>();
        foreach (var name in DemoFaults.Names.Where(n => n is not ("expired-permanently" or "foreign-host")))
        {
            data.Add(name, false);
            data.Add(name, true);
        }
        data.Add("none", false);
        data.Add("none", true);
        return data;
    }

    private static DemoFaults Fault(string name)
    {
        if (name == "none") return new DemoFaults();
        var faults = new DemoFaults().With(name);
        // The "slow" switch delays every response by 2 s; a fraction of that exercises the same path faster.
        return name == "slow" ? faults with { SlowResponseDelay = TimeSpan.FromMilliseconds(150) } : faults;
    }

    [Theory]
    [MemberData(nameof(FaultsThatMustBeSurvived))]
    public async Task The_export_completes_with_every_resource_exactly_once_despite_the_fault(string fault, bool auth)
    {
        await using var demo = await DemoExport.StartAsync(Small(Fault(fault)), auth);
        var client = demo.CreateClient(auth);

        var job = await client.KickOffAsync(new BulkExportRequest(), CancellationToken.None);
        var manifest = await client.WaitForCompletionAsync(job, null, CancellationToken.None);
        var downloaded = await DemoExport.DownloadAsync(client, manifest);
        if (fault == "error-file")
        {
            var errorFile = Assert.Single(manifest.Error);
            await foreach (var line in client.ReadFileAsync(manifest, errorFile, CancellationToken.None)) Assert.Null(line.Error);
        }
        await client.DeleteAsync(job, CancellationToken.None);

        var expected = demo.Server.Expected;
        Assert.Equal(expected.ResourceTypes.ToDictionary(t => t, expected.LinesOf), downloaded.LinesPerType);
        Assert.Equal(expected.ResourceTypes.ToDictionary(t => t, t => expected.DefectsOf(t).GetValueOrDefault(DefectKind.MalformedJson)), downloaded.ErrorLinesPerType);
        Assert.Equal(0, downloaded.DuplicateIds);
        Assert.Equal(1, demo.Server.KickOffCount);
        Assert.Equal(manifest.RequiresAccessToken, auth);
        var injected = demo.Server.FaultsInjected;
        switch (fault)
        {
            case "drop-connection": Assert.Equal(2, injected.DroppedConnections); break;
            case "transient-file": Assert.Equal(2, injected.TransientFiles); break;
            case "expired-file": Assert.Equal(2, injected.ExpiredFiles); break;
            case "throttle-kickoff": Assert.Equal(2, injected.ThrottledKickOffs); break;
            case "transient-status": Assert.Equal(2, injected.TransientStatusRequests); break;
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Files_expired_for_good_fail_with_a_clear_file_error(bool auth)
    {
        await using var demo = await DemoExport.StartAsync(Small(new DemoFaults { FilesExpiredPermanently = true }), auth);
        var client = demo.CreateClient(auth);
        var manifest = await client.WaitForCompletionAsync(await client.KickOffAsync(new BulkExportRequest(), CancellationToken.None), null, CancellationToken.None);

        var error = await Assert.ThrowsAsync<BulkExportFileException>(() => DemoExport.DownloadAsync(client, manifest));

        Assert.Contains(error.StatusCode, new HttpStatusCode?[] { HttpStatusCode.Gone, HttpStatusCode.NotFound });
        Assert.Contains("run the export again", error.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_manifest_file_url_on_a_foreign_host_fails_the_export_before_any_download(bool auth)
    {
        await using var demo = await DemoExport.StartAsync(Small(new DemoFaults { ForeignHostFileUrl = true }), auth);
        var client = demo.CreateClient(auth);
        var job = await client.KickOffAsync(new BulkExportRequest(), CancellationToken.None);

        var error = await Assert.ThrowsAsync<BulkExportUnsafeUrlException>(() => client.WaitForCompletionAsync(job, null, CancellationToken.None));

        Assert.Contains("metadata", error.Reason + error.Message);
    }

    [Fact]
    public async Task A_kick_off_the_server_rejects_fails_with_its_operation_outcome()
    {
        await using var demo = await DemoExport.StartAsync(Small(), auth: false);
        var client = demo.CreateClient(auth: false);

        var error = await Assert.ThrowsAsync<BulkExportKickOffException>(() =>
            client.KickOffAsync(new BulkExportRequest { OutputFormat = "text/csv" }, CancellationToken.None));

        Assert.True((int)error.StatusCode!.Value is >= 400 and < 500);
        Assert.False(string.IsNullOrWhiteSpace(error.ServerDiagnostics));
        Assert.Equal(0, demo.Server.KickOffCount);
    }

    [Fact]
    public async Task Without_a_token_the_secured_server_refuses_the_kick_off_clearly()
    {
        await using var demo = await DemoExport.StartAsync(Small(), auth: true);
        var client = demo.CreateClient(auth: false);

        var error = await Assert.ThrowsAsync<BulkExportKickOffException>(() => client.KickOffAsync(new BulkExportRequest(), CancellationToken.None));

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Contains("client id", error.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_restarted_client_resumes_polling_from_the_saved_job_without_a_second_kick_off(bool auth)
    {
        await using var demo = await DemoExport.StartAsync(Small() with { ExportDelay = TimeSpan.FromSeconds(2) }, auth);
        var first = demo.CreateClient(auth);
        var job = await first.KickOffAsync(new BulkExportRequest(), CancellationToken.None);
        var poll = await first.PollAsync(job, CancellationToken.None);
        Assert.False(poll.IsComplete);
        var saved = JsonSerializer.Serialize(poll.Job);

        var second = demo.CreateClient(auth);
        var manifest = await second.WaitForCompletionAsync(JsonSerializer.Deserialize<BulkExportJob>(saved)!, null, CancellationToken.None);
        var downloaded = await DemoExport.DownloadAsync(second, manifest);

        Assert.Equal(1, demo.Server.KickOffCount);
        Assert.Equal(demo.Server.Expected.TotalLines, downloaded.LinesPerType.Values.Sum());
        Assert.Equal(0, downloaded.DuplicateIds);
    }

    [Fact]
    public async Task A_client_stopped_mid_download_is_replaced_by_one_that_finishes_from_the_saved_job()
    {
        await using var demo = await DemoExport.StartAsync(Small(), auth: true);
        var first = demo.CreateClient(auth: true);
        var job = await first.KickOffAsync(new BulkExportRequest(), CancellationToken.None);
        var manifest = await first.WaitForCompletionAsync(job, null, CancellationToken.None);
        var saved = JsonSerializer.Serialize(job);
        using (var stop = new CancellationTokenSource())
        {
            var read = 0;
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            {
                await foreach (var _ in first.ReadFileAsync(manifest, manifest.Output.MaxBy(f => f.Count)!, stop.Token))
                    if (++read == 5) await stop.CancelAsync();
            });
        }

        var second = demo.CreateClient(auth: true);
        var again = await second.WaitForCompletionAsync(JsonSerializer.Deserialize<BulkExportJob>(saved)!, null, CancellationToken.None);
        var downloaded = await DemoExport.DownloadAsync(second, again);

        Assert.Equal(1, demo.Server.KickOffCount);
        Assert.Equal(demo.Server.Expected.TotalLines, downloaded.LinesPerType.Values.Sum());
    }

    [Fact]
    public async Task A_token_expiring_mid_export_is_refreshed_instead_of_failing_the_export()
    {
        await using var demo = await DemoExport.StartAsync(Small() with { TokenLifetime = TimeSpan.FromSeconds(1), ExportDelay = TimeSpan.FromMilliseconds(2500) }, auth: true);
        // No early refresh: the token is used until the server rejects it, so the 401 path is what keeps the export alive.
        var client = demo.CreateClient(auth: true, configureAuth: o => o.RefreshBeforeExpiry = TimeSpan.Zero);

        var job = await client.KickOffAsync(new BulkExportRequest(), CancellationToken.None);
        var manifest = await client.WaitForCompletionAsync(job, null, CancellationToken.None);
        var downloaded = await DemoExport.DownloadAsync(client, manifest);

        Assert.True(demo.Tokens!.TokensIssued >= 2, $"expected a refresh, got {demo.Tokens.TokensIssued} token(s)");
        Assert.Equal(demo.Server.Expected.TotalLines, downloaded.LinesPerType.Values.Sum());
    }

    [Fact]
    public async Task A_replayed_client_assertion_is_rejected_by_the_server()
    {
        await using var demo = await DemoExport.StartAsync(Small(), auth: true);
        using var tokens = demo.CreateTokens();
        var assertion = tokens.CreateClientAssertion(demo.Server.TokenUrl);
        using var http = new HttpClient();

        async Task<HttpResponseMessage> PostAsync() => await http.PostAsync(demo.Server.TokenUrl, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["scope"] = "system/*.read",
            ["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ["client_assertion"] = assertion,
        }));

        using var first = await PostAsync();
        using var replay = await PostAsync();

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.False(replay.IsSuccessStatusCode);
        Assert.Contains("invalid_client", await replay.Content.ReadAsStringAsync());
        // The provider itself never replays: two fresh tokens in a row both succeed.
        Assert.NotEqual(await tokens.GetTokenAsync(true, CancellationToken.None), await tokens.GetTokenAsync(true, CancellationToken.None));
    }
}
