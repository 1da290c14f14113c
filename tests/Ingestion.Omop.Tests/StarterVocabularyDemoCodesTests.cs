using Ingestion.DemoServer;

namespace Ingestion.Omop.Tests;

/// <summary>
/// The demo generator's code table (<see cref="DemoCodeTable"/>) against the starter vocabulary: the demo must map
/// without a download. Known exceptions, each asserted: CVX vaccines and two smoking-status values are not in the
/// OMOP release the starter draws from (they show the concept_id 0 path); SNOMED 15777000 (Prediabetes) and
/// 714035009 (Allergy to soy) are known source concepts whose "Maps to" target lies outside that release's subset.
/// </summary>
public class StarterVocabularyDemoCodesTests
{
    private static readonly IVocabulary Starter = StarterVocabulary.Create();
    private static readonly HashSet<string> KnownWithoutStandard = ["15777000", "714035009"];
    private static readonly HashSet<string> NotInStarter = ["8517006", "266919005"];

    private static IEnumerable<DemoCode> ClinicalCodes() =>
        DemoCodeTable.Conditions
            .Concat(DemoCodeTable.Procedures)
            .Concat(DemoCodeTable.Labs)
            .Concat(DemoCodeTable.LabPanels.Select(p => p.Panel))
            .Concat([DemoCodeTable.BloodPressurePanel, DemoCodeTable.SystolicBloodPressure, DemoCodeTable.DiastolicBloodPressure, DemoCodeTable.SmokingStatus])
            .Concat(DemoCodeTable.VitalSigns.Select(v => v.Code))
            .Concat(DemoCodeTable.SmokingStatusValues)
            .Concat(DemoCodeTable.Medications)
            .Concat(DemoCodeTable.Allergies)
            .Concat(DemoCodeTable.EncounterTypes.Select(e => e.Type));

    [Fact]
    public void Every_demo_clinical_code_maps_to_a_standard_concept()
    {
        var checkedCodes = 0;
        foreach (var code in ClinicalCodes().Where(c => !NotInStarter.Contains(c.Code)))
        {
            var vocabularyId = Starter.VocabularyIdForSystem(code.System)!;
            Assert.True(Starter.TryGetSourceConcept(vocabularyId, code.Code, out var source), $"{vocabularyId} {code.Code} missing");
            var standard = source.IsStandard || Starter.TargetCount(source, ConceptRelationship.MapsTo) > 0;
            Assert.True(standard != KnownWithoutStandard.Contains(code.Code), $"{vocabularyId} {code.Code}: standard mapping {standard}");
            checkedCodes++;
        }
        Assert.True(checkedCodes >= 60);
    }

    [Fact]
    public void Every_demo_unit_resolves_to_a_ucum_concept()
    {
        var units = ClinicalCodes().Select(c => c.Unit).OfType<string>().Distinct().ToList();
        Assert.NotEmpty(units);
        Assert.All(units, unit => Assert.True(Starter.TryGetSourceConcept("UCUM", unit, out var c) && c.IsStandard, unit));
    }

    [Fact]
    public void Demo_vaccines_and_unlisted_smoking_values_take_the_concept_0_path()
    {
        Assert.All(DemoCodeTable.Vaccines, v => Assert.False(Starter.TryGetSourceConcept("CVX", v.Code, out _)));
        Assert.All(NotInStarter, code => Assert.False(Starter.TryGetSourceConcept("SNOMED", code, out _)));
    }

    [Fact]
    public void Demo_races_ethnicities_and_encounter_classes_have_fixed_concepts()
    {
        Assert.All(DemoCodeTable.Races, r => Assert.NotEqual(0, FhirValueSetMaps.Race(r.Code)));
        Assert.All(DemoCodeTable.Ethnicities, e => Assert.NotEqual(0, FhirValueSetMaps.Ethnicity(e.Code)));
        Assert.All(DemoCodeTable.EncounterTypes, e => Assert.NotEqual(0, FhirValueSetMaps.VisitClass(e.Class)));
        Assert.All(DemoCodeTable.EncounterTypes, e => Assert.True(Starter.TryGetConcept(FhirValueSetMaps.VisitClass(e.Class), out _)));
    }
}
