using System.Text;

namespace Ingestion.Privacy.Tests;

public class CrosswalkTests
{
    [Fact]
    public async Task Rows_map_each_pseudonymous_id_back_to_its_logical_id()
    {
        var deid = TestKeys.Deidentifier();
        var stream = new MemoryStream();
        await using (var crosswalk = new ReidentificationCrosswalk(stream, leaveOpen: true))
        {
            await crosswalk.RecordAsync(OmopKeyDomain.Person, "p-1", deid.PseudonymousId(OmopKeyDomain.Person, "p-1"), CancellationToken.None);
            await crosswalk.RecordAsync(OmopKeyDomain.VisitOccurrence, "enc,with\"comma", deid.PseudonymousId(OmopKeyDomain.VisitOccurrence, "enc,with\"comma"), CancellationToken.None);
            Assert.Equal(2, crosswalk.Count);
        }

        var text = Encoding.UTF8.GetString(stream.ToArray());
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(ReidentificationCrosswalk.Header, lines[0]);
        Assert.Equal($"person,p-1,{deid.PseudonymousId(OmopKeyDomain.Person, "p-1")}", lines[1]);
        Assert.Equal($"visit_occurrence,\"enc,with\"\"comma\",{deid.PseudonymousId(OmopKeyDomain.VisitOccurrence, "enc,with\"comma")}", lines[2]);

        stream.Position = 0;
        var entries = new List<CrosswalkEntry>();
        await foreach (var entry in ReidentificationCrosswalk.ReadAsync(stream, CancellationToken.None)) entries.Add(entry);
        Assert.Equal(
            [
                new CrosswalkEntry(OmopKeyDomain.Person, "p-1", deid.PseudonymousId(OmopKeyDomain.Person, "p-1")),
                new CrosswalkEntry(OmopKeyDomain.VisitOccurrence, "enc,with\"comma", deid.PseudonymousId(OmopKeyDomain.VisitOccurrence, "enc,with\"comma")),
            ],
            entries);
    }

    [Fact]
    public async Task Concurrent_writers_lose_no_row_and_interleave_no_line()
    {
        var deid = TestKeys.Deidentifier();
        var stream = new MemoryStream();
        await using (var crosswalk = new ReidentificationCrosswalk(stream, leaveOpen: true))
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, 5000), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, ct) =>
                await crosswalk.RecordAsync(OmopKeyDomain.Measurement, $"obs-{i}", deid.PseudonymousId(OmopKeyDomain.Measurement, $"obs-{i}"), ct));
        }

        stream.Position = 0;
        var byId = new Dictionary<string, long>();
        await foreach (var entry in ReidentificationCrosswalk.ReadAsync(stream, CancellationToken.None)) byId.Add(entry.LogicalId, entry.PseudonymousId);
        Assert.Equal(5000, byId.Count);
        Assert.All(byId, kv => Assert.Equal(deid.PseudonymousId(OmopKeyDomain.Measurement, kv.Key), kv.Value));
    }

    [Fact]
    public async Task A_malformed_row_is_reported_by_line_number_only()
    {
        var stream = new MemoryStream(Encoding.UTF8.GetBytes(ReidentificationCrosswalk.Header + "\nperson,p-1,12\nperson,Jane Doe,notanumber\n"));
        var e = await Assert.ThrowsAsync<FormatException>(async () =>
        {
            await foreach (var _ in ReidentificationCrosswalk.ReadAsync(stream, CancellationToken.None)) { }
        });
        Assert.Contains("line 3", e.Message);
        Assert.DoesNotContain("Jane", e.Message);
    }

    [Fact]
    public async Task A_logical_id_with_a_line_break_is_refused()
    {
        await using var crosswalk = new ReidentificationCrosswalk(new MemoryStream());
        var e = await Assert.ThrowsAsync<ArgumentException>(() => crosswalk.RecordAsync(OmopKeyDomain.Person, "a\nb", 1, CancellationToken.None));
        Assert.DoesNotContain("a\nb", e.Message);
    }
}
