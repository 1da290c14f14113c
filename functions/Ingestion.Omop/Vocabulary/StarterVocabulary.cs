namespace Ingestion.Omop;

/// <summary>
/// A small built-in vocabulary so the embedded demo maps without an Athena download: every concept the mapper writes
/// as a constant (<see cref="Omop.FixedConcepts"/>: gender, race, ethnicity, visit, type, condition status, currency,
/// operators, the CDM version), common UCUM units and the clinical codes the demo generator uses. Compiled into the
/// same image format as a vocabulary file, so it answers exactly like one. Real OMOP concept ids throughout. Concepts
/// looked up by id only (type concepts, …) carry the concept_code "starter-{id}", not Athena's code.
/// </summary>
public static partial class StarterVocabulary
{
    public const string VersionName = "starter (OMOP concepts of v5.0 09-APR-22)";

    private readonly record struct StarterConcept(int Id, string Name, string Domain, string Vocabulary, char Standard, string Code);

    /// <summary>Besides <see cref="Omop.FixedConcepts.All"/> (what the mapper writes as constants).</summary>
    private static readonly StarterConcept[] BaseConcepts =
    [
        new(262, "Emergency Room and Inpatient Visit", "Visit", "Visit", 'S', "ERIP"),
        // Common UCUM units (ids as in the Synthea27Nj subset; U/L, mEq/L and [lb_av] from the full release).
        new(9529, "kilogram", "Unit", "UCUM", 'S', "kg"),
        new(8504, "gram", "Unit", "UCUM", 'S', "g"),
        new(8576, "milligram", "Unit", "UCUM", 'S', "mg"),
        new(8739, "pound (US)", "Unit", "UCUM", 'S', "[lb_av]"),
        new(8582, "centimeter", "Unit", "UCUM", 'S', "cm"),
        new(9327, "inch (international)", "Unit", "UCUM", 'S', "[in_i]"),
        new(9531, "kilogram per square meter", "Unit", "UCUM", 'S', "kg/m2"),
        new(8876, "millimeter mercury column", "Unit", "UCUM", 'S', "mm[Hg]"),
        new(8541, "per minute", "Unit", "UCUM", 'S', "/min"),
        new(8554, "percent", "Unit", "UCUM", 'S', "%"),
        new(586323, "degree Celsius", "Unit", "UCUM", 'S', "Cel"),
        new(9289, "degree Fahrenheit", "Unit", "UCUM", 'S', "[degF]"),
        new(8840, "milligram per deciliter", "Unit", "UCUM", 'S', "mg/dL"),
        new(8713, "gram per deciliter", "Unit", "UCUM", 'S', "g/dL"),
        new(8636, "gram per liter", "Unit", "UCUM", 'S', "g/L"),
        new(8753, "millimole per liter", "Unit", "UCUM", 'S', "mmol/L"),
        new(8749, "micromole per liter", "Unit", "UCUM", 'S', "umol/L"),
        new(8848, "thousand per microliter", "Unit", "UCUM", 'S', "10*3/uL"),
        new(8815, "million per microliter", "Unit", "UCUM", 'S', "10*6/uL"),
        new(9444, "billion per liter", "Unit", "UCUM", 'S', "10*9/L"),
        new(8583, "femtoliter", "Unit", "UCUM", 'S', "fL"),
        new(8564, "picogram", "Unit", "UCUM", 'S', "pg"),
        new(8842, "nanogram per milliliter", "Unit", "UCUM", 'S', "ng/mL"),
        new(8751, "milligram per liter", "Unit", "UCUM", 'S', "mg/L"),
        new(8645, "unit per liter", "Unit", "UCUM", 'S', "U/L"),
        new(9557, "milliequivalent per liter", "Unit", "UCUM", 'S', "mEq/L"),
        new(8587, "milliliter", "Unit", "UCUM", 'S', "mL"),
        new(8795, "milliliter per minute", "Unit", "UCUM", 'S', "mL/min"),
        new(8505, "hour", "Unit", "UCUM", 'S', "h"),
        new(8512, "day", "Unit", "UCUM", 'S', "d"),
        new(32912, "Generic unit for indivisible thing", "Unit", "UCUM", 'S', "1"),
    ];

    /// <summary>Builds the starter vocabulary (a few hundred concepts; cheap, but callers should keep one instance).</summary>
    public static IVocabulary Create()
    {
        var compiler = new VocabularyCompiler();
        var seen = new HashSet<int>();
        var fixedConcepts = Omop.FixedConcepts.All.Select(f => new StarterConcept(f.ConceptId, f.Name, f.Domain, f.Vocabulary, 'S', f.Code ?? $"starter-{f.ConceptId}"));
        foreach (var c in fixedConcepts.Concat(BaseConcepts).Concat(ClinicalConcepts))
        {
            if (!seen.Add(c.Id)) continue;
            compiler.AddConcept(c.Id, c.Name, c.Domain, c.Vocabulary, c.Standard, c.Code);
            // Standard concepts map to themselves, as in Athena.
            if (c.Standard == 'S') compiler.AddRelationship(c.Id, c.Id, ConceptRelationship.MapsTo);
        }
        foreach (var (from, to, kind) in ClinicalMaps) compiler.AddRelationship(from, to, kind);
        using var image = new MemoryStream();
        compiler.WriteAsync(image, VersionName, CancellationToken.None).GetAwaiter().GetResult();
        return VocabularyFile.FromImage(image.ToArray());
    }
}
