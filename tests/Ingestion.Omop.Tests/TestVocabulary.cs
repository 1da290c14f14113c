namespace Ingestion.Omop.Tests;

/// <summary>
/// A hand-written vocabulary for the mapping-rule tests: real OMOP concept ids where the Synthea27Nj subset has
/// them (SNOMED, LOINC, RxNorm, UCUM), fixture ids from 1000001 otherwise; the ICD10CM "history of" pair mirrors Athena's Maps to / Maps to value shape.
/// </summary>
internal static class TestVocabulary
{
    public const int Type2Diabetes = 201826, Prediabetes = 40316773, PrediabetesStandard = 4311629, ObesityBmi = 4060985,
        Systolic = 3004249, Diastolic = 3012888, BpPanel = 36203185, SmokingStatus = 43054909, SmokesDaily = 42709996,
        SulfaTrimethoprim = 1163, Sulfamethoxazole = 1836430, Trimethoprim = 1705674, MmHg = 8876, Kilogram = 9529,
        BodyWeight = 3025315, HistoryOfNicotine = 1000001, HistoryOfFinding = 4214956, NicotineDependence = 4209423,
        UnmappedSnomed = 4166590, SulfaTrimTablet = 1000002, InfluenzaVaccine = 1000003;

    public static IVocabulary Create()
    {
        var c = new VocabularyCompiler();
        c.AddConcept(Type2Diabetes, "Type 2 diabetes mellitus", "Condition", "SNOMED", 'S', "44054006");
        c.AddConcept(Prediabetes, "Prediabetes", "Condition", "SNOMED", ' ', "15777000", invalid: true);
        c.AddConcept(PrediabetesStandard, "Prediabetes", "Condition", "SNOMED", 'S', "714628002");
        c.AddConcept(ObesityBmi, "Body mass index 30+ - obesity", "Observation", "SNOMED", 'S', "162864005");
        c.AddConcept(Systolic, "Systolic blood pressure", "Measurement", "LOINC", 'S', "8480-6");
        c.AddConcept(Diastolic, "Diastolic blood pressure", "Measurement", "LOINC", 'S', "8462-4");
        c.AddConcept(BpPanel, "Blood pressure panel with all children optional", "Measurement", "LOINC", 'S', "85354-9");
        c.AddConcept(SmokingStatus, "Tobacco smoking status", "Observation", "LOINC", 'S', "72166-2");
        c.AddConcept(SmokesDaily, "Smokes tobacco daily", "Observation", "SNOMED", 'S', "449868002");
        c.AddConcept(BodyWeight, "Body weight", "Measurement", "LOINC", 'S', "29463-7");
        c.AddConcept(SulfaTrimethoprim, "Sulfamethoxazole / Trimethoprim", "Drug", "RxNorm", ' ', "10831");
        c.AddConcept(Sulfamethoxazole, "sulfamethoxazole", "Drug", "RxNorm", 'S', "10180");
        c.AddConcept(Trimethoprim, "trimethoprim", "Drug", "RxNorm", 'S', "10829");
        c.AddConcept(SulfaTrimTablet, "sulfamethoxazole 800 MG / trimethoprim 160 MG Oral Tablet", "Drug", "RxNorm", 'S', "198335");
        c.AddConcept(InfluenzaVaccine, "influenza, seasonal, injectable", "Drug", "CVX", 'S', "141");
        c.AddConcept(MmHg, "millimeter mercury column", "Unit", "UCUM", 'S', "mm[Hg]");
        c.AddConcept(Kilogram, "kilogram", "Unit", "UCUM", 'S', "kg");
        c.AddConcept(HistoryOfNicotine, "Personal history of nicotine dependence", "Observation", "ICD10CM", ' ', "Z87.891");
        c.AddConcept(HistoryOfFinding, "History of clinical finding in subject", "Observation", "SNOMED", 'S', "417662000");
        c.AddConcept(NicotineDependence, "Nicotine dependence", "Condition", "SNOMED", 'S', "56294008");
        c.AddConcept(UnmappedSnomed, "Brain damage - traumatic", "Condition", "SNOMED", ' ', "275272006");
        foreach (var standard in new[] { Type2Diabetes, PrediabetesStandard, ObesityBmi, Systolic, Diastolic, BpPanel, SmokingStatus, SmokesDaily, BodyWeight, Sulfamethoxazole, Trimethoprim, SulfaTrimTablet, InfluenzaVaccine, MmHg, Kilogram, HistoryOfFinding, NicotineDependence })
            c.AddRelationship(standard, standard, ConceptRelationship.MapsTo);
        c.AddRelationship(Prediabetes, PrediabetesStandard, ConceptRelationship.MapsTo);
        c.AddRelationship(SulfaTrimethoprim, Sulfamethoxazole, ConceptRelationship.MapsTo);
        c.AddRelationship(SulfaTrimethoprim, Trimethoprim, ConceptRelationship.MapsTo);
        c.AddRelationship(HistoryOfNicotine, HistoryOfFinding, ConceptRelationship.MapsTo);
        c.AddRelationship(HistoryOfNicotine, NicotineDependence, ConceptRelationship.MapsToValue);
        // drug_era ingredients (concept_ancestor to class Ingredient); the CVX vaccine has none.
        foreach (var (drug, ingredient) in new[] { (Sulfamethoxazole, Sulfamethoxazole), (Trimethoprim, Trimethoprim), (SulfaTrimTablet, Sulfamethoxazole), (SulfaTrimTablet, Trimethoprim) })
            c.AddRelationship(drug, ingredient, ConceptRelationship.HasIngredient);
        using var image = new MemoryStream();
        c.WriteAsync(image, "test-fixture", CancellationToken.None).GetAwaiter().GetResult();
        return VocabularyFile.FromImage(image.ToArray());
    }
}
