using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Ingestion.Fhir.BulkData;
using Ingestion.Pipeline.State;
using Microsoft.DurableTask.Converters;

namespace Ingestion.Orchestration.Tests;

/// <summary>
/// The build-time JSON metadata changes nothing on the wire: every Durable payload and the run input in the catalog
/// serialize to exactly the JSON of the reflection path (histories and catalogs written by an older build still read).
/// </summary>
public sealed class OrchestrationJsonTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 6, 21, 30, 15, 123, TimeSpan.Zero);
    private static readonly BulkExportJob Job = new("https://ehr.test/status/7", At) { NextPollAt = At.AddSeconds(5), PollAttempt = 3, LastProgress = "40%", ConsecutiveFailures = 1 };

    private static readonly ExportRunInput Input = new()
    {
        SourceId = "synthea-bench",
        SourceKind = ExportSourceKind.LandedFolder,
        FhirBaseUrl = "https://ehr.test/fhir",
        LandedLocation = "/data/landed",
        Request = new BulkExportRequest { Level = BulkExportLevel.Group, GroupId = "g1", Types = ["Patient", "Observation"], Since = At, TypeFilters = ["Observation?status=final"], AllowPartialManifests = true },
        Incremental = true,
        KeyFingerprint = "abc123",
        Trigger = new RunTrigger(RunTriggerKind.Retry, "operator"),
        RetryOf = "run-0",
        RetryFiles = [3, 1, 2],
        Settings = new RunSettings { MaxParallelFiles = 2, FilesPerBatch = 7, FileGroupBytes = 4_194_304, FirstRetryDelay = TimeSpan.FromMilliseconds(1500) },
    };

    public static TheoryData<object> Payloads() => new()
    {
        Input,
        new ExportRunInput { SourceId = "s", SourceKind = ExportSourceKind.FhirServer, KeyFingerprint = "k", Trigger = new RunTrigger(RunTriggerKind.Cli) },
        new ExportRunOutput(RunOutcome.Failed) { ManifestPath = "m", FilesTotal = 9, FilesDone = 8, FilesFailed = 1, FailureReason = "1 of 9 files failed" },
        new ExportRunStatus("Processing") { Progress = "x", FilesTotal = 190, FilesDone = 12 },
        new FileBatchInput("run-1", "k", 0, 3, new RunSettings()) { Indexes = [2, 0, 1] },
        new FileBatchInput("run-1", "k", 10, 5, new RunSettings()),
        new FileBatchInput("run-1", "k", 0, 3, new RunSettings()) { Indexes = [2, 0, 1], Units = [1, 2] },
        new FileBatchOutput(4, [5, 9], true),
        new RunStep("run-1", "k"),
        new RunRecordChange("run-1", "Started") { Start = Input, At = At, Outcome = RunOutcome.Completed, Progress = "p", ManifestPath = "m", ReportPath = "r" },
        new KickOffResult(Job, At),
        new PollRequest("run-1", "k", Job),
        new PollResult(true, Job, TimeSpan.FromSeconds(2)) { Progress = "done", FileCount = 190, TransactionTime = At, Order = [4, 2, 0] },
        new PollResult(true, Job, TimeSpan.Zero) { FileCount = 3, Order = [4, 2, 0], Units = [1, 2] },
        new RetryFilesRequest("run-2", "k", "run-1", [1, 4]),
        new RetryFilesResult(2, At, "https://ehr.test/status/7"),
        new FileRequest("run-1", "k", 17),
        new FileRequest("run-1", "k", 17) { Group = [17, 3, 5] },
        new FileResultSummary(17, 1000, 990, 10),
        new FileFailure("run-1", 17, "File 17 failed"),
        new PublishResult("manifest.json", "report.json"),
        new ExportDeletion("run-1", "https://ehr.test/status/7"),
        new RunAnnouncement("run-1", "synthea-bench", RunOutcome.Completed),
        (DateTimeOffset?)At,
    };

    [Theory]
    [MemberData(nameof(Payloads))]
    public void A_durable_payload_has_the_same_json_as_with_the_sdks_default_converter_and_reads_back(object payload)
    {
        var json = OrchestrationJson.Converter.Serialize(payload);

        json.Should().Be(JsonDataConverter.Default.Serialize(payload));
        var back = OrchestrationJson.Converter.Deserialize(json, payload.GetType());
        JsonDataConverter.Default.Serialize(back).Should().Be(json);
    }

    [Fact]
    public void The_run_input_in_the_catalog_has_the_same_json_as_with_reflection_and_reads_back()
    {
        var reflection = new JsonSerializerOptions(StateJson.Options) { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };

        var json = JsonSerializer.Serialize(Input, OrchestrationJson.State);

        json.Should().Be(JsonSerializer.Serialize(Input, reflection));
        JsonSerializer.Serialize(JsonSerializer.Deserialize<ExportRunInput>(json, OrchestrationJson.State), reflection).Should().Be(json);
    }
}
