namespace Ingestion.Omop.Tests;

public sealed class VocabularyFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("vocab-test-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string name, params string[] lines)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, string.Join("\n", lines) + "\n");
        return path;
    }

    /// <summary>The shape Athena ships: tab-delimited, no quoting, YYYYMMDD dates.</summary>
    private void WriteAthenaTabDelimited()
    {
        Write("CONCEPT.csv",
            "concept_id\tconcept_name\tdomain_id\tvocabulary_id\tconcept_class_id\tstandard_concept\tconcept_code\tvalid_start_date\tvalid_end_date\tinvalid_reason",
            "201826\tType 2 diabetes mellitus\tCondition\tSNOMED\tClinical Finding\tS\t44054006\t19700101\t20991231\t",
            "45576876\tType 2 diabetes mellitus without complications\tCondition\tICD10CM\t5-char billing code\t\tE11.9\t20070101\t20991231\t",
            "1000\tOld duplicate\tCondition\tICD10CM\t5-char billing code\t\tE11.9\t19700101\t20061231\tD",
            "3004249\tSystolic blood pressure\tMeasurement\tLOINC\tClinical Observation\tS\t8480-6\t19700101\t20991231\t",
            "8876\tmillimeter mercury column\tUnit\tUCUM\tUnit\tS\tmm[Hg]\t19700101\t20991231\t",
            "4214956\tHistory of clinical finding in subject\tObservation\tSNOMED\tContext-dependent\tS\t417662000\t19700101\t20991231\t",
            "4209423\tNicotine dependence\tCondition\tSNOMED\tClinical Finding\tS\t56294008\t19700101\t20991231\t",
            "1569000\tPersonal history of nicotine dependence\tObservation\tICD10CM\t6-char billing code\t\tZ87.891\t19700101\t20991231\t");
        Write("CONCEPT_RELATIONSHIP.csv",
            "concept_id_1\tconcept_id_2\trelationship_id\tvalid_start_date\tvalid_end_date\tinvalid_reason",
            "201826\t201826\tMaps to\t19700101\t20991231\t",
            "45576876\t201826\tMaps to\t19700101\t20991231\t",
            "45576876\t4209423\tMaps to\t19700101\t20991231\tD",
            "45576876\t3004249\tIs a\t19700101\t20991231\t",
            "1569000\t4214956\tMaps to\t19700101\t20991231\t",
            "1569000\t4209423\tMaps to value\t19700101\t20991231\t",
            "1569000\t99999999\tMaps to\t19700101\t20991231\t");
        Write("VOCABULARY.csv",
            "vocabulary_id\tvocabulary_name\tvocabulary_reference\tvocabulary_version\tvocabulary_concept_id",
            "None\tOMOP Standardized Vocabularies\tOMOP generated\tv5.0 27-AUG-25\t44819096",
            "SNOMED\tSystematic Nomenclature of Medicine\tSNOMED\t2025-03-01 SNOMED CT International Edition\t44819097");
    }

    private async Task<VocabularyFile> BuildAndOpen()
    {
        var file = Path.Combine(_folder, "vocab.bin");
        await VocabularyFile.BuildAsync(_folder, file, CancellationToken.None);
        return VocabularyFile.Open(file);
    }

    [Fact]
    public async Task Build_from_an_athena_download_records_the_version_and_answers_lookups()
    {
        WriteAthenaTabDelimited();
        using var vocabulary = await BuildAndOpen();

        Assert.Equal("v5.0 27-AUG-25", vocabulary.Version);
        Assert.Equal(8, vocabulary.ConceptCount);
        Assert.True(vocabulary.TryGetSourceConcept("ICD10CM", "E11.9", out var source));
        Assert.Equal(45576876, source.ConceptId); // the valid concept wins over the deprecated duplicate code
        Assert.False(source.IsStandard);
        Assert.Equal("Condition", source.DomainId);
        Assert.Equal("E11.9", vocabulary.ConceptCode(source));
        Assert.Equal("Type 2 diabetes mellitus without complications", vocabulary.ConceptName(source));
        // Only the valid Maps to counts; "Is a" and the deprecated relationship are dropped.
        Assert.Equal(1, vocabulary.TargetCount(source, ConceptRelationship.MapsTo));
        var standard = vocabulary.Target(source, ConceptRelationship.MapsTo, 0);
        Assert.Equal((201826, "Condition", true), (standard.ConceptId, standard.DomainId, standard.IsStandard));
    }

    [Fact]
    public async Task Maps_to_value_targets_are_kept_apart_from_maps_to()
    {
        WriteAthenaTabDelimited();
        using var vocabulary = await BuildAndOpen();

        Assert.True(vocabulary.TryGetSourceConcept("ICD10CM", "Z87.891", out var history));
        Assert.Equal(1, vocabulary.TargetCount(history, ConceptRelationship.MapsTo)); // the dangling 99999999 is dropped
        Assert.Equal(4214956, vocabulary.Target(history, ConceptRelationship.MapsTo, 0).ConceptId);
        Assert.Equal(1, vocabulary.TargetCount(history, ConceptRelationship.MapsToValue));
        Assert.Equal(4209423, vocabulary.Target(history, ConceptRelationship.MapsToValue, 0).ConceptId);
    }

    [Fact]
    public async Task Unknown_codes_and_vocabularies_are_not_found()
    {
        WriteAthenaTabDelimited();
        using var vocabulary = await BuildAndOpen();

        Assert.False(vocabulary.TryGetSourceConcept("SNOMED", "0000", out _));
        Assert.False(vocabulary.TryGetSourceConcept("SNOMED", "", out _));
        Assert.False(vocabulary.TryGetSourceConcept("NoSuchVocabulary", "44054006", out _));
        Assert.False(vocabulary.TryGetSourceConcept("LOINC", "44054006", out _));
        Assert.True(vocabulary.TryGetConcept(8876, out var unit));
        Assert.Equal("UCUM", unit.VocabularyId);
        Assert.False(vocabulary.TryGetConcept(8877, out _));
    }

    /// <summary>RxNorm's shape: a clinical drug consists of drug components, each has an ingredient (Athena ids for the drug and ingredients; fixture ids from 9000001).</summary>
    private void WriteRxNormDrugs(params string[] ancestorRows)
    {
        Write("CONCEPT.csv",
            "concept_id\tconcept_name\tdomain_id\tvocabulary_id\tconcept_class_id\tstandard_concept\tconcept_code\tvalid_start_date\tvalid_end_date\tinvalid_reason",
            "1713671\tamoxicillin 250 MG / clavulanate 125 MG Oral Tablet\tDrug\tRxNorm\tClinical Drug\tS\t562251\t19700101\t20991231\t",
            "1713332\tamoxicillin\tDrug\tRxNorm\tIngredient\tS\t723\t19700101\t20991231\t",
            "1759842\tclavulanate\tDrug\tRxNorm\tIngredient\tS\t48203\t19700101\t20991231\t",
            "9000001\tamoxicillin 250 MG\tDrug\tRxNorm\tClinical Drug Comp\tS\t315246\t19700101\t20991231\t",
            "9000002\tclavulanate 125 MG\tDrug\tRxNorm\tClinical Drug Comp\tS\t315247\t19700101\t20991231\t",
            "9000003\tinfluenza, seasonal, injectable, preservative free\tDrug\tCVX\tCVX\tS\t140\t19700101\t20991231\t");
        Write("CONCEPT_RELATIONSHIP.csv",
            "concept_id_1\tconcept_id_2\trelationship_id\tvalid_start_date\tvalid_end_date\tinvalid_reason",
            "1713671\t9000001\tConsists of\t19700101\t20991231\t",
            "1713671\t9000002\tConsists of\t19700101\t20991231\t",
            "9000001\t1713332\tRxNorm has ing\t19700101\t20991231\t",
            "9000002\t1759842\tRxNorm has ing\t19700101\t20991231\t");
        Write("CONCEPT_ANCESTOR.csv", ["ancestor_concept_id\tdescendant_concept_id\tmin_levels_of_separation\tmax_levels_of_separation", .. ancestorRows]);
    }

    private static int[] IngredientsOf(IVocabulary vocabulary, int conceptId)
    {
        Assert.True(vocabulary.TryGetConcept(conceptId, out var concept));
        return Enumerable.Range(0, vocabulary.TargetCount(concept, ConceptRelationship.HasIngredient))
            .Select(i => vocabulary.Target(concept, ConceptRelationship.HasIngredient, i).ConceptId).ToArray();
    }

    [Fact]
    public async Task A_drug_keeps_its_rxnorm_ingredient_ancestors_from_concept_ancestor()
    {
        // Only the ancestor rows count here (no relationship links the clavulanate row), as with a full Athena download.
        WriteRxNormDrugs("1713332\t1713671\t2\t2", "1759842\t1713671\t2\t2", "9000001\t1713671\t1\t1", "1713332\t1713332\t0\t0");
        File.WriteAllLines(Path.Combine(_folder, "CONCEPT_RELATIONSHIP.csv"), ["concept_id_1\tconcept_id_2\trelationship_id\tvalid_start_date\tvalid_end_date\tinvalid_reason"]);
        using var vocabulary = await BuildAndOpen();

        Assert.Equal([1713332, 1759842], IngredientsOf(vocabulary, 1713671)); // the drug component ancestor is no ingredient
        Assert.Equal([1713332], IngredientsOf(vocabulary, 1713332));
        Assert.Empty(IngredientsOf(vocabulary, 9000003)); // a CVX vaccine has none
        Assert.True(vocabulary.TryGetSourceConcept("RxNorm", "562251", out var drug));
        Assert.Equal(0, vocabulary.TargetCount(drug, ConceptRelationship.MapsTo)); // the kinds stay apart
    }

    [Fact]
    public async Task A_shard_without_concept_ancestor_derives_ingredients_through_the_rxnorm_hierarchy()
    {
        WriteRxNormDrugs();
        using var vocabulary = await BuildAndOpen();

        Assert.Equal([1713332, 1759842], IngredientsOf(vocabulary, 1713671));
        Assert.Equal([1759842], IngredientsOf(vocabulary, 9000002));
        Assert.Equal([1713332], IngredientsOf(vocabulary, 1713332)); // an ingredient is its own
        Assert.Empty(IngredientsOf(vocabulary, 9000003));
    }

    [Fact]
    public async Task Comma_separated_export_with_quoted_fields_builds_the_same_lookups()
    {
        Write("CONCEPT.csv",
            "concept_id,concept_name,domain_id,vocabulary_id,concept_class_id,standard_concept,concept_code,valid_start_date,valid_end_date,invalid_reason",
            "\"201826\",\"Type 2 diabetes mellitus, \"\"adult\"\"\",Condition,SNOMED,Clinical Finding,S,44054006,1970-01-01,2099-12-31,",
            "40316773,Prediabetes,Condition,SNOMED,Clinical Finding,\"\",15777000,1970-01-01,2002-01-31,U\r");
        Write("CONCEPT_RELATIONSHIP.csv",
            "concept_id_1,concept_id_2,relationship_id,valid_start_date,valid_end_date,invalid_reason",
            "40316773,201826,Maps to,2002-01-31,2099-12-31,");
        using var vocabulary = await BuildAndOpen();

        Assert.Equal("unknown", vocabulary.Version);
        Assert.True(vocabulary.TryGetSourceConcept("SNOMED", "44054006", out var diabetes));
        Assert.Equal("Type 2 diabetes mellitus, \"adult\"", vocabulary.ConceptName(diabetes));
        Assert.True(vocabulary.TryGetSourceConcept("SNOMED", "15777000", out var prediabetes));
        Assert.False(prediabetes.IsStandard);
        Assert.Equal(201826, vocabulary.Target(prediabetes, ConceptRelationship.MapsTo, 0).ConceptId);
    }

    [Fact]
    public async Task Missing_column_fails_with_a_coded_error_naming_the_file()
    {
        Write("CONCEPT.csv", "concept_id\tconcept_name", "1\tx");
        Write("CONCEPT_RELATIONSHIP.csv", "concept_id_1\tconcept_id_2\trelationship_id\tinvalid_reason");

        var error = await Assert.ThrowsAsync<VocabularyFormatException>(() => VocabularyFile.BuildAsync(_folder, Path.Combine(_folder, "v.bin"), CancellationToken.None));

        Assert.Equal("MissingColumn", error.ErrorCode);
        Assert.Contains("CONCEPT.csv", error.Message);
        Assert.False(File.Exists(Path.Combine(_folder, "v.bin")));
    }

    [Fact]
    public async Task Non_numeric_concept_id_fails_with_the_line_number_not_the_value()
    {
        Write("CONCEPT.csv",
            "concept_id\tconcept_name\tdomain_id\tvocabulary_id\tconcept_class_id\tstandard_concept\tconcept_code\tvalid_start_date\tvalid_end_date\tinvalid_reason",
            "abc\tx\tCondition\tSNOMED\tc\tS\t1\t19700101\t20991231\t");
        Write("CONCEPT_RELATIONSHIP.csv", "concept_id_1\tconcept_id_2\trelationship_id\tinvalid_reason");

        var error = await Assert.ThrowsAsync<VocabularyFormatException>(() => VocabularyFile.BuildAsync(_folder, Path.Combine(_folder, "v.bin"), CancellationToken.None));

        Assert.Equal("BadInteger", error.ErrorCode);
        Assert.Contains("line 2", error.Message);
        Assert.DoesNotContain("abc", error.Message);
    }

    [Fact]
    public void Opening_a_file_that_is_not_a_vocabulary_fails_with_a_coded_error()
    {
        var path = Write("not-a-vocabulary.bin", new string('x', 500));

        var error = Assert.Throws<VocabularyFormatException>(() => VocabularyFile.Open(path));

        Assert.Equal("NotAVocabularyFile", error.ErrorCode);
    }

    [Fact]
    public async Task Truncated_file_is_rejected_on_open()
    {
        WriteAthenaTabDelimited();
        var file = Path.Combine(_folder, "vocab.bin");
        await VocabularyFile.BuildAsync(_folder, file, CancellationToken.None);
        var bytes = await File.ReadAllBytesAsync(file);
        await File.WriteAllBytesAsync(file, bytes[..(bytes.Length - 10)]);

        Assert.Equal("Truncated", Assert.Throws<VocabularyFormatException>(() => VocabularyFile.Open(file)).ErrorCode);
    }

    [Fact]
    public void System_uris_resolve_to_omop_vocabulary_ids()
    {
        IVocabulary vocabulary = StarterVocabulary.Create();

        Assert.Equal("SNOMED", vocabulary.VocabularyIdForSystem("http://snomed.info/sct"));
        Assert.Equal("LOINC", vocabulary.VocabularyIdForSystem("http://loinc.org"));
        Assert.Equal("RxNorm", vocabulary.VocabularyIdForSystem("http://www.nlm.nih.gov/research/umls/rxnorm"));
        Assert.Equal("CVX", vocabulary.VocabularyIdForSystem("http://hl7.org/fhir/sid/cvx"));
        Assert.Equal("ICD10CM", vocabulary.VocabularyIdForSystem("http://hl7.org/fhir/sid/icd-10-cm"));
        Assert.Equal("UCUM", vocabulary.VocabularyIdForSystem("http://unitsofmeasure.org"));
        Assert.Equal("NDC", vocabulary.VocabularyIdForSystem("http://hl7.org/fhir/sid/ndc"));
        Assert.Equal("Gender", vocabulary.VocabularyIdForSystem("http://hl7.org/fhir/administrative-gender"));
        Assert.Null(vocabulary.VocabularyIdForSystem("http://example.org/local"));
    }

    [Fact]
    public async Task Repeated_lookups_answer_the_same_whether_found_or_not()
    {
        WriteAthenaTabDelimited();
        using var vocabulary = await BuildAndOpen();

        for (var i = 0; i < 3; i++)
        {
            Assert.True(vocabulary.TryGetSourceConcept("ICD10CM", "E11.9", out var source));
            Assert.Equal(45576876, source.ConceptId);
            Assert.Equal(201826, vocabulary.Target(source, ConceptRelationship.MapsTo, 0).ConceptId);
            Assert.False(vocabulary.TryGetSourceConcept("ICD10CM", "E11.8", out var missing));
            Assert.Equal(default, missing);
        }
    }

    [Fact]
    public async Task A_concept_from_another_vocabulary_is_rejected()
    {
        WriteAthenaTabDelimited();
        using var vocabulary = await BuildAndOpen();
        using var starter = (VocabularyFile)StarterVocabulary.Create();
        Assert.True(starter.TryGetSourceConcept("UCUM", "mm[Hg]", out var foreign));

        Assert.Throws<ArgumentException>(() => vocabulary.TargetCount(foreign, ConceptRelationship.MapsTo));
        Assert.Throws<ArgumentOutOfRangeException>(() => starter.Target(foreign, ConceptRelationship.MapsToValue, 0));
    }
}
