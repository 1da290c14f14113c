using Ingestion.Fhir.Json;
using System.Text.Json;
using Ingestion.Privacy;
using Ingestion.Testing;
using Xunit.Abstractions;

namespace Ingestion.Omop.Tests;

/// <summary>
/// The Synthea 100-patient export mapped with the Synthea27Nj vocabulary subset (see <see cref="SyntheaMappingFixture"/>).
/// Coverage thresholds sit a little under what this mapping measures on this data (printed by each test), so a
/// regression in code resolution or routing fails here.
/// </summary>
[Trait("Category", TestCategories.Conformance)]
public class SyntheaMappingConformanceTests(SyntheaMappingFixture synthea, ITestOutputHelper output) : IClassFixture<SyntheaMappingFixture>
{
    private double Coverage(string resourceType)
    {
        var report = synthea.FileReports[resourceType];
        var rows = report.RowsByTable.Values.Sum();
        var unmapped = report.UnmappedRowsByTable.Values.Sum();
        var coverage = 1.0 - (double)unmapped / rows;
        output.WriteLine($"{resourceType}: {rows} rows, {unmapped} with concept_id 0, coverage {coverage:P2}");
        return coverage;
    }

    [Fact]
    public void Every_constant_concept_the_mapping_writes_is_a_declared_fixed_concept()
    {
        // The columns FixedConcepts names get no vocabulary lookup: any value there other than a declared fixed
        // concept (or 0/null) is a constant the conformance test (FixedConceptsConformanceTests) never saw.
        var declared = FixedConcepts.All.SelectMany(c => c.Columns.Select(column => (column, c.ConceptId))).ToHashSet();
        var checkedValues = 0;
        foreach (var column in declared.Select(d => d.column).Distinct())
        {
            var (table, field) = (column.Split('.')[0], column.Split('.')[1]);
            if (!synthea.Sink.Rows.TryGetValue(table, out var rows)) continue;
            var index = CdmTables.All.Single(t => t.Name == table).IndexOf(field);
            foreach (var value in rows.Select(r => r[index]).OfType<int>().Where(v => v != 0).Distinct())
            {
                Assert.True(declared.Contains((column, value)), $"{column} holds {value}, which FixedConcepts does not declare for it");
                checkedValues++;
            }
        }
        Assert.True(checkedValues >= 10, $"only {checkedValues} distinct constants seen");
    }

    [Fact]
    public void Conditions_map_to_standard_concepts()
    {
        Assert.True(Coverage("Condition") >= 0.95);
    }

    [Fact]
    public void Loinc_observations_map_to_standard_concepts()
    {
        Assert.True(Coverage("Observation") >= 0.98);
        Assert.Equal(["LOINC", "SNOMED"], synthea.FileReports["Observation"].SourceVocabularies.Keys.Order());
    }

    [Fact]
    public void Procedures_map_to_standard_concepts()
    {
        Assert.True(Coverage("Procedure") >= 0.95);
    }

    [Fact]
    public void Codes_route_by_their_standard_concepts_domain_not_by_resource_type()
    {
        var conditionTables = synthea.FileReports["Condition"].RowsByTable;
        var procedureTables = synthea.FileReports["Procedure"].RowsByTable;
        output.WriteLine("Condition → " + string.Join(", ", conditionTables.Select(kv => $"{kv.Key} {kv.Value}")));
        output.WriteLine("Procedure → " + string.Join(", ", procedureTables.Select(kv => $"{kv.Key} {kv.Value}")));

        Assert.True(conditionTables.GetValueOrDefault("observation") > 0, "SNOMED findings such as BMI 30+ are Observation-domain");
        Assert.True(procedureTables.Keys.Count(t => t != "procedure_occurrence") > 0, "some SNOMED procedures are Measurement/Observation-domain");
    }

    [Fact]
    public void Immunizations_keep_their_cvx_code_with_concept_0_and_are_reported()
    {
        var codes = File.ReadLines(SharedData.PathOf("synthea", "100-patients", "Immunization.ndjson"))
            .Select(l => ResourceDocument.Parse(l).RootElement.GetProperty("vaccineCode").GetProperty("coding")[0].GetProperty("code").GetString()!)
            .ToList();
        var t = CdmTables.DrugExposure;
        var immunizationRows = synthea.Sink.Of(t).Where(r => (int)r[t.IndexOf("drug_type_concept_id")]! == 32818).ToList();

        Assert.Equal(codes.Count, immunizationRows.Count);
        Assert.All(immunizationRows, r => Assert.Equal(0, r[t.IndexOf("drug_concept_id")]));
        Assert.Equal(codes.Order(StringComparer.Ordinal), immunizationRows.Select(r => (string)r[t.IndexOf("drug_source_value")]!).Order(StringComparer.Ordinal));
        var reported = synthea.RunReport.UnmappedCodes.Where(kv => kv.Key.Vocabulary == "CVX").ToDictionary(kv => kv.Key.Code, kv => kv.Value);
        Assert.Equal(codes.GroupBy(c => c).ToDictionary(g => g.Key, g => (long)g.Count()), reported);
        Assert.Contains(synthea.RunReport.TopUnmapped(3), u => u.Vocabulary == "CVX" && u.Code == "140");
    }

