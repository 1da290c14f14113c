using System.Diagnostics;
using System.Security.Cryptography;
using Ingestion.DemoServer;
using Ingestion.Fhir.Net;
using Ingestion.Orchestration;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Ingestion.Pipeline.Tests.EndToEnd;

/// <summary>
/// The pipeline's OpenTelemetry, captured with the in-memory exporter: a run is one trace (kick-off, polls, each file,
/// publish) with run/source/file attributes, the metrics count what the catalog counts, and no attribute or metric tag
/// of a run fed with PHI carries any of it.
/// </summary>
[Collection(nameof(RunTelemetryTests))] // the exporters listen process-wide: not in parallel with other telemetry tests
public sealed class RunTelemetryTests
{
    [Fact]
    public async Task A_run_is_one_trace_with_kick_off_poll_file_and_publish_spans_and_counted_metrics()
    {
        var spans = new List<Activity>();
        var metrics = new List<Metric>();
        await using var h = await DemoPipelineHarness.StartAsync(new DemoServerOptions { Patients = 3 });
        var pipeline = await h.OpenPipelineAsync();
        using var tracing = Sdk.CreateTracerProviderBuilder().AddSource(PipelineTelemetry.Name).AddInMemoryExporter(spans).Build();
        using var metering = Sdk.CreateMeterProviderBuilder().AddMeter(PipelineTelemetry.Name).AddInMemoryExporter(metrics).Build();

        // Other tests' runs feed the same meter at the same time: this run's metrics are told apart by its source id.
        var source = "telemetry-" + Guid.NewGuid().ToString("N")[..8];
        var id = await pipeline.StartNewAsync(h.ServerInput() with { SourceId = source });
        var status = await DemoPipelineHarness.RunAsync(pipeline, id);
        Assert.Equal(RunOutcome.Completed, status.Outcome);
        tracing.ForceFlush();
        // Spans still ending in the background (Durable worker, catalog) must not be added while the list is read.
        tracing.Dispose();
        metering.ForceFlush();

        var run = spans.Where(s => (string?)s.GetTagItem("ingestion.run.id") == id).ToList();
        Assert.NotEmpty(run);
        Assert.All(run, s => Assert.Equal(PipelineTelemetry.RunContext(id).TraceId, s.TraceId));
        var names = run.Select(s => s.OperationName).ToHashSet();
        Assert.Superset(new HashSet<string> { "kick-off", "poll", "file", "publish" }, names);
        var files = run.Where(s => s.OperationName == "file").ToList();
        Assert.Equal(status.Run.FilesTotal, files.Select(s => s.GetTagItem("ingestion.file.index")).Distinct().Count());
        Assert.Equal(status.Run.Counters.ResourcesRead, files.Sum(s => (long)s.GetTagItem("ingestion.file.resources_read")!));

        long Sum(string name) => metrics.Where(m => m.Name == name).SelectMany(Points)
            .Where(p => Tags(p).Contains(new KeyValuePair<string, object?>("ingestion.source.id", source))).Sum(p => p.GetSumLong());
        Assert.Equal(status.Run.Counters.ResourcesRead, Sum("ingestion.resources.read"));
        Assert.True(Sum("ingestion.export.polls") >= 1);
        Assert.True(Sum("ingestion.download.bytes") > 0);
        Assert.True(metrics.Where(m => m.Name == "ingestion.runs").SelectMany(Points)
            .Where(p => Tags(p).Contains(new KeyValuePair<string, object?>("ingestion.run.status", "Completed"))).Sum(p => p.GetSumLong()) >= 1);
        Assert.Contains(metrics.Where(m => m.Name == "ingestion.activity.duration").SelectMany(Points),
            p => Tags(p).Contains(new KeyValuePair<string, object?>("ingestion.activity", "file")) && Tags(p).Contains(new KeyValuePair<string, object?>("ingestion.source.id", source)));
    }

