using Ingestion.Fhir.BulkData;

namespace Ingestion.Orchestration.Tests;

/// <summary>How the files phase's work units are cut: small files grouped by size in processing order, batches' slices.</summary>
public sealed class SmallFileGroupTests
{
    private static BulkExportManifest Sized(params long?[] bytes) => new()
    {
        TransactionTime = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero),
        Request = "https://ehr.test/$export",
        Output = bytes.Select((n, i) => new BulkExportFile("Patient", $"{i}.ndjson", 1) { Bytes = n }).ToList(),
    };

    [Fact]
    public void Consecutive_small_files_share_a_unit_up_to_the_byte_budget_and_big_or_unsized_files_stay_alone()
    {
        var manifest = Sized(600, 300, 300, 2_000, 500, null, 100, 100);

        ManifestFiles.SmallFileGroups(manifest, order: null, groupBytes: 1_000).Should().Equal([2, 1, 1, 1, 1, 2],
            "{600, 300} then 300 cannot join 900; 2,000 alone; 500 opens a unit the unsized file closes; {100, 100}");
    }

    [Fact]
    public void A_unit_of_tiny_files_holds_at_most_FileGroupFiles_files_so_the_last_units_stay_short()
    {
        var manifest = Sized(10, 10, 10, 10, 10, 10, 10);

        ManifestFiles.SmallFileGroups(manifest, order: null, groupBytes: 1_000, groupFiles: 3).Should().Equal([3, 3, 1]);
        ManifestFiles.SmallFileGroups(manifest, order: null, groupBytes: 1_000).Should().Equal([7], "no file limit");
    }

    [Fact]
    public void Units_follow_the_processing_order()
    {
        var manifest = Sized(100, 5_000, 100, 900);
        var order = ManifestFiles.LargestFirst(manifest);

        ManifestFiles.SmallFileGroups(manifest, order, groupBytes: 1_000).Should().Equal([1, 2, 1], "5,000 alone, {900, 100}, 100");
    }

    [Fact]
    public void No_units_when_grouping_is_off_or_nothing_groups()
    {
        ManifestFiles.SmallFileGroups(Sized(100, 100), null, groupBytes: 0).Should().BeNull();
        ManifestFiles.SmallFileGroups(Sized(100, 100), null, groupBytes: 1_000, groupFiles: 1).Should().BeNull("one file per group");
        ManifestFiles.SmallFileGroups(Sized(5_000, 6_000), null, groupBytes: 1_000).Should().BeNull();
        ManifestFiles.SmallFileGroups(Sized(null, null), null, groupBytes: 1_000).Should().BeNull("a server's manifest has no sizes");
    }

    [Fact]
    public void A_batch_slice_cuts_the_units_at_its_ends()
    {
        int[] units = [1, 3, 2, 4];
        FileBatchInput.SliceUnits(units, first: 0, count: 3).Should().Equal([1, 2]);
        FileBatchInput.SliceUnits(units, first: 3, count: 3).Should().Equal([1, 2]);
        FileBatchInput.SliceUnits(units, first: 6, count: 4).Should().Equal([4]);
        FileBatchInput.SliceUnits(null, first: 0, count: 3).Should().BeNull();
    }

    [Fact]
    public void A_batch_hands_out_its_files_unit_by_unit_in_order()
    {
        var batch = new FileBatchInput("run-1", "k", 0, 5, new RunSettings()) { Indexes = [4, 0, 3, 1, 2], Units = [1, 3, 1] };

        batch.WorkUnits().Should().BeEquivalentTo(new[] { new[] { 4 }, [0, 3, 1], [2] }, o => o.WithStrictOrdering());
        (batch with { Units = null }).WorkUnits().Should().HaveCount(5).And.OnlyContain(u => u.Count == 1);
    }

    [Fact]
    public void A_request_for_one_file_has_no_group_and_a_group_starts_with_its_first_file()
    {
        FileRequest.For("run-1", "k", [7]).Should().Be(new FileRequest("run-1", "k", 7));
        var group = FileRequest.For("run-1", "k", [7, 2, 9]);
        group.Index.Should().Be(7);
        group.Files().Should().Equal([7, 2, 9]);
    }
}