    [Fact]
    public void Every_input_resource_is_accounted_for()
    {
        foreach (var (type, lines) in synthea.LinesByResourceType)
        {
            var outcomes = synthea.RunReport.ResourcesByOutcome.Where(kv => kv.Key.ResourceType == type).Sum(kv => kv.Value);
            Assert.True(lines == outcomes, $"{type}: {lines} lines, {outcomes} outcomes");
        }
        Assert.Equal(synthea.LinesByResourceType.Values.Sum(), synthea.RunReport.ResourcesByOutcome.Values.Sum());
        Assert.False(synthea.RunReport.NotCoveredByResourceType.ContainsKey("Claim"));
        Assert.Equal(278, synthea.RunReport.NotCoveredByResourceType["CarePlan"]);
        // Each mapped resource yields at least one row (rows of all tables ≥ mapped resources).
        var mapped = synthea.RunReport.ResourcesByOutcome.Where(kv => kv.Key.Status == MappingStatus.Mapped).Sum(kv => kv.Value);
        Assert.True(synthea.RunReport.RowsByTable.Values.Sum() >= mapped);
        Assert.Equal(synthea.RunReport.RowsByTable.Values.Sum(), synthea.Sink.Rows.Values.Sum(r => r.Count));
    }

    [Fact]
    public void Every_claim_and_explanation_of_benefit_becomes_cost_and_every_eob_a_payer_plan_period()
    {
        var claims = synthea.LinesByResourceType["Claim"];
        var eobs = synthea.LinesByResourceType["ExplanationOfBenefit"];
        var cost = synthea.Sink.Of(CdmTables.Cost);
        var periods = synthea.Sink.Of(CdmTables.PayerPlanPeriod);
        output.WriteLine($"{claims} claims, {eobs} EOBs → {cost.Count} cost, {periods.Count} payer_plan_period");

        Assert.Equal(claims, synthea.FileReports["Claim"].ResourcesByOutcome.Where(kv => kv.Key.Status == MappingStatus.Mapped).Sum(kv => kv.Value));
        Assert.Equal(eobs, synthea.FileReports["ExplanationOfBenefit"].ResourcesByOutcome.Where(kv => kv.Key.Status == MappingStatus.Mapped).Sum(kv => kv.Value));
        Assert.Equal(claims + eobs, cost.Count);
        Assert.Equal(eobs, periods.Count);
        Assert.Equal(cost.Count, cost.Select(r => (long)r[0]!).Distinct().Count());
        // Every cost row points at a visit or drug exposure this mapping emitted.
        var visits = synthea.Sink.Of(CdmTables.VisitOccurrence).Select(r => (long)r[0]!).ToHashSet();
        var drugs = synthea.Sink.Of(CdmTables.DrugExposure).Select(r => (long)r[0]!).ToHashSet();
        var t = CdmTables.Cost;
        var dangling = cost.Count(r => !((string)r[t.IndexOf("cost_domain_id")]! == "Visit" ? visits : drugs).Contains((long)r[t.IndexOf("cost_event_id")]!));
        output.WriteLine($"cost rows whose event is not in this output: {dangling}");
        Assert.Equal(0, dangling);
        var periodKeys = periods.Select(r => (long)r[0]!).ToHashSet();
        Assert.All(cost.Where(r => r[t.IndexOf("payer_plan_period_id")] is not null), r => Assert.Contains((long)r[t.IndexOf("payer_plan_period_id")]!, periodKeys));
        Assert.All(periods, r => Assert.True((DateOnly)r[2]! <= (DateOnly)r[3]!));
    }

    [Fact]
    public void Document_references_become_notes_without_text()
    {
        var notes = synthea.Sink.Of(CdmTables.Note);

        Assert.Equal(synthea.LinesByResourceType["DocumentReference"], notes.Count);
        Assert.All(notes, n => Assert.Equal(string.Empty, n[CdmTables.Note.IndexOf("note_text")]));
        Assert.All(notes, n => Assert.Null(n[CdmTables.Note.IndexOf("note_title")]));
    }

    [Fact]
    public void Report_holds_codes_and_counts_but_no_patient_identifiers()
    {
        var json = synthea.RunReport.ToJson(topUnmapped: 1000);
        var patientIds = File.ReadLines(SharedData.PathOf("synthea", "100-patients", "Patient.ndjson"))
            .Select(l => ResourceDocument.Parse(l).RootElement.GetProperty("id").GetString()!);

        Assert.All(patientIds, id => Assert.DoesNotContain(id, json));
        using var parsed = ResourceDocument.Parse(json);
        Assert.True(parsed.RootElement.GetProperty("tables").GetProperty("measurement").GetProperty("rows").GetInt64() > 0);
    }

