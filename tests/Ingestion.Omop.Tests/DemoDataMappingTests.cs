using Ingestion.Fhir.Json;
using System.Text.Json;
using Ingestion.DemoServer;

namespace Ingestion.Omop.Tests;

/// <summary>The embedded demo end to end on the mapping side: generated patients map with the built-in vocabulary.</summary>
public class DemoDataMappingTests
{
    [Fact]
    public void Generated_demo_data_maps_with_the_starter_vocabulary_without_quarantine()
    {
        var mapper = new OmopMapper(StarterVocabulary.Create(), new FakeDeidentifier());
        var sink = new RecordingSink();
        var report = new MappingReport();
        var resources = 0;
        foreach (var record in new SyntheticPatientGenerator(patients: 20, seed: 3, defectRate: 0).Generate())
        {
            using var document = ResourceDocument.Parse(record.NdjsonLine);
            mapper.Map(document.RootElement, sink, report);
            resources++;
        }

        Assert.Empty(report.QuarantinedByReason);
        Assert.Equal(20, sink.Of(CdmTables.Person).Count);
        Assert.Equal(resources, report.ResourcesByOutcome.Values.Sum());
        foreach (var table in new[] { "condition_occurrence", "measurement", "procedure_occurrence", "visit_occurrence" })
            Assert.True(report.UnmappedRate(table) < 0.1, $"{table}: concept_id 0 rate {report.UnmappedRate(table):P1}");
        // Only the CVX vaccines are unmapped in drug_exposure.
        Assert.All(report.UnmappedCodes.Keys.Where(k => k.Table == "drug_exposure"), k => Assert.Equal("CVX", k.Vocabulary));
    }
}
