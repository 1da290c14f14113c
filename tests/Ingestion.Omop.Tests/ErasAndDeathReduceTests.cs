using Ingestion.Privacy;

namespace Ingestion.Omop.Tests;

/// <summary>The fan-in reduces for condition_era, drug_era (30-day persistence window) and death (one row per person).</summary>
public class ErasAndDeathReduceTests
{
    private static readonly DateOnly D0 = new(2021, 1, 1);
    private readonly FakeDeidentifier _deid = new();

    private long _nextEventId = 100;

    private object?[] Event(string kind, long person, int concept, int startDay, int endDay, long? eventId = null) =>
        [kind, eventId ?? _nextEventId++, person, concept, D0.AddDays(startDay), D0.AddDays(endDay)];

    [Fact]
    public void A_gap_of_exactly_30_days_joins_the_era_and_31_starts_a_new_one()
    {
        var builder = new EraBuilder(_deid);
        builder.Add(Event(EraEvents.Condition, 1, 201826, 0, 10));
        builder.Add(Event(EraEvents.Condition, 1, 201826, 40, 45)); // 30 days after day 10: same era
        builder.Add(Event(EraEvents.Condition, 1, 201826, 76, 80)); // 31 days after day 45: new era

        var eras = builder.ConditionEras().ToList();

        Assert.Equal(2, eras.Count);
        Assert.Equal([D0, D0.AddDays(45), 2], eras[0][3..]);
        Assert.Equal([D0.AddDays(76), D0.AddDays(80), 1], eras[1][3..]);
        Assert.All(eras, e => Assert.Equal(1L, e[1]));
        Assert.Equal(201826, eras[0][2]);
    }

    [Fact]
    public void Eras_are_per_person_and_concept_and_unordered_input_gives_the_same_eras()
    {
        var a = new EraBuilder(_deid);
        var b = new EraBuilder(_deid);
        object?[][] events =
        [
            Event(EraEvents.Condition, 1, 10, 50, 60), Event(EraEvents.Condition, 1, 10, 0, 5), Event(EraEvents.Condition, 1, 11, 0, 5),
            Event(EraEvents.Condition, 2, 10, 0, 5),
        ];
        foreach (var e in events) a.Add(e);
        foreach (var e in Enumerable.Reverse(events)) b.Add(e);

        var eras = a.ConditionEras().ToList();
        Assert.Equal(4, eras.Count); // person 1 concept 10: gap 45 days → two eras; concept 11; person 2
        Assert.Equal(eras.Select(e => string.Join('|', e)), b.ConditionEras().Select(e => string.Join('|', e)));
        Assert.Equal(eras.Count, eras.Select(e => (long)e[0]!).Distinct().Count());
    }

    [Fact]
    public void Drug_era_counts_exposures_and_the_days_no_exposure_covers()
    {
        var builder = new EraBuilder(_deid);
        builder.Add(Event(EraEvents.Drug, 1, 1836430, 0, 30));
        builder.Add(Event(EraEvents.Drug, 1, 1836430, 20, 40)); // overlaps: 10 more days covered
        builder.Add(Event(EraEvents.Drug, 1, 1836430, 60, 90)); // 20-day gap: same era

        var era = Assert.Single(builder.DrugEras());

        Assert.Equal([D0, D0.AddDays(90), 3, 20], era[3..]);
        Assert.Empty(builder.ConditionEras());
    }

    [Fact]
    public void The_same_event_staged_twice_counts_once_and_its_newer_copy_wins()
    {
        var builder = new EraBuilder(_deid);
        builder.Add(Event(EraEvents.Condition, 1, 201826, 0, 10, eventId: 1));
        builder.Add(Event(EraEvents.Condition, 1, 201826, 0, 20, eventId: 1)); // the resource again, updated

        var era = Assert.Single(builder.ConditionEras());
        Assert.Equal([D0, D0.AddDays(20), 1], era[3..]);
        Assert.Single(builder.Events());
    }

    [Fact]
    public void Drug_eras_are_per_ingredient_and_a_combination_drug_counts_in_each_of_its_ingredients()
    {
        var builder = new EraBuilder(_deid, new DrugIngredients(TestVocabulary.Create()));
        builder.Add(Event(EraEvents.Drug, 1, TestVocabulary.SulfaTrimTablet, 0, 10));
        builder.Add(Event(EraEvents.Drug, 1, TestVocabulary.Sulfamethoxazole, 15, 20)); // another product, same ingredient

        var eras = builder.DrugEras().ToDictionary(e => (int)e[2]!, e => e[3..]);
        Assert.Equal([TestVocabulary.Trimethoprim, TestVocabulary.Sulfamethoxazole], eras.Keys.Order());
        Assert.Equal([D0, D0.AddDays(20), 2, 5], eras[TestVocabulary.Sulfamethoxazole]);
        Assert.Equal([D0, D0.AddDays(10), 1, 0], eras[TestVocabulary.Trimethoprim]);
    }

