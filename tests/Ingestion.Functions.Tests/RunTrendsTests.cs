using System.Net;
using System.Text.Json;
using Ingestion.Pipeline.State;
using Ingestion.Storage.Catalog;

namespace Ingestion.Functions.Tests;

/// <summary><c>GET /api/trends</c>: the last N runs with rows and concept-0 rows by OMOP table, summed over their files.</summary>
public sealed class RunTrendsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 2, 0, 0, TimeSpan.Zero);

    private static RunRecord Run(string id, string source, DateTimeOffset created) => new()
    {
        RunId = id, SourceId = source, Status = RunRecordStatus.Completed, CreatedAt = created, CompletedAt = created.AddMinutes(20),
        KeyFingerprint = "k1", Trigger = "schedule", InputJson = """{"patients":["123-45-6789"]}""",
    };

    private static RunFileRecord File(string run, int index, Dictionary<string, long> rows, Dictionary<string, long> zero) => new()
    {
        RunId = run, Index = index, Kind = "output", ResourceType = "Bundle", Status = RunFileStatus.Completed, Attempts = 1,
        Url = $"https://files.example.org/{run}/{index}.ndjson?sig=SECRET-SIGNATURE",
        ResultJson = JsonSerializer.Serialize(new FileResult { RowsByTable = rows, UnmappedRowsByTable = zero }, StateJson.Options),
    };

    [Fact]
    public async Task Trends_list_the_last_runs_newest_first_with_rows_and_concept_zero_rows_per_table_summed_over_files()
    {
        await using var server = await RunApiServer.StartAsync();
        foreach (var (id, hours) in new[] { ("n1", 0), ("n2", 24), ("n3", 48) })
            await server.Catalog.CreateRunAsync(Run(id, "ehr1", T0.AddHours(hours)), default);
        await server.Catalog.CreateRunAsync(Run("other", "ehr2", T0.AddHours(72)), default);
        await server.Catalog.PutFilesAsync("n3",
        [
            File("n3", 0, new() { ["measurement"] = 100, ["person"] = 10 }, new() { ["measurement"] = 4 }),
            File("n3", 1, new() { ["measurement"] = 50 }, new() { ["measurement"] = 11 }),
        ], default);
        await server.Catalog.PutFilesAsync("n2", [File("n2", 0, new() { ["measurement"] = 120 }, new() { ["measurement"] = 3 })], default);

        var response = await server.Client.GetAsync("/api/trends?runs=2&source=ehr1");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("sig=", text);
        Assert.DoesNotContain("123-45-6789", text);
        using var json = JsonDocument.Parse(text);
        var runs = json.RootElement.GetProperty("runs").EnumerateArray().ToList();
        Assert.Equal(["n3", "n2"], runs.Select(r => r.GetProperty("run").GetProperty("runId").GetString()));
        Assert.Equal(150, runs[0].GetProperty("rowsByTable").GetProperty("measurement").GetInt64());
        Assert.Equal(15, runs[0].GetProperty("conceptZeroRowsByTable").GetProperty("measurement").GetInt64());
        Assert.Equal(10, runs[0].GetProperty("rowsByTable").GetProperty("person").GetInt64());
        Assert.False(runs[0].GetProperty("conceptZeroRowsByTable").TryGetProperty("person", out _));
        Assert.Equal(3, runs[1].GetProperty("conceptZeroRowsByTable").GetProperty("measurement").GetInt64());

        Assert.Equal(HttpStatusCode.BadRequest, (await server.Client.GetAsync("/api/trends?runs=0")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await server.Client.GetAsync("/api/trends?runs=100000")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await server.Client.GetAsync("/api/trends?source=../x")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await server.Client.GetAsync("/api/trends?sort=asc")).StatusCode);
    }
}
