using Ingestion.Omop;
using Ingestion.Pipeline.Publishing;
using Ingestion.Pipeline.State;

namespace Ingestion.Pipeline.Tests.Reporting;

/// <summary>The comparison with the source's previous published run: volume drops and concept_id-0 spikes are flagged.</summary>
public class DataQualityReportBuilderTests
{
    private static RunReport Report(string runId, Dictionary<string, long> rows, DataQualityReport? quality = null) => new()
    {
        RunId = runId,
        Totals = new RunTotals { RowsByTable = rows },
        QuarantinedByReason = new Dictionary<string, long>(),
        NotCoveredByResourceType = new Dictionary<string, long>(),
        ValidationIssues = new Dictionary<string, long>(),
        TopUnmappedCodes = [],
        Files = [],
        DataQuality = quality,
    };

    private static DataQualityReport Build(Dictionary<string, long> rows, Dictionary<string, long> zeroRows, bool fullRun, PreviousRun? previous) =>
        DataQualityReportBuilder.Build(DataQualityResult.Empty, rows, zeroRows, [new UnmappedCode("measurement", "LOINC", "x", zeroRows.GetValueOrDefault("measurement"))], fullRun, previous);

    [Fact]
    public void A_full_run_with_far_fewer_rows_than_the_previous_full_run_is_flagged_as_a_volume_drop()
    {
        var first = Build(new() { ["measurement"] = 1000 }, new() { ["measurement"] = 10 }, true, null);
        var second = Build(new() { ["measurement"] = 300 }, new() { ["measurement"] = 3 }, true,
            new PreviousRun(Report("run-1", new() { ["measurement"] = 1000 }, first), FullRun: true));

        Assert.Empty(first.Flags);
        Assert.Equal("run-1", second.ComparedWithRunId);
        Assert.Equal(new DataQualityFlag("volumeDrop", "measurement", 1000, 300), Assert.Single(second.Flags));
    }

    [Fact]
    public void An_incremental_run_is_not_flagged_for_holding_fewer_rows()
    {
        var first = Build(new() { ["measurement"] = 1000 }, new() { ["measurement"] = 10 }, true, null);
        var incremental = Build(new() { ["measurement"] = 120 }, new() { ["measurement"] = 1 }, false,
            new PreviousRun(Report("run-1", new() { ["measurement"] = 1000 }, first), FullRun: true));

        Assert.Empty(incremental.Flags);
    }

    [Fact]
    public void A_rise_of_the_concept_id_zero_rate_is_flagged_as_a_spike()
    {
        var first = Build(new() { ["measurement"] = 1000 }, new() { ["measurement"] = 10 }, true, null);
        var second = Build(new() { ["measurement"] = 1000 }, new() { ["measurement"] = 200 }, true,
            new PreviousRun(Report("run-1", new() { ["measurement"] = 1000 }, first), FullRun: true));

        var flag = Assert.Single(second.Flags);
        Assert.Equal(("conceptIdZeroSpike", "measurement", 0.01, 0.2), (flag.Kind, flag.Table, flag.Previous, flag.Current));
        Assert.Equal(200, Assert.Single(second.ConceptIdZeroByVocabulary).Count);
    }

    [Fact]
    public void Dangling_references_from_the_foreign_key_check_become_isForeignKey_findings()
    {
        var report = DataQualityReportBuilder.Build(DataQualityResult.Empty, new Dictionary<string, long> { ["measurement"] = 10 }, new Dictionary<string, long>(), [], true, null,
            [new ForeignKeyCheck("measurement", "visit_occurrence_id", "visit_occurrence", 10, 2), new ForeignKeyCheck("measurement", "person_id", "person", 10, 0)]);

        Assert.Equal(new DataQualityFinding(ForeignKeyChecks.IsForeignKey, "measurement", "visit_occurrence_id", 2), Assert.Single(report.Findings));
        Assert.Equal(2, report.ForeignKeys.Count);
    }
}