    [Fact]
    public async Task No_span_attribute_or_metric_tag_of_a_run_fed_with_PHI_carries_it()
    {
        string[] canaries = ["Zebulon", "Canaryfield", "MRN-CANARY-778899", "999-12-3456", "canary-patient-31337", "1961-07-14"];
        var spans = new List<Activity>();
        var metrics = new List<Metric>();
        await using var h = await DemoPipelineHarness.StartAsync(new DemoServerOptions { Patients = 0 });
        var folder = Directory.CreateDirectory(Path.Combine(h.Root, "landed")).FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, "Patient.ndjson"),
            """{"resourceType":"Patient","id":"canary-patient-31337","identifier":[{"system":"http://hospital.example.org/mrn","value":"MRN-CANARY-778899"},{"system":"http://hl7.org/fhir/sid/us-ssn","value":"999-12-3456"}],"name":[{"family":"Canaryfield","given":["Zebulon"]}],"gender":"male","birthDate":"1961-07-14"}""" + "\n"
            + "{not json: Zebulon Canaryfield 999-12-3456\n");
        var logs = new CapturingLoggerFactory();
        var pipeline = await h.OpenPipelineAsync(logs: logs);
        using var tracing = Sdk.CreateTracerProviderBuilder().AddSource(PipelineTelemetry.Name).AddInMemoryExporter(spans).Build();
        using var metering = Sdk.CreateMeterProviderBuilder().AddMeter(PipelineTelemetry.Name).AddInMemoryExporter(metrics).Build();

        var id = await pipeline.StartNewAsync(DemoPipelineHarness.FolderInput("canary", folder));
        await DemoPipelineHarness.RunAsync(pipeline, id);
        tracing.ForceFlush();
        // Spans still ending in the background (Durable worker, catalog) must not be added while the list is read.
        tracing.Dispose();
        metering.ForceFlush();

        Assert.Contains(spans, s => s.OperationName == "file");
        // Log records inside a file activity carry the run, source and file index as a scope.
        Assert.Contains(logs.Scopes, s => Equals(s.GetValueOrDefault("ingestion.run.id"), id) && Equals(s.GetValueOrDefault("ingestion.source.id"), "canary") && s.GetValueOrDefault("ingestion.file.index") is int);
        var text = string.Join("\n",
            spans.SelectMany(s => s.TagObjects.Select(t => $"{s.OperationName} {t.Key}={t.Value}").Append(s.StatusDescription ?? ""))
                .Concat(metrics.SelectMany(m => Points(m).SelectMany(p => Tags(p).Select(t => $"{m.Name} {t.Key}={t.Value}"))))
                .Concat(logs.Lines));
        foreach (var canary in canaries)
            Assert.False(text.Contains(canary, StringComparison.OrdinalIgnoreCase), $"canary #{Array.IndexOf(canaries, canary)} leaked into telemetry");
    }

    [Fact]
    public async Task Requests_to_the_EHR_are_client_spans_inside_the_runs_spans_without_query_token_or_PHI()
    {
        string[] canaries = ["Zebulon", "Canaryfield", "MRN-CANARY-778899", "999-12-3456", "canary-patient-31337", "1961-07-14"];
        var folder = Directory.CreateTempSubdirectory("http-spans-").FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, "Patient.ndjson"),
            """{"resourceType":"Patient","id":"canary-patient-31337","identifier":[{"system":"http://hospital.example.org/mrn","value":"MRN-CANARY-778899"},{"system":"http://hl7.org/fhir/sid/us-ssn","value":"999-12-3456"}],"name":[{"family":"Canaryfield","given":["Zebulon"]}],"gender":"male","birthDate":"1961-07-14"}""" + "\n");
        using var key = RSA.Create(2048);
        var spans = new List<Activity>();
        // The EHR asks for SMART tokens and signs its file URLs (?sig=, like a SAS).
        await using var h = await DemoPipelineHarness.StartAsync(new DemoServerOptions
        {
            FolderPath = folder, RequireAuth = true, SignFileUrls = true, Clients = [DemoClientRegistration.FromRsa("telemetry-client", key, "k1")],
        });
        var logs = new CapturingLoggerFactory();
        var pipeline = await h.OpenPipelineAsync(new Dictionary<string, string?>
        {
            ["Fhir:Smart:ClientId"] = "telemetry-client",
            ["Fhir:Smart:FhirBaseUrl"] = h.Server.BaseUrl.ToString(),
            ["Fhir:Smart:KeyId"] = "k1",
            ["Fhir:Smart:PrivateKeyPem"] = key.ExportPkcs8PrivateKeyPem(),
            ["Fhir:Smart:AllowInsecureHttp"] = "true",
            ["Fhir:Smart:AllowPrivateNetwork"] = "true",
        }, logs: logs);
        using var tracing = Sdk.CreateTracerProviderBuilder().AddSource(PipelineTelemetry.TraceSources).AddInMemoryExporter(spans).Build();

        var id = await pipeline.StartNewAsync(h.ServerInput() with { SourceId = "http-" + Guid.NewGuid().ToString("N")[..8] });
        var status = await DemoPipelineHarness.RunAsync(pipeline, id);
        Assert.Equal(RunOutcome.Completed, status.Outcome);
        tracing.ForceFlush();
        // Spans still ending in the background (Durable worker, catalog) must not be added while the list is read.
        tracing.Dispose();

        var run = spans.Where(s => s.TraceId == PipelineTelemetry.RunContext(id).TraceId).ToList();
        var steps = run.Where(s => s.Source.Name == PipelineTelemetry.Name).ToDictionary(s => s.SpanId);
        var http = run.Where(s => s.Source.Name == FhirHttpTelemetry.SourceName).ToList();
        string Operation(Activity span) => (string)span.GetTagItem("ingestion.http.operation")!;
        Assert.Superset(new HashSet<string> { "smart-configuration", "token", "kick-off", "poll", "download" }, http.Select(Operation).ToHashSet());
        // Every request is a client span whose parent is the step that sent it.
        Assert.All(http, span =>
        {
            Assert.Equal(ActivityKind.Client, span.Kind);
            Assert.True(steps.TryGetValue(span.ParentSpanId, out var parent), $"{span.DisplayName} has no pipeline span as its parent");
            // A status request is a poll, or a file step re-reading the manifest for its (signed, never stored) URL.
            string[] expected = Operation(span) switch { "download" => ["file"], "poll" => ["poll", "file"], "kick-off" => ["kick-off"], _ => [parent!.OperationName] };
            Assert.Contains(parent!.OperationName, expected);
            Assert.InRange((int)span.GetTagItem("http.response.status_code")!, 200, 299);
        });
        var downloads = http.Where(s => Operation(s) == "download").ToList();
        Assert.NotEmpty(downloads);
        Assert.All(downloads, s => Assert.EndsWith(UrlRedaction.QueryMarker, (string)s.GetTagItem("url.full")!, StringComparison.Ordinal));
        // Only these attributes, so no header (the bearer token, the client assertion) can be among them.
        string[] allowed = ["http.request.method", "url.full", "server.address", "server.port", "ingestion.http.operation", "http.response.status_code", "error.type"];
        Assert.All(http, s => Assert.Subset(allowed.ToHashSet(), s.TagObjects.Select(t => t.Key).ToHashSet()));

        var text = string.Join("\n",
            spans.SelectMany(s => s.TagObjects.Select(t => $"{s.DisplayName} {t.Key}={t.Value}").Append(s.DisplayName).Append(s.StatusDescription ?? ""))
                .Concat(logs.Lines));
        foreach (var secret in new[] { "sig=", "Bearer", "eyJ", "client_assertion", "PRIVATE KEY" })
            Assert.False(text.Contains(secret, StringComparison.OrdinalIgnoreCase), $"'{secret}' reached a span or a log record");
        foreach (var canary in canaries)
            Assert.False(text.Contains(canary, StringComparison.OrdinalIgnoreCase), $"canary #{Array.IndexOf(canaries, canary)} leaked into telemetry");
        Directory.Delete(folder, recursive: true);
    }

    private static List<MetricPoint> Points(Metric metric)
    {
        var points = new List<MetricPoint>();
        foreach (ref readonly var point in metric.GetMetricPoints()) points.Add(point);
        return points;
    }

    private static List<KeyValuePair<string, object?>> Tags(MetricPoint point)
    {
        var tags = new List<KeyValuePair<string, object?>>();
        foreach (var tag in point.Tags) tags.Add(tag);
        return tags;
    }
}
