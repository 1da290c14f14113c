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
        "male" => 8507,
        "female" => 8532,
        _ => 0, // other / unknown: OMOP convention is 0 with the source value kept
    };

    public static int Race(string? ombCategory) => ombCategory switch
    {
        "2106-3" => 8527, // White
        "2054-5" => 8516, // Black or African American
        "2028-9" => 8515, // Asian
        "1002-5" => 8657, // American Indian or Alaska Native
        "2076-8" => 8557, // Native Hawaiian or Other Pacific Islander
        _ => 0,
    };

    public static int Ethnicity(string? ombCategory) => ombCategory switch
    {
        "2135-2" => 38003563, // Hispanic or Latino
        "2186-5" => 38003564, // Not Hispanic or Latino
        _ => 0,
    };

    public static int VisitClass(string? actCode) => actCode switch
    {
        "AMB" or "FLD" or "SS" or "OBSENC" or "PRENC" => 9202, // Outpatient Visit
        "IMP" or "ACUTE" or "NONAC" => 9201,                    // Inpatient Visit
        "EMER" => 9203,                                          // Emergency Room Visit
        "HH" => 581476,                                          // Home Visit
        "VR" => 5083,                                            // Telehealth
        _ => 0,
    };
}
