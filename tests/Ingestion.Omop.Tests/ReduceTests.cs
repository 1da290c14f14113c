using Ingestion.Fhir.Json;
using Ingestion.Privacy;

namespace Ingestion.Omop.Tests;

public class ReduceTests
{
    private static readonly DateOnly Jan1 = new(2020, 1, 1), Feb1 = new(2020, 2, 1), Mar1 = new(2020, 3, 1);

    [Fact]
    public void Person_date_range_keeps_the_earliest_and_latest_date_per_person()
    {
        var range = new PersonDateRange();
        range.Observe(7, Feb1);
        range.Observe(7, Jan1);
        range.Observe(7, Mar1);
        range.Observe(3, Feb1);

        var rows = range.Rows().ToList();

        Assert.Equal([3L, Feb1, Feb1], rows[0]);
        Assert.Equal([7L, Jan1, Mar1], rows[1]);
    }

    [Fact]
    public void Person_date_range_of_persons_that_come_back_and_dates_in_any_order_equals_a_min_and_max_per_person()
    {
        var range = new PersonDateRange();
        var expected = new Dictionary<long, (DateOnly Min, DateOnly Max)>();
        var random = new Random(7);
        for (var i = 0; i < 2_000; i++)
        {
            // Runs of one person (as files come), persons coming back, and counts read half-way.
            var person = (long)(i / 5 % 13);
            var date = Jan1.AddDays(random.Next(-400, 400));
            range.Observe(person, date);
            expected[person] = expected.TryGetValue(person, out var b) ? (date < b.Min ? date : b.Min, date > b.Max ? date : b.Max) : (date, date);
            if (i == 1_000) Assert.Equal(expected.Count, range.PersonCount);
        }

        Assert.Equal(expected.OrderBy(kv => kv.Key).Select(kv => (kv.Key, kv.Value.Min, kv.Value.Max)), range.Bounds());
        var bounds = range.Bounds();
        range.Observe(0, Jan1.AddYears(-5));
        Assert.Equal(Jan1.AddYears(-5), bounds.First().Min);
    }

    [Fact]
    public void Observation_periods_merge_bounds_from_every_file()
    {
        var deid = new FakeDeidentifier();
        object?[][] fileA = [[7L, Feb1, Feb1], [3L, Jan1, Jan1]];
        object?[][] fileB = [[7L, Jan1, Mar1 ]];

        var periods = ObservationPeriodBuilder.Build(fileA.Concat(fileB), deid).ToList();

        Assert.Equal(2, periods.Count);
        Assert.Equal([deid.PseudonymousId(OmopKeyDomain.ObservationPeriod, "7"), 7L, Jan1, Mar1, 32817], periods[1]);
        var sink = new RecordingSink();
        foreach (var p in periods) sink.Add(CdmTables.ObservationPeriod, p);
    }

    [Fact]
    public void Observation_period_builder_rejects_rows_of_another_shape()
    {
        object?[][] wrong = [[7, "2020-01-01", "2020-02-01"]];

        Assert.Throws<ArgumentException>(() => ObservationPeriodBuilder.Build(wrong, new FakeDeidentifier()).ToList());
    }

    [Fact]
    public void Cdm_source_row_records_the_vocabulary_version_and_cdm_version()
    {
        var row = CdmSourceBuilder.Build(new CdmSourceFacts
        {
            SourceName = "Demo hospital FHIR export",
            SourceAbbreviation = "DEMO",
            Holder = "Demo",
            SourceReleaseDate = Feb1,
            CdmReleaseDate = Mar1,
            VocabularyVersion = "v5.0 27-AUG-25",
        });

        new RecordingSink().Add(CdmTables.CdmSource, row);
        Assert.Equal("5.4", row[CdmTables.CdmSource.IndexOf("cdm_version")]);
        Assert.Equal(756265, row[CdmTables.CdmSource.IndexOf("cdm_version_concept_id")]);
        Assert.Equal("v5.0 27-AUG-25", row[CdmTables.CdmSource.IndexOf("vocabulary_version")]);
        Assert.Equal(Feb1, row[CdmTables.CdmSource.IndexOf("source_release_date")]);
    }

    [Theory]
    [InlineData("Patient/123", "Patient", "123")]
    [InlineData("urn:uuid:0c3151bd-1cbf-4d64-b04d-cd9187a4c6e0", "Patient", "0c3151bd-1cbf-4d64-b04d-cd9187a4c6e0")]
    [InlineData("https://fhir.example.org/r4/Patient/123", "Patient", "123")]
    [InlineData("https://fhir.example.org/r4/Patient/123/_history/9", "Patient", "123")]
    [InlineData("Group/123", "Patient", null)]
    [InlineData("#contained", "Patient", null)]
    [InlineData("Patient/", "Patient", null)]
    [InlineData("", "Patient", null)]
    public void References_resolve_to_logical_ids(string reference, string type, string? id)
    {
        Assert.Equal(id, FhirReference.LogicalId(reference, type));
    }

    [Fact]
    public void Report_json_lists_rates_unmapped_codes_and_outcomes()
    {
        var report = new MappingReport();
        report.RecordRow("measurement", true);
        report.RecordRow("measurement", false);
        report.RecordUnmappedCode("measurement", "LOINC", "0000-0");
        report.RecordResource("Observation", MappingStatus.Mapped);
        report.RecordResource("Observation", MappingStatus.Quarantined);
        report.RecordQuarantined("missing-subject");

        using var json = ResourceDocument.Parse(report.ToJson());
        var root = json.RootElement;

        Assert.Equal(0.5, root.GetProperty("tables").GetProperty("measurement").GetProperty("conceptIdZeroRate").GetDouble());
        Assert.Equal("0000-0", root.GetProperty("topUnmapped")[0].GetProperty("code").GetString());
        Assert.Equal(1, root.GetProperty("resources").GetProperty("Observation").GetProperty("quarantined").GetInt64());
        Assert.Equal(1, root.GetProperty("quarantinedByReason").GetProperty("missing-subject").GetInt64());
    }
}