    [Fact]
    public void A_drug_without_an_ingredient_forms_eras_of_its_own_concept()
    {
        var builder = new EraBuilder(_deid, new DrugIngredients(TestVocabulary.Create()));
        builder.Add(Event(EraEvents.Drug, 1, TestVocabulary.InfluenzaVaccine, 0, 0));
        builder.Add(Event(EraEvents.Drug, 1, TestVocabulary.InfluenzaVaccine, 365, 365));
        builder.Add(Event(EraEvents.Drug, 1, TestVocabulary.Trimethoprim, 0, 3));

        var concepts = builder.DrugEras().Select(e => (int)e[2]!).ToList();
        Assert.Equal(1, concepts.Count(c => c == TestVocabulary.Trimethoprim));
        Assert.Equal(2, concepts.Count(c => c == TestVocabulary.InfluenzaVaccine)); // a year apart: two eras
    }

    [Fact]
    public void An_event_that_bridges_two_earlier_eras_lists_the_era_it_merged_away_as_deleted()
    {
        var before = new EraBuilder(_deid);
        before.Add(Event(EraEvents.Condition, 1, 201826, 0, 10, eventId: 1));
        before.Add(Event(EraEvents.Condition, 1, 201826, 60, 70, eventId: 2));
        before.Add(Event(EraEvents.Drug, 1, 1836430, 0, 5, eventId: 3));
        var after = new EraBuilder(_deid);
        foreach (var e in before.Events()) after.Add(e);
        after.Add(Event(EraEvents.Condition, 1, 201826, 35, 40, eventId: 4)); // within 30 days of both

        var merged = Assert.Single(after.ConditionEras());
        var stale = before.ConditionEras().Single(e => (DateOnly)e[3]! == D0.AddDays(60));
        Assert.Equal([[CdmTables.ConditionEra.Name, CdmTables.ConditionEra.Name, stale[0], null]], after.DeletionsSince(before).ToList());
        Assert.Equal(before.ConditionEras().First()[0], merged[0]); // the era that kept its start keeps its key
        Assert.Empty(before.DeletionsSince(before));
    }

    [Fact]
    public void Era_events_come_from_mapped_condition_and_drug_rows_with_a_standard_concept()
    {
        var c = CdmTables.ConditionOccurrence;
        var condition = new object?[c.Columns.Count];
        condition[0] = 5L; condition[1] = 7L; condition[c.IndexOf("condition_concept_id")] = 201826;
        condition[c.IndexOf("condition_start_date")] = D0;

        Assert.Equal([EraEvents.Condition, 5L, 7L, 201826, D0, D0.AddDays(1)], EraEvent(c, condition));
        condition[c.IndexOf("condition_concept_id")] = 0;
        Assert.Null(EraEvent(c, condition));
        Assert.Null(EraEvent(CdmTables.Measurement, new object?[CdmTables.Measurement.Columns.Count]));

        var d = CdmTables.DrugExposure;
        var drug = new object?[d.Columns.Count];
        drug[0] = 6L; drug[1] = 7L; drug[d.IndexOf("drug_concept_id")] = 1836430;
        drug[d.IndexOf("drug_exposure_start_date")] = D0; drug[d.IndexOf("drug_exposure_end_date")] = D0.AddDays(29);
        Assert.Equal([EraEvents.Drug, 6L, 7L, 1836430, D0, D0.AddDays(29)], EraEvent(d, drug));
    }

    private static object?[]? EraEvent(OmopTable table, object?[] row)
    {
        var events = new OmopRowBuffer(CdmTables.EraEvents);
        return EraEvents.TryAdd(TypedRow.Of(table, row), 0, events) ? RecordingSink.Box(events, 0) : null;
    }

    [Fact]
    public void Death_merges_the_patients_date_with_the_certificates_cause_in_either_order()
    {
        object?[] patient = [1L, D0, null, 32817, null, null, null];
        object?[] certificate = [1L, D0.AddDays(1), null, 32817, 201826, "44054006", 201826];
        var a = new DeathRecordMerger();
        a.Add(patient);
        a.Add(certificate);
        var b = new DeathRecordMerger();
        b.Add(certificate);
        b.Add(patient);
        b.Add(patient); // a second copy of the Patient never erases the cause

        object?[] expected = [1L, D0, null, 32817, 201826, "44054006", 201826];
        Assert.Equal(expected, Assert.Single(a.Rows()));
        Assert.Equal(expected, Assert.Single(b.Rows()));
    }
}
