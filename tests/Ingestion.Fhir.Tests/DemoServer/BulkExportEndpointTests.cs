using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using Ingestion.DemoServer;

namespace Ingestion.Fhir.Tests.DemoServer;

public sealed class BulkExportEndpointTests
{
    private static Task<DemoFhirServer> StartAsync(DemoServerOptions? options = null) =>
        DemoFhirServer.StartAsync(options ?? new DemoServerOptions { Patients = 30, Seed = 4, ResourcesPerFile = 100 });

    [Fact]
    public async Task System_export_delivers_every_generated_line_once_split_at_resources_per_file()
    {
        await using var server = await StartAsync(new DemoServerOptions { Patients = 30, Seed = 4, ResourcesPerFile = 100, DefectRate = 0.1 });
        using var client = new DemoServerClient(server.BaseUrl);
        var manifest = await client.WaitForManifestAsync(await client.KickOffAsync());

        Assert.False(manifest.GetProperty("requiresAccessToken").GetBoolean());
        Assert.EndsWith("/fhir/$export", manifest.GetProperty("request").GetString());
        Assert.True(DateTimeOffset.TryParse(manifest.GetProperty("transactionTime").GetString(), out _));
        Assert.All(manifest.GetProperty("output").EnumerateArray(), f => Assert.InRange(f.GetProperty("count").GetInt64(), 1, 100));

        var lines = await client.DownloadAllAsync(manifest);
        var generated = new SyntheticPatientGenerator(30, 4, 0.1).Generate().GroupBy(r => r.ResourceType)
            .ToDictionary(g => g.Key, g => g.Select(r => Encoding.UTF8.GetString(r.NdjsonLine)).ToList());
        Assert.Equal(generated.Keys.Order(), lines.Keys.Order());
        foreach (var (type, expected) in generated)
        {
            Assert.True(expected.SequenceEqual(lines[type]), $"{type}: served lines differ from the generated ones");
            Assert.Equal(server.Expected.LinesOf(type), lines[type].Count);
        }
        Assert.Equal(1, server.KickOffCount);
    }

    [Theory]
    [InlineData("Accept", "application/json")]
    [InlineData("Prefer", "")]
    public async Task Kick_off_without_the_required_headers_is_rejected_with_an_OperationOutcome(string header, string value)
    {
        await using var server = await StartAsync();
        using var client = new DemoServerClient(server.BaseUrl);
        var request = client.Request(HttpMethod.Get, "/$export");
        request.Headers.Remove(header);
        if (value.Length > 0) request.Headers.TryAddWithoutValidation(header, value);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var outcome = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("OperationOutcome", outcome.GetProperty("resourceType").GetString());
        Assert.Equal(0, server.KickOffCount);
    }

