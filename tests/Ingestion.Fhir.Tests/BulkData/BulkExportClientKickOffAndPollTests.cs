using System.Net;
using System.Text.Json;
using Ingestion.Fhir.BulkData;

namespace Ingestion.Fhir.Tests.BulkData;

public class BulkExportClientKickOffAndPollTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 22, 0, 0, 0, TimeSpan.Zero);
    private const string Base = "https://fhir.test/r4/";
    private const string StatusUrl = "https://fhir.test/r4/status/42";

    private static BulkExportClientOptions Options(ManualClock clock) => new()
    {
        BaseUrl = new Uri(Base),
        TimeProvider = clock,
        RetryAfterFloor = TimeSpan.FromMilliseconds(5),
        RetryAfterCeiling = TimeSpan.FromSeconds(30),
        BackoffBase = TimeSpan.FromMilliseconds(10),
        BackoffCeiling = TimeSpan.FromMilliseconds(80),
        MaxConsecutivePollFailures = 3,
        // These tests check Retry-After and backoff themselves; the per-minute spacing has its own test.
        MaxStatusRequestsPerMinute = 0,
    };

    private static HttpResponseMessage Accepted(string location = StatusUrl)
    {
        var response = FakeFhirHandler.Status(HttpStatusCode.Accepted);
        response.Content.Headers.ContentLocation = new Uri(location);
        return response;
    }

    private static string Manifest(string fileUrl = "https://fhir.test/r4/files/Patient-1.ndjson", string extra = "", bool requiresAccessToken = true) =>
        $$"""{"transactionTime":"2026-11-22T00:00:00Z","request":"{{Base}}$export","requiresAccessToken":{{(requiresAccessToken ? "true" : "false")}},"output":[{"type":"Patient","url":"{{fileUrl}}","count":2}],"error":[]{{extra}}}""";

    [Fact]
    public async Task Kick_off_sends_the_exact_accept_and_prefer_headers_and_the_query_parameters()
    {
        var handler = new FakeFhirHandler(_ => Accepted());
        var client = new BulkExportClient(handler, Options(new ManualClock(Start)));

        var job = await client.KickOffAsync(new BulkExportRequest
        {
            Level = BulkExportLevel.Group,
            GroupId = "g1",
            Types = ["Patient", "Observation"],
            Since = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero),
            TypeFilters = ["Observation?category=laboratory"],
            Lenient = true,
        }, CancellationToken.None);

        var sent = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Get, sent.Method);
        Assert.Equal("/r4/Group/g1/$export", sent.Url.AbsolutePath);
        Assert.Equal("application/fhir+json", sent.Header("Accept"));
        Assert.Equal("respond-async, handling=lenient", sent.Header("Prefer"));
        var query = Uri.UnescapeDataString(sent.Url.Query);
        Assert.Contains("_type=Patient,Observation", query);
        Assert.Contains("_since=2025-01-02T03:04:05+00:00", query);
        Assert.Contains("_typeFilter=Observation?category=laboratory", query);
        Assert.Equal(StatusUrl, job.StatusUrl);
        Assert.Equal(Start, job.KickedOffAt);
    }

    [Fact]
    public async Task Kick_off_with_patients_is_posted_as_a_parameters_resource()
    {
        var handler = new FakeFhirHandler(_ => Accepted());
        var client = new BulkExportClient(handler, Options(new ManualClock(Start)));

        await client.KickOffAsync(new BulkExportRequest { Level = BulkExportLevel.Patient, Patients = ["p1"], Types = ["Condition"] }, CancellationToken.None);

        var sent = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Post, sent.Method);
        Assert.Equal("/r4/Patient/$export", sent.Url.AbsolutePath);
        Assert.Equal("application/fhir+json", sent.Header("Content-Type"));
        Assert.Equal("application/fhir+json", sent.Header("Accept"));
        using var body = JsonDocument.Parse(sent.Body!);
        Assert.Equal("Parameters", body.RootElement.GetProperty("resourceType").GetString());
        var parameters = body.RootElement.GetProperty("parameter").EnumerateArray().ToList();
        Assert.Contains(parameters, p => p.GetProperty("name").GetString() == "patient" && p.GetProperty("valueReference").GetProperty("reference").GetString() == "Patient/p1");
        Assert.Contains(parameters, p => p.GetProperty("name").GetString() == "_type" && p.GetProperty("valueString").GetString() == "Condition");
    }

    [Fact]
    public async Task A_posted_kick_off_answered_see_other_is_followed_with_a_get()
    {
        var handler = new FakeFhirHandler(r =>
        {
            if (r.Method == HttpMethod.Post)
            {
                var redirect = FakeFhirHandler.Status(HttpStatusCode.SeeOther);
                redirect.Headers.Location = new Uri("https://fhir.test/r4/kickoff/7");
                return redirect;
            }
            return Accepted();
        });
        var client = new BulkExportClient(handler, Options(new ManualClock(Start)));

        var job = await client.KickOffAsync(new BulkExportRequest { UsePost = true }, CancellationToken.None);

        Assert.Equal(StatusUrl, job.StatusUrl);
        Assert.Equal([HttpMethod.Post, HttpMethod.Get], handler.Requests.Select(r => r.Method));
        Assert.Equal("/r4/kickoff/7", handler.Requests.Last().Url.AbsolutePath);
        Assert.Null(handler.Requests.Last().Body);
    }

    [Fact]
    public async Task A_throttled_kick_off_waits_and_retries_without_failing()
    {
        var calls = 0;
        var handler = new FakeFhirHandler(_ =>
        {
            if (++calls <= 2)
            {
                var throttled = FakeFhirHandler.Status(HttpStatusCode.TooManyRequests);
                throttled.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromMilliseconds(1));
                return throttled;
            }
            return Accepted();
        });
        var client = new BulkExportClient(handler, Options(new ManualClock(Start)));

        var job = await client.KickOffAsync(new BulkExportRequest(), CancellationToken.None);

        Assert.Equal(3, handler.Requests.Count);
        Assert.Equal(StatusUrl, job.StatusUrl);
    }

    [Fact]
    public async Task A_refused_kick_off_names_the_servers_operation_outcome()
    {
        var handler = new FakeFhirHandler(_ => FakeFhirHandler.Outcome(HttpStatusCode.BadRequest, "not-supported", "_typeFilter is not supported"));
        var client = new BulkExportClient(handler, Options(new ManualClock(Start)));

        var error = await Assert.ThrowsAsync<BulkExportKickOffException>(() => client.KickOffAsync(new BulkExportRequest(), CancellationToken.None));

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal("_typeFilter is not supported", error.ServerDiagnostics);
        Assert.Contains("_typeFilter is not supported", error.Message);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task A_status_url_on_a_foreign_host_is_refused_at_kick_off()
    {
        var handler = new FakeFhirHandler(_ => Accepted("https://elsewhere.example/status/1"));
        var client = new BulkExportClient(handler, Options(new ManualClock(Start)));

        await Assert.ThrowsAsync<BulkExportUnsafeUrlException>(() => client.KickOffAsync(new BulkExportRequest(), CancellationToken.None));
    }

    [Fact]
    public async Task In_progress_status_surfaces_x_progress_and_schedules_the_next_poll_from_retry_after_seconds()
    {
        var clock = new ManualClock(Start);
        var handler = new FakeFhirHandler(_ =>
        {
            var response = FakeFhirHandler.Status(HttpStatusCode.Accepted);
            response.Headers.Add("X-Progress", "40% done");
            response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(7));
            return response;
        });
        var client = new BulkExportClient(handler, Options(clock));

        var result = await client.PollAsync(new BulkExportJob(StatusUrl, Start), CancellationToken.None);

        Assert.False(result.IsComplete);
        Assert.Equal("40% done", result.Progress);
        Assert.Equal("40% done", result.Job.LastProgress);
        Assert.Equal(Start.AddSeconds(7), result.Job.NextPollAt);
        Assert.Equal(1, result.Job.PollAttempt);
        Assert.Equal("application/fhir+json", Assert.Single(handler.Requests).Header("Accept"));
    }

    [Fact]
    public async Task Retry_after_as_an_http_date_is_honoured_and_absurd_values_are_clamped()
    {
        var clock = new ManualClock(Start);
        var retryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(Start.AddSeconds(12));
        var handler = new FakeFhirHandler(_ =>
        {
            var response = FakeFhirHandler.Status(HttpStatusCode.Accepted);
            response.Headers.RetryAfter = retryAfter;
            return response;
        });
        var client = new BulkExportClient(handler, Options(clock));

        var dated = await client.PollAsync(new BulkExportJob(StatusUrl, Start), CancellationToken.None);
        retryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromDays(30));
        var absurd = await client.PollAsync(new BulkExportJob(StatusUrl, Start), CancellationToken.None);
        retryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(Start.AddHours(-1));
        var past = await client.PollAsync(new BulkExportJob(StatusUrl, Start), CancellationToken.None);

        Assert.Equal(Start.AddSeconds(12), dated.Job.NextPollAt);
        Assert.Equal(Start.AddSeconds(30), absurd.Job.NextPollAt);
        Assert.Equal(Start.AddMilliseconds(5), past.Job.NextPollAt);
    }

    [Fact]
    public async Task Without_retry_after_the_poll_interval_backs_off_exponentially_with_jitter_up_to_the_ceiling()
    {
        var clock = new ManualClock(Start);
        var client = new BulkExportClient(new FakeFhirHandler(_ => FakeFhirHandler.Status(HttpStatusCode.Accepted)), Options(clock));
        var job = new BulkExportJob(StatusUrl, Start);
        var delays = new List<TimeSpan>();
        for (var i = 0; i < 6; i++)
        {
            job = (await client.PollAsync(job, CancellationToken.None)).Job;
            delays.Add(job.NextPollAt!.Value - Start);
        }

        // attempt n waits between half and all of min(10ms * 2^n, 80ms).
        for (var n = 0; n < delays.Count; n++)
        {
            var ceiling = Math.Min(10 * Math.Pow(2, n), 80);
            Assert.InRange(delays[n].TotalMilliseconds, ceiling / 2, ceiling);
        }
    }

    [Fact]
    public async Task A_transient_status_failure_is_retried_and_too_many_in_a_row_fail_the_export()
    {
        var handler = new FakeFhirHandler(_ => FakeFhirHandler.Outcome(HttpStatusCode.ServiceUnavailable, "transient", "busy"));
        var client = new BulkExportClient(handler, Options(new ManualClock(Start)));
        var job = new BulkExportJob(StatusUrl, Start);

        for (var i = 1; i <= 3; i++)
        {
            var result = await client.PollAsync(job, CancellationToken.None);
            Assert.False(result.IsComplete);
            Assert.Equal(i, result.Job.ConsecutiveFailures);
            job = result.Job;
        }
        var error = await Assert.ThrowsAsync<BulkExportException>(() => client.PollAsync(job, CancellationToken.None));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.StatusCode);
    }

    [Fact]
    public async Task A_failed_export_reports_the_servers_outcome_instead_of_retrying()
    {
        var handler = new FakeFhirHandler(_ => FakeFhirHandler.Outcome(HttpStatusCode.InternalServerError, "exception", "export job crashed"));
        var client = new BulkExportClient(handler, Options(new ManualClock(Start)));

        var error = await Assert.ThrowsAsync<BulkExportException>(() => client.PollAsync(new BulkExportJob(StatusUrl, Start), CancellationToken.None));

        Assert.Equal("export job crashed", error.ServerDiagnostics);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task The_manifest_is_returned_on_completion()
    {
        var handler = new FakeFhirHandler(_ => FakeFhirHandler.Json(HttpStatusCode.OK, Manifest()));
        var client = new BulkExportClient(handler, Options(new ManualClock(Start)));

        var result = await client.PollAsync(new BulkExportJob(StatusUrl, Start), CancellationToken.None);

        Assert.True(result.IsComplete);
        var file = Assert.Single(result.Manifest!.Output);
        Assert.Equal(new BulkExportFile("Patient", "https://fhir.test/r4/files/Patient-1.ndjson", 2), file);
        Assert.True(result.Manifest.RequiresAccessToken);
        Assert.Equal(Start, result.Manifest.TransactionTime);
    }

    [Fact]
    public async Task Partial_manifests_are_followed_through_their_next_links_and_merged()
    {
        var handler = new FakeFhirHandler(r => r.Url.AbsoluteUri switch
        {
            StatusUrl => FakeFhirHandler.Json(HttpStatusCode.OK, Manifest(extra: ""","link":[{"relation":"next","url":"https://fhir.test/r4/status/42/page/2"}]""")),
            _ => FakeFhirHandler.Json(HttpStatusCode.OK, Manifest("https://fhir.test/r4/files/Patient-2.ndjson")),
        });
        var client = new BulkExportClient(handler, Options(new ManualClock(Start)));

        var first = await client.PollAsync(new BulkExportJob(StatusUrl, Start), CancellationToken.None);
        Assert.False(first.IsComplete);
        Assert.Equal("https://fhir.test/r4/status/42/page/2", first.Job.ManifestPageUrl);
        // The partial state survives a restart as JSON.
        var saved = JsonSerializer.Deserialize<BulkExportJob>(JsonSerializer.Serialize(first.Job))!;
        var second = await client.PollAsync(saved, CancellationToken.None);

        Assert.True(second.IsComplete);
        Assert.Equal(["https://fhir.test/r4/files/Patient-1.ndjson", "https://fhir.test/r4/files/Patient-2.ndjson"], second.Manifest!.Output.Select(o => o.Url));
    }

    [Theory]
    [InlineData("https://attacker.example/files/1.ndjson")]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://fhir.test/r4/files/1.ndjson")]
    [InlineData("ftp://fhir.test/r4/files/1.ndjson")]
    public async Task A_manifest_pointing_at_an_unsafe_url_fails_before_any_download(string url)
    {
        var handler = new FakeFhirHandler(_ => FakeFhirHandler.Json(HttpStatusCode.OK, Manifest(url)));
        var options = Options(new ManualClock(Start));
        options.AllowedFileHosts.Add("169.254.169.254");
        var client = new BulkExportClient(handler, options);

        var error = await Assert.ThrowsAsync<BulkExportUnsafeUrlException>(() => client.PollAsync(new BulkExportJob(StatusUrl, Start), CancellationToken.None));

        Assert.Single(handler.Requests);
        Assert.Contains("Refusing", error.Message);
    }

    [Fact]
    public async Task An_allow_listed_file_host_is_accepted_for_files_that_need_no_token()
    {
        var handler = new FakeFhirHandler(_ => FakeFhirHandler.Json(HttpStatusCode.OK, Manifest("https://files.fhir-cdn.test/x/Patient.ndjson", requiresAccessToken: false)));
        var options = Options(new ManualClock(Start));
        options.AllowedFileHosts.Add("files.fhir-cdn.test");

        var result = await new BulkExportClient(handler, options).PollAsync(new BulkExportJob(StatusUrl, Start), CancellationToken.None);

        Assert.True(result.IsComplete);
    }

    [Fact]
    public async Task An_export_older_than_the_overall_timeout_is_given_up()
    {
        var clock = new ManualClock(Start.AddHours(25));
        var handler = new FakeFhirHandler(_ => FakeFhirHandler.Status(HttpStatusCode.Accepted));
        var client = new BulkExportClient(handler, Options(clock));

        await Assert.ThrowsAsync<BulkExportTimeoutException>(() => client.PollAsync(new BulkExportJob(StatusUrl, Start), CancellationToken.None));
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task A_saved_job_resumes_polling_the_same_export_with_a_new_client_and_no_second_kick_off()
    {
        var polls = 0;
        var handler = new FakeFhirHandler(r => r.Url.AbsolutePath.EndsWith("$export", StringComparison.Ordinal)
            ? Accepted()
            : ++polls < 3 ? FakeFhirHandler.Status(HttpStatusCode.Accepted) : FakeFhirHandler.Json(HttpStatusCode.OK, Manifest()));
        var first = new BulkExportClient(handler, Options(new ManualClock(Start)));
        var job = await first.KickOffAsync(new BulkExportRequest(), CancellationToken.None);
        job = (await first.PollAsync(job, CancellationToken.None)).Job;
        var saved = JsonSerializer.Serialize(job);

        var second = new BulkExportClient(handler, Options(new ManualClock(Start)));
        var manifest = await second.WaitForCompletionAsync(JsonSerializer.Deserialize<BulkExportJob>(saved)!, null, CancellationToken.None);

        Assert.Single(manifest.Output);
        Assert.Equal(1, handler.Count(r => r.Url.AbsolutePath.EndsWith("$export", StringComparison.Ordinal)));
        Assert.Equal(3, handler.Count(r => r.Url.AbsoluteUri == StatusUrl));
    }

    [Fact]
    public async Task Delete_cancels_the_export_and_a_job_already_gone_is_fine()
    {
        var gone = false;
        var handler = new FakeFhirHandler(_ => FakeFhirHandler.Status(gone ? HttpStatusCode.NotFound : HttpStatusCode.Accepted));
        var client = new BulkExportClient(handler, Options(new ManualClock(Start)));

        await client.DeleteAsync(new BulkExportJob(StatusUrl, Start), CancellationToken.None);
        gone = true;
        await client.DeleteAsync(new BulkExportJob(StatusUrl, Start), CancellationToken.None);

        Assert.All(handler.Requests, r => Assert.Equal(HttpMethod.Delete, r.Method));
        Assert.Equal(2, handler.Requests.Count);
    }
}
