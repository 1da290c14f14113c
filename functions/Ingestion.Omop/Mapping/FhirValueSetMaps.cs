namespace Ingestion.Omop;

/// <summary>
/// Fixed translations of HL7 value sets that Athena has no codes for (FHIR-to-OMOP IG): administrative gender,
/// OMB race and ethnicity categories (CDC Race &amp; Ethnicity code system), and encounter class (v3 ActCode).
/// Unknown codes give 0, the OMOP "no matching concept".
/// </summary>
public static class FhirValueSetMaps
{
    public static int Gender(string? code) => code switch
    {
        "male" => FixedConcepts.Male,
        "female" => FixedConcepts.Female,
        _ => 0, // other / unknown: OMOP convention is 0 with the source value kept
    };

    public static int Race(string? ombCategory) => ombCategory switch
    {
        "2106-3" => FixedConcepts.White,
        "2054-5" => FixedConcepts.BlackOrAfricanAmerican,
        "2028-9" => FixedConcepts.Asian,
        "1002-5" => FixedConcepts.AmericanIndianOrAlaskaNative,
        "2076-8" => FixedConcepts.NativeHawaiianOrOtherPacificIslander,
        _ => 0,
    };

    public static int Ethnicity(string? ombCategory) => ombCategory switch
    {
        "2135-2" => FixedConcepts.HispanicOrLatino,
        "2186-5" => FixedConcepts.NotHispanicOrLatino,
        _ => 0,
    };

    public static int VisitClass(string? actCode) => actCode switch
    {
        "AMB" or "FLD" or "SS" or "OBSENC" or "PRENC" => FixedConcepts.OutpatientVisit,
        "IMP" or "ACUTE" or "NONAC" => FixedConcepts.InpatientVisit,
        "EMER" => FixedConcepts.EmergencyRoomVisit,
        "HH" => FixedConcepts.HomeVisit,
        "VR" => FixedConcepts.Telehealth,
        _ => 0,
    };
}
