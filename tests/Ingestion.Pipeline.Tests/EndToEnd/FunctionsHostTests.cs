using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ingestion.DemoServer;
using Ingestion.Storage.Embedded;

namespace Ingestion.Pipeline.Tests.EndToEnd;

/// <summary>
/// `serve` as an Azure Functions custom handler, with this test playing the Functions host: it posts the timer and
/// queue trigger payloads the host sends (queue messages taken from the app's queue and deleted after a 200, as
/// the queue trigger does) and calls the forwarded HTTP routes.
/// </summary>
public sealed class FunctionsHostTests
{
    [Fact]
    public async Task Under_the_functions_host_the_timer_starts_an_export_and_queue_deliveries_publish_it()
    {
        var root = Directory.CreateTempSubdirectory("functions-host-").FullName;
        await using var server = await DemoFhirServer.StartAsync(new DemoServerOptions { Patients = 3, SpoolDirectory = root });
        var port = Ingestion.Testing.StandIns.StandInProcess.FreePort();
        var lake = Path.Combine(root, "lake");
        var state = Path.Combine(root, "state", "ingestion.db");
        await using var serve = await ServeProcess.StartAsync(root, port, ["--lake", lake, "--state", state], new Dictionary<string, string?>
        {
            ["FUNCTIONS_CUSTOMHANDLER_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Deid__Key"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            ["Fhir__BaseUrl"] = server.BaseUrl.ToString(),
            ["Fhir__AllowInsecureHttp"] = "true",
            ["Fhir__AllowPrivateNetwork"] = "true",
        }, TimeSpan.FromSeconds(60));
        try
        {
            var http = serve.Http;

            // Timer trigger → an incremental export of the configured FHIR server.
            var timer = await http.PostAsync("/ScheduledExport", HostPayload(new { Data = new { timer = new { IsPastDue = false } }, Metadata = new { } }));
            Assert.True(timer.StatusCode == HttpStatusCode.OK, await timer.Content.ReadAsStringAsync());
            var invocation = JsonDocument.Parse(await timer.Content.ReadAsStringAsync()).RootElement;
            Assert.True(invocation.TryGetProperty("Outputs", out _));
            var id = invocation.GetProperty("ReturnValue").GetString()!;

            // Queue trigger: deliver every message until the run is terminal (the status route answers 200 then).
            var queue = new SqliteWorkQueue(state, "ingestion-work");
            var deadline = DateTime.UtcNow.AddSeconds(120);
            HttpResponseMessage status;
            while (true)
            {
                foreach (var lease in await queue.ReceiveAsync(4, TimeSpan.FromMinutes(2)))
                {
                    var delivered = await http.PostAsync("/ProcessWork", HostPayload(new { Data = new { message = lease.Body }, Metadata = new { lease.DequeueCount } }));
                    Assert.True(delivered.StatusCode == HttpStatusCode.OK, await delivered.Content.ReadAsStringAsync());
                    await queue.CompleteAsync(lease);
                }
                status = await http.GetAsync($"/api/runs/{id}");
                if (status.StatusCode != HttpStatusCode.Accepted) break;
                Assert.True(DateTime.UtcNow < deadline, "the run did not finish under the simulated Functions host");
                await Task.Delay(200);
            }

            Assert.Equal(HttpStatusCode.OK, status.StatusCode);
            var run = JsonDocument.Parse(await status.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("Completed", run.GetProperty("runtimeStatus").GetString());
            Assert.EndsWith($"/api/runs/{id}", run.GetProperty("management").GetProperty("statusQueryGetUri").GetString());
            Assert.Single(Directory.GetFiles(Path.Combine(lake, "_runs"), "manifest.json", SearchOption.AllDirectories));

            // Forwarded HTTP trigger: an ad-hoc export answers 202 with its management URLs; it can be canceled.
            var adHoc = await http.PostAsJsonAsync("/api/exports", new { types = new[] { "Patient" } });
            Assert.Equal(HttpStatusCode.Accepted, adHoc.StatusCode);
            var second = JsonDocument.Parse(await adHoc.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
            Assert.EndsWith($"/api/runs/{second}", adHoc.Headers.Location!.ToString());
            Assert.Equal(HttpStatusCode.Accepted, (await http.PostAsync($"/api/runs/{second}/cancel", null)).StatusCode);

            // The operators' dashboard and the run list it polls.
            Assert.Contains("<table>", await http.GetStringAsync("/api/dashboard"));
            var runs = JsonDocument.Parse(await http.GetStringAsync("/api/runs")).RootElement;
            Assert.Contains(runs.EnumerateArray(), r => r.GetProperty("instanceId").GetString() == id);
        }
        finally
        {
            await serve.DisposeAsync();
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>The Functions host's invocation payload: member names as it writes them (Data, Metadata).</summary>
    private static JsonContent HostPayload(object payload) => JsonContent.Create(payload, options: new JsonSerializerOptions());
}
