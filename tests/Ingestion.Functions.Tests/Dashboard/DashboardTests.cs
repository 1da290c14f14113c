using System.Globalization;
using System.Net;
using System.Text.Json;
using Ingestion.Pipeline.State;
using Ingestion.Storage.Catalog;
using Microsoft.DurableTask.Client;
using Microsoft.Playwright;

namespace Ingestion.Functions.Tests.Dashboard;

/// <summary>
/// The operator dashboard in Chromium against a running serve: what it shows equals the run catalog, its actions work
/// through the authenticated API and are refused without the key, refreshes keep focus and scroll, and the pages meet
/// the accessibility rules we check by hand (landmarks, labels, table headers, AA contrast).
/// </summary>
[Trait("Category", "Browser")]
public sealed class DashboardTests(DashboardServer server) : IClassFixture<DashboardServer>
{
    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static async Task<string> RowText(IPage page, string runId)
    {
        var row = page.Locator($"tbody tr[data-key='{runId}']").First;
        await row.WaitForAsync();
        return await row.InnerTextAsync();
    }

    [Fact]
    public async Task Runs_list_shows_the_catalogs_counters_status_and_failure_reason_for_every_seeded_run()
    {
        var (page, errors) = await server.OpenAsync("#/runs");
        await page.Locator("tbody tr[data-key='r-completed']").WaitForAsync();
        foreach (var id in new[] { "r-completed", "r-failed", "r-running", "r-canceled" })
        {
            var run = (await server.Catalog.GetRunAsync(id, default))!;
            var text = await RowText(page, id);
            Assert.Contains(run.SourceId, text);
            Assert.Contains(run.Status.ToString(), text);
            Assert.Contains($"{N(run.Counters.FilesDone)} / {N(run.Counters.FilesFailed)} / {N(run.FilesTotal)}", text);
            Assert.Contains(N(run.Counters.ResourcesRead), text);
            Assert.Contains(N(run.Counters.ResourcesQuarantined), text);
            if (run.FailureReason is not null) Assert.Contains(run.FailureReason, text);
        }
        Assert.Contains("7.0 %", await RowText(page, "r-completed")); // concept-0: 7 unmapped of 100 mapped
        Assert.Equal("Running", await page.Locator("tbody tr[data-key='r-running'] .status").InnerTextAsync());

        // Filtering by status asks the API and shows only those runs.
        await page.GetByLabel("Status").SelectOptionAsync("Failed");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply filters" }).ClickAsync();
        await page.WaitForURLAsync("**status=Failed**");
        await page.Locator("tbody tr[data-key='r-completed']").WaitForAsync(new() { State = WaitForSelectorState.Detached });
        Assert.Equal(1, await page.Locator("tbody tr[data-key='r-failed']").CountAsync());

        await page.ScreenshotAsync(new() { Path = Path.Combine(DashboardServer.ScreenshotFolder, "runs.png"), FullPage = true });
        Assert.DoesNotContain(DashboardServer.PhiCanary, await page.ContentAsync());
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Run_page_shows_files_attempts_quarantine_reasons_unmapped_codes_comparison_and_events()
    {
        var (page, errors) = await server.OpenAsync("#/run/r-completed");
        await page.Locator("#run-title").WaitForAsync();
        await page.GetByText("us-core-missing-identifier").WaitForAsync();
        var body = await page.Locator("main").InnerTextAsync();
        Assert.Contains("invalid-json", body);
        Assert.Contains("999000111", body);
        Assert.Contains("Z99.89", body);
        Assert.Contains("previous completed run, r-previous", body);
        Assert.Contains("-40.0 %", body); // 120 read vs 200 before
        Assert.Contains("event sent: run-published", body);
        Assert.Contains("#1 Condition — Completed, 2 attempts", await page.Locator("svg[data-key='gantt']").InnerHTMLAsync());
        Assert.DoesNotContain("SECRET-SIGNATURE", await page.ContentAsync());
        Assert.DoesNotContain(DashboardServer.PhiCanary, await page.ContentAsync());
        await page.ScreenshotAsync(new() { Path = Path.Combine(DashboardServer.ScreenshotFolder, "run-completed.png"), FullPage = true });

        await page.GotoAsync(new Uri(server.Base, "/dashboard/#/run/r-failed").ToString());
        await page.Locator("#run-failure").GetByText("files-failed: 1 of 2 files failed").WaitForAsync();
        Assert.Contains("http-503", await page.Locator("main").InnerTextAsync());
        Assert.Contains("#1 Observation — Failed, 3 attempts", await page.Locator("svg[data-key='gantt']").InnerHTMLAsync());

        await page.GotoAsync(new Uri(server.Base, "/dashboard/#/run/r-running").ToString());
        await page.Locator("#run-progress").GetByText("42% complete").WaitForAsync();
        Assert.Equal("Polling", await page.Locator("#run-phase").InnerTextAsync());
        await page.ScreenshotAsync(new() { Path = Path.Combine(DashboardServer.ScreenshotFolder, "run-running.png"), FullPage = true });
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Sources_and_trends_pages_show_schedule_last_success_current_run_and_charts()
    {
        var (page, errors) = await server.OpenAsync("#/sources");
        var ehr1 = page.Locator("tbody tr[data-key='ehr1']");
        await ehr1.WaitForAsync();
        var text = await ehr1.InnerTextAsync();
        Assert.Contains("0 0 2 * * *", text);
        Assert.Contains("r-completed", text);
        Assert.Contains("r-running", text);
        Assert.True(await page.GetByRole(AriaRole.Button, new() { Name = "Start export for ehr1" }).IsDisabledAsync());

        // Alerts from the sources' thresholds: r-running is 20 min old (SLA 10), r-completed read 40 % less than
        // r-previous (limit 25 %) with a concept-0 rate 5.9 points higher (limit 3), and ehr2's latest run failed.
        var alerts = page.Locator("table[data-key='alerts'] tbody");
        await alerts.Locator("tr[data-key='run-over-sla|ehr1|r-running']").WaitForAsync();
        Assert.Equal(1, await alerts.Locator("tr[data-key='volume-drop|ehr1|r-completed']").CountAsync());
        Assert.Equal(1, await alerts.Locator("tr[data-key='concept-zero-spike|ehr1|r-completed']").CountAsync());
        Assert.Equal(1, await alerts.Locator("tr[data-key='run-failed|ehr2|r-failed']").CountAsync());
        Assert.Equal(0, await alerts.Locator("tr[data-key^='no-recent-success']").CountAsync());
        await page.ScreenshotAsync(new() { Path = Path.Combine(DashboardServer.ScreenshotFolder, "sources.png"), FullPage = true });

        await page.GetByRole(AriaRole.Link, new() { Name = "Trends" }).ClickAsync();
        await page.Locator("figure svg circle").First.WaitForAsync();
        Assert.Equal(4, await page.Locator("div.charts").First.Locator("figure").CountAsync());
        Assert.True(await page.Locator("figure[data-key='resources-read-per-run'] circle").CountAsync() >= 5);
        await page.ScreenshotAsync(new() { Path = Path.Combine(DashboardServer.ScreenshotFolder, "trends.png"), FullPage = true });
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Trends_page_charts_the_concept_zero_rate_of_each_OMOP_table_as_the_runs_file_results_give_it()
    {
        // Expected: per run and table, concept-0 rows / rows summed over the run's file results (what its report sums).
        var expected = new Dictionary<string, Dictionary<string, (long Rows, long Zero)>>(StringComparer.Ordinal);
        foreach (var run in (await server.Catalog.ListRunsAsync(new RunQuery { PageSize = 50 }, default)).Runs)
        {
            await foreach (var file in server.Catalog.ListFilesAsync(run.RunId, default))
            {
                if (file.ResultJson is null) continue;
                var result = JsonSerializer.Deserialize<FileResult>(file.ResultJson, StateJson.Options)!;
                foreach (var (table, rows) in result.RowsByTable)
                {
                    var perRun = expected.TryGetValue(table, out var t) ? t : expected[table] = new Dictionary<string, (long, long)>(StringComparer.Ordinal);
                    var (sumRows, sumZero) = perRun.GetValueOrDefault(run.RunId);
                    perRun[run.RunId] = (sumRows + rows, sumZero + result.UnmappedRowsByTable.GetValueOrDefault(table));
                }
            }
        }
        Assert.Equal(["condition_occurrence", "person"], expected.Keys.Order(StringComparer.Ordinal));

        var (page, errors) = await server.OpenAsync("#/trends?runs=50");
        await page.Locator("figure[data-key='concept-0-rate-of-person'] circle").First.WaitForAsync();
        Assert.Equal(expected.Count, await page.Locator("div[data-key='table-charts'] figure").CountAsync());
        foreach (var (table, runs) in expected)
        {
            var figure = page.Locator($"figure[data-key='concept-0-rate-of-{table}']");
            Assert.Equal("Concept-0 rate of " + table, await figure.Locator("figcaption").InnerTextAsync());
            Assert.Equal(runs.Count, await figure.Locator("circle").CountAsync());
            Assert.Equal(runs.Count, await figure.Locator("tbody tr").CountAsync());
            foreach (var (runId, (rows, zero)) in runs)
            {
                var shown = await figure.Locator($"tbody tr[data-key='{runId}'] td").Last.TextContentAsync();
                Assert.Equal((zero * 100.0 / rows).ToString("0.0", CultureInfo.InvariantCulture) + " %", shown);
                // The marker's title says the same, so the chart reads without colour and without the table.
                Assert.EndsWith(": " + shown, await figure.Locator($"circle[data-key='{runId}'] title").TextContentAsync(), StringComparison.Ordinal);
            }
        }
        await page.ScreenshotAsync(new() { Path = Path.Combine(DashboardServer.ScreenshotFolder, "trends-tables.png"), FullPage = true });
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Each_action_goes_through_the_authenticated_api_and_is_refused_without_the_key()
    {
        // Without the key: the page asks for it, and the API refuses every action and every read.
        var (anonymous, anonymousErrors) = await server.OpenAsync("#/run/r-to-cancel", withKey: false);
        await anonymous.GetByText("API key needed").WaitForAsync();
        var refused = await anonymous.EvaluateAsync<int[]>("""
            async () => Promise.all([
              fetch('/api/exports/r-to-cancel/events/Cancel', { method: 'POST' }),
              fetch('/api/exports/r-to-terminate/terminate', { method: 'POST' }),
              fetch('/api/exports/r-to-purge', { method: 'DELETE' }),
              fetch('/api/exports/r-failed/retry-failed', { method: 'POST' }),
              fetch('/api/exports', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"source":"ehr3"}' }),
              fetch('/api/exports/r-completed/detail'),
              fetch('/api/sources'),
            ].map(p => p)).then(rs => rs.map(r => r.status))
            """);
        Assert.All(refused, status => Assert.Equal(401, status));
        Assert.Empty(server.Durable.RaisedEvents);
        Assert.Empty(server.Durable.Terminated);
        Assert.NotNull(await server.Catalog.GetRunAsync("r-to-purge", default));
        anonymousErrors.RemoveAll(e => e.Contains("401", StringComparison.Ordinal)); // the refused fetches log themselves
        Assert.Empty(anonymousErrors);

        var (page, errors) = await server.OpenAsync("#/run/r-to-cancel");
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel run" }).ClickAsync();
        await page.Locator("#announcer").GetByText("Cancel requested for run r-to-cancel.").WaitForAsync();
        Assert.Contains(server.Durable.RaisedEvents, e => e.InstanceId == "r-to-cancel" && e.EventName == "Cancel");

        await page.GotoAsync(new Uri(server.Base, "/dashboard/#/run/r-to-terminate").ToString());
        await page.GetByRole(AriaRole.Button, new() { Name = "Terminate run" }).ClickAsync();
        await page.Locator("#announcer").GetByText("Run r-to-terminate terminated.").WaitForAsync();
        Assert.Contains("r-to-terminate", server.Durable.Terminated);

        await page.GotoAsync(new Uri(server.Base, "/dashboard/#/run/r-to-purge").ToString());
        await page.GetByRole(AriaRole.Button, new() { Name = "Purge run" }).ClickAsync(); // the confirmation is accepted
        // A hash change: WaitForURLAsync also waits for a load event that a same-document navigation may never give it.
        await page.WaitForFunctionAsync("() => location.hash === '#/runs'");
        Assert.Null(await server.Catalog.GetRunAsync("r-to-purge", default));

        await page.GotoAsync(new Uri(server.Base, "/dashboard/#/run/r-failed").ToString());
        var scheduledBefore = server.Durable.Scheduled.Count;
        await page.GetByRole(AriaRole.Button, new() { Name = "Retry failed files" }).ClickAsync();
        await page.Locator("#announcer").GetByText("Retry of run r-failed started.").WaitForAsync();
        Assert.Equal(scheduledBefore + 1, server.Durable.Scheduled.Count);

        await page.GotoAsync(new Uri(server.Base, "/dashboard/#/sources").ToString());
        await page.GetByRole(AriaRole.Button, new() { Name = "Start export for ehr3" }).ClickAsync();
        await page.Locator("#announcer").GetByText("Export started for ehr3.").WaitForAsync();
        Assert.Equal(scheduledBefore + 2, server.Durable.Scheduled.Count);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task A_refresh_keeps_focus_and_scroll_and_announces_a_status_change()
    {
        var (page, errors) = await server.OpenAsync("#/runs", width: 700, height: 400);
        await page.Locator("tbody tr[data-key='r-running']").WaitForAsync();
        var status = page.GetByLabel("Status");
        await status.FocusAsync();
        await page.EvaluateAsync("() => { document.activeElement.__probe = 'kept'; window.scrollTo(0, 150); }");
        var scroll = await page.EvaluateAsync<double>("() => window.scrollY");
        Assert.True(scroll > 0);

        server.Durable.Add("r-running", OrchestrationRuntimeStatus.Running);
        await server.Catalog.UpdateRunAsync("r-running", r => r with { Status = Storage.Catalog.RunRecordStatus.Failed, FailureReason = "status-changed-for-test" }, default);
        await page.Locator("#announcer").GetByText("Run r-running is now Failed.").WaitForAsync(new() { Timeout = 15000 });

        Assert.Equal("kept", await page.EvaluateAsync<string?>("() => document.activeElement.__probe ?? null"));
        Assert.Equal(scroll, await page.EvaluateAsync<double>("() => window.scrollY"));
        await server.Catalog.UpdateRunAsync("r-running", r => r with { Status = Storage.Catalog.RunRecordStatus.Running, FailureReason = null }, default);
        Assert.Empty(errors);
    }

    [Theory]
    [InlineData("#/runs", "tbody tr[data-key='r-completed']")]
    [InlineData("#/run/r-completed", "#run-title")]
    [InlineData("#/sources", "tbody tr[data-key='ehr1']")]
    [InlineData("#/trends", "figure svg circle")]
    public async Task Every_page_has_landmarks_labelled_controls_table_headers_and_AA_contrast(string hash, string ready)
    {
        var (page, errors) = await server.OpenAsync(hash);
        await page.Locator(ready).First.WaitForAsync();
        var report = await page.EvaluateAsync<JsonElement>(AccessibilityScript);
        Assert.Equal(1, report.GetProperty("banner").GetInt32());
        Assert.Equal(1, report.GetProperty("main").GetInt32());
        Assert.True(report.GetProperty("nav").GetInt32() >= 1);
        Assert.Equal(1, report.GetProperty("contentinfo").GetInt32());
        Assert.True(report.GetProperty("viewport").GetBoolean());
        Assert.Equal("en", report.GetProperty("lang").GetString());
        Assert.Empty(report.GetProperty("unlabelled").EnumerateArray().Select(e => e.GetString()));
        Assert.Empty(report.GetProperty("tablesWithoutHeaders").EnumerateArray().Select(e => e.GetString()));
        Assert.Empty(report.GetProperty("imagesWithoutName").EnumerateArray().Select(e => e.GetString()));
        Assert.Empty(report.GetProperty("lowContrast").EnumerateArray().Select(e => e.GetString()));
        Assert.True(report.GetProperty("live").GetBoolean());

        // Keyboard: Tab from the top of the page (reloaded; the key stays for the tab's session) reaches the skip link first.
        await page.ReloadAsync();
        await page.Locator(ready).First.WaitForAsync();
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Skip to content", await page.EvaluateAsync<string>("() => document.activeElement.textContent"));
        Assert.Empty(errors);
    }

    /// <summary>Hand-written checks in the spirit of axe: landmarks, names of controls and images, table headers, WCAG AA contrast of every text.</summary>
    private const string AccessibilityScript = """
        () => {
          const count = sel => document.querySelectorAll(sel).length;
          const visible = el => { const s = getComputedStyle(el); const r = el.getBoundingClientRect(); return s.visibility !== 'hidden' && s.display !== 'none' && r.width > 1 && r.height > 1; };
          const name = el => (el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') && document.getElementById(el.getAttribute('aria-labelledby'))?.textContent || '').trim();
          const unlabelled = [...document.querySelectorAll('input, select, textarea, button')].filter(el => {
            if (el.tagName === 'BUTTON') return !el.textContent.trim() && !name(el);
            return !(el.labels && el.labels.length) && !name(el);
          }).map(el => el.outerHTML.slice(0, 80));
          const tablesWithoutHeaders = [...document.querySelectorAll('table')].filter(t => !t.querySelector('caption') || !t.querySelector('th[scope]')).map(t => t.outerHTML.slice(0, 80));
          const imagesWithoutName = [...document.querySelectorAll('svg[role=img], img')].filter(el => !name(el) && !el.getAttribute('alt')).map(el => el.outerHTML.slice(0, 80));
          const rgb = c => { const m = c.match(/rgba?\(([\d.]+), ([\d.]+), ([\d.]+)(?:, ([\d.]+))?\)/); return m ? [+m[1], +m[2], +m[3], m[4] === undefined ? 1 : +m[4]] : [0, 0, 0, 0]; };
          const lum = ([r, g, b]) => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }; return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
          const background = el => { for (let e = el; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor); if (c[3] > 0.5) return c; } return [255, 255, 255, 1]; };
          const lowContrast = [];
          for (const el of document.querySelectorAll('body *')) {
            if (el.closest('svg') || !visible(el)) continue;
            const ownText = [...el.childNodes].some(n => n.nodeType === 3 && n.nodeValue.trim());
            if (!ownText) continue;
            const style = getComputedStyle(el);
            const fg = rgb(style.color), bg = background(el);
            const [a, b] = [lum(fg) + 0.05, lum(bg) + 0.05];
            const ratio = Math.max(a, b) / Math.min(a, b);
            const large = parseFloat(style.fontSize) >= 24 || (parseFloat(style.fontSize) >= 18.66 && +style.fontWeight >= 700);
            if (ratio < (large ? 3 : 4.5)) lowContrast.push(el.tagName + ' ' + ratio.toFixed(2) + ' ' + el.textContent.trim().slice(0, 30));
          }
          return {
            banner: count('body > header'), main: count('main'), nav: count('nav'), contentinfo: count('body > footer'),
            viewport: !!document.querySelector('meta[name=viewport][content*="width=device-width"]'),
            lang: document.documentElement.lang, unlabelled, tablesWithoutHeaders, imagesWithoutName, lowContrast,
            live: !!document.querySelector('[aria-live]'),
          };
        }
        """;

    [Fact]
    public async Task The_dashboard_files_are_served_without_the_key_with_a_strict_content_security_policy()
    {
        using var client = new HttpClient { BaseAddress = server.Base };
        var redirect = await new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = server.Base }.GetAsync("/dashboard?code=abc");
        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        Assert.Equal("/dashboard/?code=abc", redirect.Headers.Location!.OriginalString);
        foreach (var file in new[] { "", "dashboard.js", "dashboard.css" })
        {
            var response = await client.GetAsync("/dashboard/" + file);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("script-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single());
        }
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/dashboard/..%2Fappsettings.json")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/sources")).StatusCode);
    }
}