    [Fact]
    public void Observation_periods_cover_every_person_with_events()
    {
        var periods = ObservationPeriodBuilder.Build(synthea.Sink.Dates.Rows(), synthea.Deidentifier).ToList();
        var persons = synthea.Sink.Of(CdmTables.Person).Select(r => (long)r[0]!).ToHashSet();

        Assert.Equal(persons.Count, periods.Count);
        Assert.All(periods, p => Assert.Contains((long)p[1]!, persons));
        Assert.All(periods, p => Assert.True((DateOnly)p[2]! <= (DateOnly)p[3]!));
    }

    [Fact]
    public void Shapes_and_concept_distributions_are_comparable_with_the_reference_etl()
    {
        var reference = new ReferenceEtl(SharedData.PathOf("omop", "reference-etl-synthea27nj"));
        var ours = synthea.Sink;
        var comparison = new List<(string Metric, double Ours, double Reference)>();

        double Share(IEnumerable<int> concepts, int concept) { var l = concepts.ToList(); return l.Count == 0 ? 0 : (double)l.Count(c => c == concept) / l.Count; }
        var ourVisits = ours.Of(CdmTables.VisitOccurrence).Select(r => (int)r[2]!).ToList();
        var refVisits = reference.Concepts("VISIT_OCCURRENCE", "visit_concept_id");
        comparison.Add(("outpatient share of visits", Share(ourVisits, 9202), Share(refVisits, 9202)));
        comparison.Add(("emergency share of visits", Share(ourVisits, 9203), Share(refVisits, 9203)));

        double PerPerson(string table, int rows) => (double)rows / (table == "ours" ? ours.Of(CdmTables.Person).Count : reference.Persons);
        comparison.Add(("measurements per person", PerPerson("ours", ours.Of(CdmTables.Measurement).Count), (double)reference.Concepts("MEASUREMENT", "measurement_concept_id").Count / reference.Persons));
        comparison.Add(("visits per person", PerPerson("ours", ourVisits.Count), (double)refVisits.Count / reference.Persons));
        comparison.Add(("conditions per person", PerPerson("ours", ours.Of(CdmTables.ConditionOccurrence).Count), (double)reference.Concepts("CONDITION_OCCURRENCE", "condition_concept_id").Count / reference.Persons));

        // Of the reference's measurement/condition rows, how many carry a concept this mapping also produced.
        double Overlap(OmopTable table, string referenceTable, string column)
        {
            var ourConcepts = ours.Of(table).Select(r => (int)r[2]!).Where(c => c != 0).ToHashSet();
            var refConcepts = reference.Concepts(referenceTable, column).Where(c => c != 0).ToList();
            return (double)refConcepts.Count(ourConcepts.Contains) / refConcepts.Count;
        }
        var measurementOverlap = Overlap(CdmTables.Measurement, "MEASUREMENT", "measurement_concept_id");
        var conditionOverlap = Overlap(CdmTables.ConditionOccurrence, "CONDITION_OCCURRENCE", "condition_concept_id");
        comparison.Add(("reference measurement rows whose concept we also emit", measurementOverlap, 1));
        comparison.Add(("reference condition rows whose concept we also emit", conditionOverlap, 1));

        foreach (var (metric, o, r) in comparison) output.WriteLine($"{metric,-55} ours {o,8:0.###}  reference {r,8:0.###}");

        Assert.Equal(reference.Columns("PERSON"), CdmTables.Person.Columns.Select(c => c.Name));
        Assert.Equal(reference.Columns("MEASUREMENT"), CdmTables.Measurement.Columns.Select(c => c.Name));
        Assert.True(Share(ourVisits, 9202) > 0.8 && Share(refVisits, 9202) > 0.8, "both populations are mostly outpatient");
        Assert.True(measurementOverlap > 0.8, $"measurement overlap {measurementOverlap:P1}");
        Assert.True(conditionOverlap > 0.4, $"condition overlap {conditionOverlap:P1}"); // different patients: see docs/omop-mapping.md
    }

    /// <summary>The reference ETL's CSV tables (a different, 28-patient population).</summary>
    private sealed class ReferenceEtl(string folder)
    {
        public int Persons => Concepts("PERSON", "person_id").Count;

        public IReadOnlyList<string> Columns(string table)
        {
            using var reader = new DelimitedRowReader(File.OpenRead(Path.Combine(folder, table + ".csv")), table);
            return reader.Header;
        }

        public List<int> Concepts(string table, string column)
        {
            using var reader = new DelimitedRowReader(File.OpenRead(Path.Combine(folder, table + ".csv")), table);
            var index = reader.ColumnIndex(column);
            var values = new List<int>();
            while (reader.ReadRow()) values.Add(reader.Int32(index));
            return values;
        }
    }
}
