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

    [Fact]
    public void Counts_of_many_interleaved_keys_and_equal_strings_of_other_instances_add_up_whenever_they_are_read()
    {
        // More tables, types and vocabularies than the report holds by reference, each also as a copy of its string,
        // read half-way (the counts so far) and at the end.
        var report = new MappingReport();
        var rows = new Dictionary<string, long>();
        var unmapped = new Dictionary<string, long>();
        var vocabularies = new Dictionary<string, long>();
        var resources = new Dictionary<(string, MappingStatus), long>();
        string[] tables = ["measurement", "observation", "condition_occurrence", "drug_exposure", "procedure_occurrence", "death"];
        string[] types = ["Observation", "Condition", "Claim", "Encounter", "Procedure", "Immunization"];
        for (var i = 0; i < 500; i++)
        {
            var table = i % 7 == 0 ? new string(tables[i % 6].AsSpan()) : tables[i * i % 6];
            var mapped = i % 3 != 0;
            report.RecordRow(table, mapped);
            rows[table] = rows.GetValueOrDefault(table) + 1;
            if (!mapped) unmapped[table] = unmapped.GetValueOrDefault(table) + 1;
            var vocabulary = i % 11 == 0 ? new string("LOINC".AsSpan()) : types[i % 5] + "-vocabulary";
            report.RecordSourceVocabulary(vocabulary);
            vocabularies[vocabulary] = vocabularies.GetValueOrDefault(vocabulary) + 1;
            var outcome = (types[i / 3 % 6], (MappingStatus)(i % 4));
            report.RecordResource(outcome.Item1, outcome.Item2);
            resources[outcome] = resources.GetValueOrDefault(outcome) + 1;
            if (i == 250)
            {
                Assert.Equal(rows, report.RowsByTable);
                Assert.Equal(resources, report.ResourcesByOutcome);
            }
        }

        Assert.Equal(rows, report.RowsByTable);
        Assert.Equal(unmapped, report.UnmappedRowsByTable);
        Assert.Equal(vocabularies, report.SourceVocabularies);
        Assert.Equal(resources, report.ResourcesByOutcome);
        Assert.Equal(6, rows.Count);
        foreach (var table in tables) Assert.Equal((double)unmapped.GetValueOrDefault(table) / rows[table], report.UnmappedRate(table));
        var merged = new MappingReport();
        merged.Merge(report);
        merged.Merge(report);
        Assert.Equal(rows.ToDictionary(kv => kv.Key, kv => kv.Value * 2), merged.RowsByTable);
        Assert.Equal(resources.ToDictionary(kv => kv.Key, kv => kv.Value * 2), merged.ResourcesByOutcome);
    }
}
