using System.Diagnostics;
using System.Security.Cryptography;
using Ingestion.Serve;
using Ingestion.Testing.StandIns;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Ingestion.Functions.Tests;

/// <summary>
/// A page on another origin, opened in headless Chromium (Debian's <c>/usr/bin/chromium</c>), tries to start, cancel
/// and purge runs on a running <c>serve</c> (fetch with JSON, "simple" no-cors requests, cookies included). None of it
/// reaches the Durable client: the credential is a header the page does not have and cannot get a preflight for,
/// and foreign origins are refused.
/// </summary>
public sealed class CrossOriginBrowserTests
{
    private const string Chromium = "/usr/bin/chromium";

    [Fact]
    public async Task A_cross_origin_page_cannot_start_cancel_or_purge_a_run()
    {
        if (!File.Exists(Chromium)) throw new InvalidOperationException($"{Chromium} is missing: apt-get install -y chromium (test.sh installs it).");
        var folder = Directory.CreateTempSubdirectory("serve-browser-").FullName;
        await using var ehr = new LoopbackEhr();
        var durable = new FakeDurableTaskClient();
        durable.Add("running-run", OrchestrationRuntimeStatus.Running);
        durable.Add("finished-run", OrchestrationRuntimeStatus.Completed);
        var apiPort = StandInProcess.FreePort();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Sources:ehr1:FhirBaseUrl"] = ehr.BaseUrl.ToString(),
            ["Storage:LakePath"] = Path.Combine(folder, "lake"),
            ["Deid:Key"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        }).Build();
        await using var serve = ServeApp.Build(configuration, new ServeOptions { ApiKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), Urls = $"http://127.0.0.1:{apiPort}" },
            builder => builder.Services.AddSingleton<DurableTaskClient>(durable));
        await serve.StartAsync();

        var pagePort = StandInProcess.FreePort();
        var pageBuilder = WebApplication.CreateSlimBuilder();
        pageBuilder.WebHost.UseUrls($"http://127.0.0.1:{pagePort}");
        await using var page = pageBuilder.Build();
        page.MapGet("/", () => Results.Content(AttackPage($"http://127.0.0.1:{apiPort}"), "text/html"));
        await page.StartAsync();

        var dom = await RunChromiumAsync($"http://127.0.0.1:{pagePort}/", folder);

        Assert.Contains("DONE", dom);
        Assert.Empty(durable.Scheduled);
        Assert.Empty(durable.RaisedEvents);
        Assert.Empty(durable.Purged);
        Assert.Empty(durable.Terminated);
        Assert.True(durable.Instances.ContainsKey("finished-run"));
        Assert.Equal(0, ehr.Connections);
        await page.StopAsync();
        await serve.StopAsync();
        Directory.Delete(folder, recursive: true);
    }

    /// <summary>Every way a page can send a request without the API key: CORS fetches (preflighted) and no-cors "simple" ones.</summary>
    private static string AttackPage(string api) => $$"""
        <!doctype html><html><body><pre id="out">RUNNING</pre><script>
        const api = "{{api}}";
        const results = [];
        async function attempt(name, path, init) {
          try { const r = await fetch(api + path, init); results.push(name + "=" + r.status); }
          catch (e) { results.push(name + "=blocked"); }
        }
        (async () => {
          const body = JSON.stringify({ source: "ehr1" });
          await attempt("start-json", "/api/exports", { method: "POST", headers: { "Content-Type": "application/json" }, body });
          await attempt("start-key", "/api/exports", { method: "POST", headers: { "Content-Type": "application/json", "X-Api-Key": "guess" }, body });
          await attempt("start-simple", "/api/exports", { method: "POST", mode: "no-cors", credentials: "include", headers: { "Content-Type": "text/plain" }, body });
          await attempt("cancel", "/api/exports/running-run/events/Cancel", { method: "POST", mode: "no-cors", credentials: "include" });
          await attempt("terminate", "/api/exports/running-run/terminate", { method: "POST", mode: "no-cors" });
          await attempt("purge", "/api/exports/finished-run", { method: "DELETE" });
          await attempt("purge-no-cors", "/api/exports/finished-run", { method: "DELETE", mode: "no-cors" });
          document.getElementById("out").textContent = "DONE " + results.join(" ");
        })();
        </script></body></html>
        """;

    private static async Task<string> RunChromiumAsync(string url, string folder)
    {
        var start = new ProcessStartInfo(Chromium)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", $"--user-data-dir={Path.Combine(folder, "chromium")}", "--virtual-time-budget=15000", "--dump-dom", url })
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Chromium did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("Chromium did not finish in 90 s: " + await stderr);
        }
        return await stdout;
    }
}
