namespace Ingestion.DemoServer;

/// <summary>A coded concept: system URI, code, display; <paramref name="Unit"/> is the UCUM unit for quantities.</summary>
public sealed record DemoCode(string System, string Code, string Display, string? Unit = null, double Low = 0, double High = 0);

/// <summary>
/// Every real code the synthetic generator uses. The OMOP starter vocabulary carries these codes, so keep
/// docs/demo-server.md in step when this table changes. Lab/vital ranges (Low..High) drive realistic values.
/// </summary>
public static class DemoCodeTable
{
    public const string Snomed = "http://snomed.info/sct";
    public const string Loinc = "http://loinc.org";
    public const string RxNorm = "http://www.nlm.nih.gov/research/umls/rxnorm";
    public const string Cvx = "http://hl7.org/fhir/sid/cvx";
    public const string CdcRace = "urn:oid:2.16.840.1.113883.6.238";
    public const string Ucum = "http://unitsofmeasure.org";

    public static IReadOnlyList<DemoCode> Conditions { get; } =
    [
        new(Snomed, "44054006", "Type 2 diabetes mellitus"),
        new(Snomed, "59621000", "Essential hypertension"),
        new(Snomed, "195967001", "Asthma"),
        new(Snomed, "55822004", "Hyperlipidemia"),
        new(Snomed, "49436004", "Atrial fibrillation"),
        new(Snomed, "15777000", "Prediabetes"),
        new(Snomed, "162864005", "Body mass index 30+ - obesity"),
        new(Snomed, "271737000", "Anemia"),
        new(Snomed, "444814009", "Viral sinusitis"),
        new(Snomed, "40055000", "Chronic sinusitis"),
        new(Snomed, "10509002", "Acute bronchitis"),
        new(Snomed, "195662009", "Acute viral pharyngitis"),
        new(Snomed, "233604007", "Pneumonia"),
    ];

    public static IReadOnlyList<DemoCode> Procedures { get; } =
    [
        new(Snomed, "73761001", "Colonoscopy"),
        new(Snomed, "80146002", "Appendectomy"),
        new(Snomed, "232717009", "Coronary artery bypass grafting"),
        new(Snomed, "71651007", "Mammography"),
        new(Snomed, "430193006", "Medication reconciliation"),
        new(Snomed, "29303009", "Electrocardiographic procedure"),
        new(Snomed, "399208008", "Plain chest X-ray"),
        new(Snomed, "117015009", "Throat culture"),
    ];

    /// <summary>Laboratory results (US Core Laboratory Result Observation), grouped into panels below.</summary>
    public static IReadOnlyList<DemoCode> Labs { get; } =
    [
        new(Loinc, "2339-0", "Glucose [Mass/volume] in Blood", "mg/dL", 70, 180),
        new(Loinc, "4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood", "%", 4.5, 9.5),
        new(Loinc, "2093-3", "Cholesterol [Mass/volume] in Serum or Plasma", "mg/dL", 140, 280),
        new(Loinc, "2571-8", "Triglyceride [Mass/volume] in Serum or Plasma", "mg/dL", 60, 300),
        new(Loinc, "2085-9", "Cholesterol in HDL [Mass/volume] in Serum or Plasma", "mg/dL", 30, 90),
        new(Loinc, "18262-6", "Cholesterol in LDL [Mass/volume] in Serum or Plasma by Direct assay", "mg/dL", 60, 190),
        new(Loinc, "2160-0", "Creatinine [Mass/volume] in Serum or Plasma", "mg/dL", 0.5, 1.6),
        new(Loinc, "2951-2", "Sodium [Moles/volume] in Serum or Plasma", "mmol/L", 133, 147),
        new(Loinc, "2823-3", "Potassium [Moles/volume] in Serum or Plasma", "mmol/L", 3.4, 5.3),
        new(Loinc, "718-7", "Hemoglobin [Mass/volume] in Blood", "g/dL", 11, 17.5),
        new(Loinc, "6690-2", "Leukocytes [#/volume] in Blood by Automated count", "10*3/uL", 3.5, 11),
        new(Loinc, "777-3", "Platelets [#/volume] in Blood by Automated count", "10*3/uL", 150, 420),
    ];

    /// <summary>Lab panels (DiagnosticReport.code) and the indexes of their results in <see cref="Labs"/>.</summary>
    public static IReadOnlyList<(DemoCode Panel, int[] Results)> LabPanels { get; } =
    [
        (new(Loinc, "57698-3", "Lipid panel with direct LDL - Serum or Plasma"), [2, 3, 4, 5]),
        (new(Loinc, "24323-8", "Comprehensive metabolic 2000 panel - Serum or Plasma"), [0, 6, 7, 8]),
        (new(Loinc, "58410-2", "CBC panel - Blood by Automated count"), [9, 10, 11]),
        (new(Loinc, "4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood"), [1]),
    ];

