using Ingestion.Omop;

namespace Ingestion.Omop.Tests;

public class MappingReportTests
{
    [Fact]
    public void Merge_adds_counts_of_every_kind()
    {
        var a = new MappingReport();
        a.RecordRow("measurement", conceptMapped: true);
        a.RecordRow("measurement", conceptMapped: false);
        a.RecordUnmappedCode("measurement", "LOINC", "0000-0");
        a.RecordQuarantined("no subject");
        var b = new MappingReport();
        b.RecordRow("measurement", conceptMapped: false);
        b.RecordUnmappedCode("measurement", "LOINC", "0000-0");
        b.RecordNotCovered("Claim");

        a.Merge(b);

        Assert.Equal(3, a.RowsByTable["measurement"]);
        Assert.Equal(2, a.UnmappedRowsByTable["measurement"]);
        Assert.Equal(("measurement", "LOINC", "0000-0", 2L), a.TopUnmapped(1)[0]);
        Assert.Equal(1, a.QuarantinedByReason["no subject"]);
        Assert.Equal(1, a.NotCoveredByResourceType["Claim"]);
    }
}