    [Fact]
    public async Task Status_stays_in_progress_with_x_progress_and_retry_after_until_the_export_delay_passes()
    {
        await using var server = await StartAsync(new DemoServerOptions { Patients = 3, ExportDelay = TimeSpan.FromSeconds(1.5) });
        using var client = new DemoServerClient(server.BaseUrl);
        var status = await client.KickOffAsync();
        using (var response = await client.SendAsync(client.Request(HttpMethod.Get, status, bulkHeaders: false)))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            Assert.False(string.IsNullOrWhiteSpace(response.Headers.GetValues("X-Progress").Single()));
            Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
        }
        await Task.Delay(1600);
        using var done = await client.SendAsync(client.Request(HttpMethod.Get, status, bulkHeaders: false));
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
    }

    [Fact]
    public async Task Type_filter_limits_the_output_and_unknown_types_are_rejected()
    {
        await using var server = await StartAsync();
        using var client = new DemoServerClient(server.BaseUrl);
        var manifest = await client.WaitForManifestAsync(await client.KickOffAsync("/Patient/$export?_type=Patient,Condition"));
        var types = manifest.GetProperty("output").EnumerateArray().Select(f => f.GetProperty("type").GetString()).Distinct().Order().ToList();
        Assert.Equal(["Condition", "Patient"], types);
        Assert.Equal(server.Expected.LinesOf("Condition"), manifest.GetProperty("output").EnumerateArray()
            .Where(f => f.GetProperty("type").GetString() == "Condition").Sum(f => f.GetProperty("count").GetInt64()));

        using var bad = await client.SendAsync(client.Request(HttpMethod.Get, "/$export?_type=Spaceship"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task Post_kick_off_with_parameters_is_honoured_at_group_level()
    {
        await using var server = await StartAsync();
        using var client = new DemoServerClient(server.BaseUrl);
        var request = client.Request(HttpMethod.Post, $"/Group/{DemoFhirServer.GroupId}/$export");
        request.Content = new StringContent("""{"resourceType":"Parameters","parameter":[{"name":"_type","valueString":"Immunization"}]}""", Encoding.UTF8, "application/fhir+json");
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var manifest = await client.WaitForManifestAsync(response.Content.Headers.ContentLocation!.ToString());
        Assert.All(manifest.GetProperty("output").EnumerateArray(), f => Assert.Equal("Immunization", f.GetProperty("type").GetString()));

        using var unknownGroup = await client.SendAsync(client.Request(HttpMethod.Get, "/Group/nope/$export"));
        Assert.Equal(HttpStatusCode.NotFound, unknownGroup.StatusCode);
    }

    [Fact]
    public async Task Patient_parameter_limits_patient_owned_resources_to_that_patient()
    {
        await using var server = await StartAsync();
        var generated = new SyntheticPatientGenerator(30, 4, 0).Generate().ToList();
        var patientId = generated.First(r => r.ResourceType == "Patient").PatientId!;
        using var client = new DemoServerClient(server.BaseUrl);
        var request = client.Request(HttpMethod.Post, "/Patient/$export");
        request.Content = new StringContent(
            "{\"resourceType\":\"Parameters\",\"parameter\":[{\"name\":\"patient\",\"valueReference\":{\"reference\":\"Patient/" + patientId + "\"}}]}",
            Encoding.UTF8, "application/fhir+json");
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var lines = await client.DownloadAllAsync(await client.WaitForManifestAsync(response.Content.Headers.ContentLocation!.ToString()));
        var expected = generated.Where(r => r.PatientId is null || r.PatientId == patientId).GroupBy(r => r.ResourceType).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(expected.OrderBy(kv => kv.Key), lines.Select(kv => KeyValuePair.Create(kv.Key, kv.Value.Count)).OrderBy(kv => kv.Key));
        Assert.Single(lines["Patient"]);
    }

    [Fact]
    public async Task Unsupported_parameters_are_rejected_unless_handling_is_lenient()
    {
        await using var server = await StartAsync();
        using var client = new DemoServerClient(server.BaseUrl);
        using (var strict = await client.SendAsync(client.Request(HttpMethod.Get, "/$export?_typeFilter=Observation%3Fcategory%3Dlaboratory")))
            Assert.Equal(HttpStatusCode.BadRequest, strict.StatusCode);
        var lenient = client.Request(HttpMethod.Get, "/$export?_typeFilter=Observation%3Fcategory%3Dlaboratory&_type=Patient,Spaceship");
        lenient.Headers.Remove("Prefer");
        lenient.Headers.TryAddWithoutValidation("Prefer", "respond-async, handling=lenient");
        using var accepted = await client.SendAsync(lenient);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var manifest = await client.WaitForManifestAsync(accepted.Content.Headers.ContentLocation!.ToString());
        Assert.All(manifest.GetProperty("output").EnumerateArray(), f => Assert.Equal("Patient", f.GetProperty("type").GetString()));
    }

    [Theory]
    [InlineData("2025-01-01T00:00:00Z")]
    [InlineData("2025-01-01T01:00:00+01:00")] // '+' left unencoded, as some clients send it
    public async Task Since_returns_only_later_resources_and_lists_deletions(string sinceParameter)
    {
        await using var server = await StartAsync(new DemoServerOptions { Patients = 60, Seed = 9, ResourcesPerFile = 1000 });
        var since = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var generator = new SyntheticPatientGenerator(60, 9, 0);
        var expected = generator.Generate().Where(r => r.LastUpdated > since).GroupBy(r => r.ResourceType).ToDictionary(g => g.Key, g => g.Count());
        var expectedDeleted = generator.GenerateDeletions().Where(d => d.DeletedAt > since).Select(d => $"{d.ResourceType}/{d.Id}").Order().ToList();
        Assert.NotEmpty(expectedDeleted);

        using var client = new DemoServerClient(server.BaseUrl);
        var manifest = await client.WaitForManifestAsync(await client.KickOffAsync("/$export?_since=" + sinceParameter));
        var lines = await client.DownloadAllAsync(manifest);
        Assert.Equal(expected.OrderBy(kv => kv.Key), lines.Select(kv => KeyValuePair.Create(kv.Key, kv.Value.Count)).OrderBy(kv => kv.Key));

        var deleted = await client.DownloadAllAsync(manifest, "deleted");
        var urls = deleted["Bundle"].Select(l => JsonDocument.Parse(l).RootElement)
            .Select(b =>
            {
                Assert.Equal("transaction", b.GetProperty("type").GetString());
                var request = b.GetProperty("entry")[0].GetProperty("request");
                Assert.Equal("DELETE", request.GetProperty("method").GetString());
                return request.GetProperty("url").GetString()!;
            }).Order().ToList();
        Assert.Equal(expectedDeleted, urls);
    }

    [Fact]
    public async Task Until_returns_only_resources_updated_up_to_it()
    {
        await using var server = await StartAsync();
        var until = new DateTimeOffset(2022, 6, 1, 0, 0, 0, TimeSpan.Zero);
        var expected = new SyntheticPatientGenerator(30, 4, 0).Generate().Count(r => r.LastUpdated <= until);
        using var client = new DemoServerClient(server.BaseUrl);
        var manifest = await client.WaitForManifestAsync(await client.KickOffAsync("/$export?_until=2022-06-01T00:00:00Z"));
        Assert.Equal(expected, manifest.GetProperty("output").EnumerateArray().Sum(f => f.GetProperty("count").GetInt64()));
        Assert.Empty(manifest.GetProperty("deleted").EnumerateArray());
    }

    [Fact]
    public async Task Elements_keeps_only_the_listed_elements_and_marks_resources_subsetted()
    {
        await using var server = await StartAsync();
        using var client = new DemoServerClient(server.BaseUrl);
        var manifest = await client.WaitForManifestAsync(await client.KickOffAsync("/$export?_type=Patient&_elements=gender,Patient.birthDate"));
        var lines = await client.DownloadAllAsync(manifest);
        foreach (var line in lines["Patient"])
        {
            var root = JsonDocument.Parse(line).RootElement;
            Assert.Equal(["resourceType", "id", "meta", "gender", "birthDate"], root.EnumerateObject().Select(p => p.Name).ToList());
            Assert.Contains(root.GetProperty("meta").GetProperty("tag").EnumerateArray(), t => t.GetProperty("code").GetString() == "SUBSETTED");
        }
    }

    [Fact]
    public async Task Files_are_gzip_encoded_when_the_client_accepts_it()
    {
        await using var server = await StartAsync();
        using var client = new DemoServerClient(server.BaseUrl);
        var manifest = await client.WaitForManifestAsync(await client.KickOffAsync("/$export?_type=Observation"));
        var url = manifest.GetProperty("output")[0].GetProperty("url").GetString()!;

        var plain = await (await client.SendAsync(client.Request(HttpMethod.Get, url, bulkHeaders: false))).Content.ReadAsByteArrayAsync();
        var request = client.Request(HttpMethod.Get, url, bulkHeaders: false);
        request.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip");
        using var response = await client.SendAsync(request);
        Assert.Equal("gzip", response.Content.Headers.ContentEncoding.Single());
        Assert.Equal("application/fhir+ndjson", response.Content.Headers.ContentType!.MediaType);
        await using var gzip = new GZipStream(await response.Content.ReadAsStreamAsync(), CompressionMode.Decompress);
        using var unzipped = new MemoryStream();
        await gzip.CopyToAsync(unzipped);
        Assert.Equal(plain, unzipped.ToArray());
    }

    [Fact]
    public async Task Range_requests_return_exactly_the_requested_bytes()
    {
        await using var server = await StartAsync();
        using var client = new DemoServerClient(server.BaseUrl);
        var manifest = await client.WaitForManifestAsync(await client.KickOffAsync("/$export?_type=Patient"));
        var url = manifest.GetProperty("output")[0].GetProperty("url").GetString()!;
        var whole = await (await client.SendAsync(client.Request(HttpMethod.Get, url, bulkHeaders: false))).Content.ReadAsByteArrayAsync();

        var request = client.Request(HttpMethod.Get, url, bulkHeaders: false);
        request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(100, null);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(whole[100..], await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(whole.Length, response.Content.Headers.ContentRange!.Length);

        var beyond = client.Request(HttpMethod.Get, url, bulkHeaders: false);
        beyond.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(whole.Length + 10, null);
        using var unsatisfiable = await client.SendAsync(beyond);
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, unsatisfiable.StatusCode);
    }

    [Fact]
    public async Task Delete_on_the_status_url_cancels_the_job_and_then_it_is_gone()
    {
        await using var server = await StartAsync();
        using var client = new DemoServerClient(server.BaseUrl);
        var status = await client.KickOffAsync();
        var manifest = await client.WaitForManifestAsync(status);
        var fileUrl = manifest.GetProperty("output")[0].GetProperty("url").GetString()!;

        using (var deleted = await client.SendAsync(client.Request(HttpMethod.Delete, status, bulkHeaders: false)))
            Assert.Equal(HttpStatusCode.Accepted, deleted.StatusCode);
        using (var again = await client.SendAsync(client.Request(HttpMethod.Get, status, bulkHeaders: false)))
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        using (var file = await client.SendAsync(client.Request(HttpMethod.Get, fileUrl, bulkHeaders: false)))
            Assert.Equal(HttpStatusCode.NotFound, file.StatusCode);
        using (var twice = await client.SendAsync(client.Request(HttpMethod.Delete, status, bulkHeaders: false)))
            Assert.Equal(HttpStatusCode.NotFound, twice.StatusCode);
    }

    [Fact]
    public async Task Metadata_and_smart_configuration_describe_the_server()
    {
        await using var server = await StartAsync();
        using var client = new DemoServerClient(server.BaseUrl);
        var metadata = JsonDocument.Parse(await client.Http.GetStringAsync(server.BaseUrl + "/metadata")).RootElement;
        Assert.Equal("CapabilityStatement", metadata.GetProperty("resourceType").GetString());
        Assert.Contains(metadata.GetProperty("instantiates").EnumerateArray(), i => i.GetString()!.EndsWith("/bulk-data"));

        var smart = JsonDocument.Parse(await client.Http.GetStringAsync(server.BaseUrl + "/.well-known/smart-configuration")).RootElement;
        Assert.Equal(server.TokenUrl.ToString(), smart.GetProperty("token_endpoint").GetString());
        Assert.Contains(smart.GetProperty("token_endpoint_auth_methods_supported").EnumerateArray(), m => m.GetString() == "private_key_jwt");
        var algs = smart.GetProperty("token_endpoint_auth_signing_alg_values_supported").EnumerateArray().Select(a => a.GetString()).ToList();
        Assert.Equal(["RS384", "ES384"], algs);
    }
}