    public static DemoCode BloodPressurePanel { get; } = new(Loinc, "85354-9", "Blood pressure panel with all children optional");
    public static DemoCode SystolicBloodPressure { get; } = new(Loinc, "8480-6", "Systolic blood pressure", "mm[Hg]", 100, 160);
    public static DemoCode DiastolicBloodPressure { get; } = new(Loinc, "8462-4", "Diastolic blood pressure", "mm[Hg]", 60, 100);

    /// <summary>Single-value vital signs with their US Core profile name.</summary>
    public static IReadOnlyList<(DemoCode Code, string Profile)> VitalSigns { get; } =
    [
        (new(Loinc, "8867-4", "Heart rate", "/min", 55, 110), "us-core-heart-rate"),
        (new(Loinc, "9279-1", "Respiratory rate", "/min", 12, 22), "us-core-respiratory-rate"),
        (new(Loinc, "8310-5", "Body temperature", "Cel", 36.1, 38.3), "us-core-body-temperature"),
        (new(Loinc, "29463-7", "Body weight", "kg", 50, 120), "us-core-body-weight"),
        (new(Loinc, "8302-2", "Body height", "cm", 150, 195), "us-core-body-height"),
        (new(Loinc, "39156-5", "Body mass index (BMI) [Ratio]", "kg/m2", 18, 40), "us-core-bmi"),
    ];

    public static DemoCode SmokingStatus { get; } = new(Loinc, "72166-2", "Tobacco smoking status");

    public static IReadOnlyList<DemoCode> SmokingStatusValues { get; } =
    [
        new(Snomed, "449868002", "Smokes tobacco daily"),
        new(Snomed, "8517006", "Ex-smoker"),
        new(Snomed, "266919005", "Never smoked tobacco"),
    ];

    public static IReadOnlyList<DemoCode> Medications { get; } =
    [
        new(RxNorm, "860975", "24 HR metformin hydrochloride 500 MG Extended Release Oral Tablet"),
        new(RxNorm, "314076", "lisinopril 10 MG Oral Tablet"),
        new(RxNorm, "197361", "amlodipine 5 MG Oral Tablet"),
        new(RxNorm, "259255", "atorvastatin 80 MG Oral Tablet"),
        new(RxNorm, "312961", "simvastatin 20 MG Oral Tablet"),
        new(RxNorm, "313782", "acetaminophen 325 MG Oral Tablet"),
        new(RxNorm, "310965", "ibuprofen 200 MG Oral Tablet"),
        new(RxNorm, "308182", "amoxicillin 250 MG Oral Capsule"),
    ];

    public static IReadOnlyList<DemoCode> Vaccines { get; } =
    [
        new(Cvx, "140", "Influenza, seasonal, injectable, preservative free"),
        new(Cvx, "08", "Hep B, adolescent or pediatric"),
        new(Cvx, "113", "Td (adult) preservative free"),
        new(Cvx, "115", "Tdap"),
        new(Cvx, "133", "Pneumococcal conjugate PCV 13"),
        new(Cvx, "208", "COVID-19, mRNA, LNP-S, PF, 30 mcg/0.3 mL dose"),
        new(Cvx, "03", "MMR"),
    ];

    public static IReadOnlyList<DemoCode> Allergies { get; } =
    [
        new(Snomed, "300916003", "Allergy to latex"),
        new(Snomed, "232347008", "Allergy to animal dander"),
        new(Snomed, "419474003", "Allergy to mold"),
        new(Snomed, "714035009", "Allergy to soy"),
    ];

    /// <summary>Encounter types with their v3 ActCode class (AMB, EMER, IMP).</summary>
    public static IReadOnlyList<(DemoCode Type, string Class, string ClassDisplay)> EncounterTypes { get; } =
    [
        (new(Snomed, "185349003", "Encounter for check up"), "AMB", "ambulatory"),
        (new(Snomed, "185345009", "Encounter for symptom"), "AMB", "ambulatory"),
        (new(Snomed, "50849002", "Emergency room admission"), "EMER", "emergency"),
        (new(Snomed, "32485007", "Hospital admission"), "IMP", "inpatient encounter"),
    ];

    public static IReadOnlyList<DemoCode> Races { get; } =
    [
        new(CdcRace, "2106-3", "White"),
        new(CdcRace, "2054-5", "Black or African American"),
        new(CdcRace, "2028-9", "Asian"),
        new(CdcRace, "1002-5", "American Indian or Alaska Native"),
        new(CdcRace, "2076-8", "Native Hawaiian or Other Pacific Islander"),
    ];

    public static IReadOnlyList<DemoCode> Ethnicities { get; } =
    [
        new(CdcRace, "2135-2", "Hispanic or Latino"),
        new(CdcRace, "2186-5", "Not Hispanic or Latino"),
    ];

    /// <summary>
    /// Codes used by <see cref="DefectKind.UnknownCode"/>: the coding keeps its usual system but carries a code
    /// that exists in no vocabulary (all start with "999"), so it maps to concept_id 0.
    /// </summary>
    public static string UnknownCodeFor(string system) => system switch
    {
        Loinc => "99999-0",
        RxNorm => "9999999",
        Cvx => "9999",
        _ => "999999999999",
    };
}
