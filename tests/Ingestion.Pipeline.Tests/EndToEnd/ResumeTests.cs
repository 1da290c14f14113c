using Ingestion.DemoServer;
using Ingestion.Pipeline.Hosting;
using Ingestion.Pipeline.State;
using Ingestion.Pipeline.Tests.Engine;

namespace Ingestion.Pipeline.Tests.EndToEnd;

public sealed class ResumeTests
{
    private static readonly DemoServerOptions Demo = new() { Patients = 6, Seed = 11, ResourcesPerFile = 60, DefectRate = 0.05 };

    public static TheoryData<string> Points() => new(FaultPoints.All);

    [Theory]
    [MemberData(nameof(Points))]
    public async Task A_run_killed_at_a_phase_boundary_or_mid_file_resumes_to_output_identical_to_an_uninterrupted_run(string point)
    {
        await using var h = await DemoPipelineHarness.StartAsync(Demo);
        var reference = h.OpenPipeline(lake: "reference");
        await reference.Client.StartNewAsync(h.ServerInput(), "run-1");
        Assert.Equal(RuntimeStatus.Completed, (await DemoPipelineHarness.RunAsync(reference, "run-1")).RuntimeStatus);

        using var crash = new CancellationTokenSource();
        var faults = new CrashAt(point, crash);
        var first = h.OpenPipeline(faults);
        await first.Client.StartNewAsync(h.ServerInput(), "run-1");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => DemoPipelineHarness.RunAsync(first, "run-1", crash.Token));
        Assert.Equal(1, faults.Hits);

        // A new process on the same state file and lake.
        var second = h.OpenPipeline();
        var status = await DemoPipelineHarness.RunAsync(second, "run-1");

        Assert.Equal(RuntimeStatus.Completed, status.RuntimeStatus);
        Assert.Equal(await PublishedAsync(reference), await PublishedAsync(second));
    }

    /// <summary>Every published part (path and bytes) plus the manifest's row counts; cdm_source by rows only (it carries dates of the run).</summary>
    private static async Task<string> PublishedAsync(EmbeddedPipeline pipeline)
    {
        var manifestStream = await pipeline.Lake.OpenReadAsync(LakePaths.RunManifest("run-1"));
        var manifest = (await System.Text.Json.JsonSerializer.DeserializeAsync<Publishing.RunManifest>(manifestStream, StateJson.Options))!;
        await manifestStream.DisposeAsync();
        var lines = new List<string>();
        foreach (var (table, t) in manifest.Tables)
        {
            lines.Add($"{table} rows={t.Rows} parts={t.Files.Count}");
            if (table == "cdm_source") continue;
            foreach (var part in t.Files)
            {
                await using var stream = await pipeline.Lake.OpenReadAsync(part.Path);
                using var buffer = new MemoryStream();
                await stream.CopyToAsync(buffer);
                lines.Add($"{part.Path} {Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(buffer.ToArray()))}");
            }
        }
        var objects = new List<string>();
        await foreach (var item in pipeline.Lake.ListAsync("omop/")) objects.Add(item.Path);
        lines.Add("objects=" + string.Join(",", objects));
        return string.Join("\n", lines);
    }
}
