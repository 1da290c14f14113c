using System.Text.Json;
using Ingestion.DemoServer;
using Ingestion.Pipeline.State;
using Xunit.Abstractions;

namespace Ingestion.Pipeline.Tests.EndToEnd;

public sealed class DemoRunTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Explore()
    {
        await using var h = await DemoPipelineHarness.StartAsync(new DemoServerOptions { Patients = 15, Seed = 3, ResourcesPerFile = 300, DefectRate = 0.05 });
        var pipeline = h.OpenPipeline();
        var id = await pipeline.Client.StartNewAsync(h.ServerInput());
        var status = await DemoPipelineHarness.RunAsync(pipeline, id);
        output.WriteLine(JsonSerializer.Serialize(status, StateJson.Options));
        output.WriteLine(JsonSerializer.Serialize(h.Server.Expected));
        if (status.RuntimeStatus == RuntimeStatus.Completed) output.WriteLine(JsonSerializer.Serialize(await h.ReportAsync(pipeline, id), StateJson.Options));
    }
}
