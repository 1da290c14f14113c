namespace Ingestion.DemoServer;

/// <summary>
/// One patient's record: the Patient, a smoking status, problem-list conditions, maybe an allergy, and
/// encounters with vital signs, lab panels (Observations + DiagnosticReport), diagnoses, procedures,
/// medication requests and immunizations. All decisions are drawn from the patient's own random stream.
/// </summary>
internal sealed class PatientPlan(SyntheticPatientGenerator generator, SharedResources shared, int patientIndex, Random rng)
{
    private const string ConditionCategory = "condition-category";
    private const string ObservationCategory = "observation-category";
    private static readonly DateTimeOffset Anchor = SyntheticPatientGenerator.Anchor;

    public IEnumerable<PlannedResource> Plan()
    {
        var patientId = SyntheticPatientGenerator.NewId(rng);
        var age = rng.NextDouble() < 0.05 ? rng.Next(90, 104) : rng.Next(0, 90); // some over 89 (HIPAA Safe Harbor)
        var birth = Anchor - TimeSpan.FromDays(age * 365.25 + rng.Next(0, 365));
        DateTimeOffset? deceased = rng.NextDouble() < 0.08 ? Anchor - TimeSpan.FromDays(rng.Next(1, 700)) : null;
        var end = deceased ?? Anchor;
        var patientUpdated = WholeSeconds(end - TimeSpan.FromMinutes(rng.Next(0, 60 * 24 * 30)));
        var encounterCount = 1 + rng.Next(5);
        var organization = shared.Organizations[rng.Next(shared.Organizations.Length)];
        var location = shared.Locations[rng.Next(shared.Locations.Length)];
        var practitioner = shared.Practitioners[rng.Next(shared.Practitioners.Length)];

        yield return new PlannedResource("Patient", "us-core-patient", patientId, patientId, null, patientUpdated, rng.Next(),
            (w, r) => WritePatient(w, r, patientIndex, birth, deceased));

        // Dates of care lie between birth and death (or the anchor), within the last ten years.
        var careStart = birth > end - TimeSpan.FromDays(3650) ? birth : end - TimeSpan.FromDays(3650);
        DateTimeOffset CareDate() => careStart + TimeSpan.FromMinutes(rng.NextDouble() * Math.Max(1, (end - careStart).TotalMinutes - 60 * 48));

        var smokingDate = CareDate();
        var smokingValue = SharedResources.Pick(rng, DemoCodeTable.SmokingStatusValues);
        yield return Clinical("Observation", "us-core-smokingstatus", patientId, smokingDate, (w, r) =>
        {
            w.Json.WriteString("status", "final");
            w.TerminologyConcept("category", ObservationCategory, "social-history", "Social History", asArray: true);
            w.MainCode("code", DemoCodeTable.SmokingStatus);
            w.PatientReference("subject", patientId);
            w.MainDateTime("effectiveDateTime", smokingDate);
            w.CodeableConcept("valueCodeableConcept", smokingValue);
        });

        var problems = rng.Next(3);
        for (var i = 0; i < problems; i++)
        {
            var onset = CareDate();
            var code = SharedResources.Pick(rng, DemoCodeTable.Conditions);
            yield return Clinical("Condition", "us-core-condition-problems-health-concerns", patientId, onset, (w, r) =>
                WriteCondition(w, patientId, code, onset, "problem-list-item", "Problem List Item", encounterId: null));
        }

        if (rng.NextDouble() < 0.3)
        {
            var recorded = CareDate();
            var code = SharedResources.Pick(rng, DemoCodeTable.Allergies);
            yield return Clinical("AllergyIntolerance", "us-core-allergyintolerance", patientId, recorded, (w, r) =>
            {
                w.TerminologyConcept("clinicalStatus", "allergyintolerance-clinical", "active", "Active");
                w.TerminologyConcept("verificationStatus", "allergyintolerance-verification", "confirmed", "Confirmed");
                w.Json.WriteString("type", "allergy");
                w.Json.WriteStartArray("category");
                w.Json.WriteStringValue("environment");
                w.Json.WriteEndArray();
                w.Json.WriteString("criticality", "low");
                w.MainCode("code", code);
                w.PatientReference("patient", patientId);
                w.MainDateTime("recordedDate", recorded);
            });
        }

        for (var e = 0; e < encounterCount; e++)
        {
            var encounterId = SyntheticPatientGenerator.NewId(rng);
            var (type, cls, clsDisplay) = SharedResources.Pick(rng, DemoCodeTable.EncounterTypes);
            var start = CareDate();
            var hours = cls == "IMP" ? rng.Next(24, 120) : 1;
            yield return Clinical("Encounter", "us-core-encounter", patientId, start, (w, r) =>
            {
                w.Identifier("http://hospital.example.org/encounter", "ENC" + r.Next(10_000_000, 99_999_999));
                w.Json.WriteString("status", "finished");
                w.Json.WriteStartObject("class");
                w.Json.WriteString("system", "http://terminology.hl7.org/CodeSystem/v3-ActCode");
                w.Json.WriteString("code", cls);
                w.Json.WriteString("display", clsDisplay);
                w.Json.WriteEndObject();
                w.Json.WriteStartArray("type");
                w.MainCodeValue(type);
                w.Json.WriteEndArray();
                w.PatientReference("subject", patientId);
                w.Json.WriteStartArray("participant");
                w.Json.WriteStartObject();
                w.Reference("individual", "Practitioner/" + practitioner);
                w.Json.WriteEndObject();
                w.Json.WriteEndArray();
                w.Json.WriteStartObject("period");
                w.MainDateTime("start", start);
                w.Json.WriteString("end", ResourceWriter.DateTime(start + TimeSpan.FromHours(hours)));
                w.Json.WriteEndObject();
                w.Json.WriteStartArray("location");
                w.Json.WriteStartObject();
                w.Reference("location", "Location/" + location);
                w.Json.WriteEndObject();
                w.Json.WriteEndArray();
                w.Reference("serviceProvider", "Organization/" + organization);
            });

            var at = start + TimeSpan.FromMinutes(15);
            foreach (var vital in PlanVitals(patientId, encounterId, at)) yield return vital;

            if (rng.NextDouble() < 0.5)
            {
                var (panel, results) = SharedResources.Pick(rng, DemoCodeTable.LabPanels);
                var resultIds = new string[results.Length];
                var collected = start + TimeSpan.FromMinutes(30);
                for (var i = 0; i < results.Length; i++)
                {
                    resultIds[i] = SyntheticPatientGenerator.NewId(rng);
                    var lab = DemoCodeTable.Labs[results[i]];
                    yield return Clinical("Observation", "us-core-observation-lab", patientId, collected, resultIds[i], (w, r) =>
                    {
                        w.Json.WriteString("status", "final");
                        w.TerminologyConcept("category", ObservationCategory, "laboratory", "Laboratory", asArray: true);
                        w.MainCode("code", lab);
                        w.PatientReference("subject", patientId);
                        w.Reference("encounter", "Encounter/" + encounterId);
                        w.MainDateTime("effectiveDateTime", collected);
                        w.Json.WriteString("issued", ResourceWriter.Instant(collected + TimeSpan.FromHours(4)));
                        w.Quantity("valueQuantity", lab.Low + r.NextDouble() * (lab.High - lab.Low), lab.Unit!);
                    });
                }
                yield return Clinical("DiagnosticReport", "us-core-diagnosticreport-lab", patientId, collected, (w, r) =>
                {
                    w.Json.WriteString("status", "final");
                    w.Json.WriteStartArray("category");
                    w.CodeableConceptValue(new DemoCode("http://terminology.hl7.org/CodeSystem/v2-0074", "LAB", "Laboratory"));
                    w.Json.WriteEndArray();
                    w.MainCode("code", panel);
                    w.PatientReference("subject", patientId);
                    w.Reference("encounter", "Encounter/" + encounterId);
                    w.MainDateTime("effectiveDateTime", collected);
                    w.Json.WriteString("issued", ResourceWriter.Instant(collected + TimeSpan.FromHours(4)));
                    w.Json.WriteStartArray("performer");
                    w.Json.WriteStartObject();
                    w.Json.WriteString("reference", "Organization/" + organization);
                    w.Json.WriteEndObject();
                    w.Json.WriteEndArray();
                    w.Json.WriteStartArray("result");
                    foreach (var id in resultIds)
                    {
                        w.Json.WriteStartObject();
                        w.Json.WriteString("reference", "Observation/" + id);
                        w.Json.WriteEndObject();
                    }
                    w.Json.WriteEndArray();
                });
            }

            if (rng.NextDouble() < 0.4)
            {
                var code = SharedResources.Pick(rng, DemoCodeTable.Conditions);
                yield return Clinical("Condition", "us-core-condition-encounter-diagnosis", patientId, start, (w, r) =>
                    WriteCondition(w, patientId, code, start, "encounter-diagnosis", "Encounter Diagnosis", encounterId));
            }

            if (rng.NextDouble() < 0.3)
            {
                var code = SharedResources.Pick(rng, DemoCodeTable.Procedures);
                var performed = start + TimeSpan.FromMinutes(40);
                yield return Clinical("Procedure", "us-core-procedure", patientId, performed, (w, r) =>
                {
                    w.Json.WriteString("status", "completed");
                    w.MainCode("code", code);
                    w.PatientReference("subject", patientId);
                    w.Reference("encounter", "Encounter/" + encounterId);
                    w.MainDateTime("performedDateTime", performed);
                });
            }

            if (rng.NextDouble() < 0.4)
            {
                var code = SharedResources.Pick(rng, DemoCodeTable.Medications);
                var authored = start + TimeSpan.FromMinutes(50);
                yield return Clinical("MedicationRequest", "us-core-medicationrequest", patientId, authored, (w, r) =>
                {
                    w.Json.WriteString("status", r.Next(3) == 0 ? "completed" : "active");
                    w.Json.WriteString("intent", "order");
                    w.TerminologyConcept("category", "medicationrequest-category", "outpatient", "Outpatient", asArray: true);
                    w.Json.WriteBoolean("reportedBoolean", false);
                    w.MainCode("medicationCodeableConcept", code);
                    w.PatientReference("subject", patientId);
                    w.Reference("encounter", "Encounter/" + encounterId);
                    w.MainDateTime("authoredOn", authored);
                    w.Reference("requester", "Practitioner/" + practitioner);
                    w.Json.WriteStartArray("dosageInstruction");
                    w.Json.WriteStartObject();
                    w.Json.WriteString("text", $"Take {1 + r.Next(2)} tablet(s) by mouth {1 + r.Next(3)} times daily");
                    w.Json.WriteEndObject();
                    w.Json.WriteEndArray();
                });
            }

            if (type.Code == "185349003" && rng.NextDouble() < 0.6)
            {
                var code = SharedResources.Pick(rng, DemoCodeTable.Vaccines);
                var given = start + TimeSpan.FromMinutes(45);
                yield return Clinical("Immunization", "us-core-immunization", patientId, given, (w, r) =>
                {
                    w.Json.WriteString("status", "completed");
                    w.MainCode("vaccineCode", code);
                    w.PatientReference("patient", patientId);
                    w.Reference("encounter", "Encounter/" + encounterId);
                    w.MainDateTime("occurrenceDateTime", given);
                    w.Json.WriteBoolean("primarySource", true);
                });
            }
        }
    }

    private IEnumerable<PlannedResource> PlanVitals(string patientId, string encounterId, DateTimeOffset at)
    {
        yield return Clinical("Observation", "us-core-blood-pressure", patientId, at, (w, r) =>
        {
            WriteVitalHeader(w, DemoCodeTable.BloodPressurePanel, patientId, encounterId, at);
            w.Json.WriteStartArray("component");
            foreach (var part in new[] { DemoCodeTable.SystolicBloodPressure, DemoCodeTable.DiastolicBloodPressure })
            {
                w.Json.WriteStartObject();
                w.CodeableConcept("code", part);
                w.Quantity("valueQuantity", Math.Round(part.Low + r.NextDouble() * (part.High - part.Low)), part.Unit!);
                w.Json.WriteEndObject();
            }
            w.Json.WriteEndArray();
        });
        // A random subset of the single-value vital signs (always at least heart rate).
        var mask = 1 | rng.Next(1 << DemoCodeTable.VitalSigns.Count);
        for (var i = 0; i < DemoCodeTable.VitalSigns.Count; i++)
        {
            if ((mask & (1 << i)) == 0) continue;
            var (code, profile) = DemoCodeTable.VitalSigns[i];
            yield return Clinical("Observation", profile, patientId, at, (w, r) =>
            {
                WriteVitalHeader(w, code, patientId, encounterId, at);
                w.Quantity("valueQuantity", code.Low + r.NextDouble() * (code.High - code.Low), code.Unit!);
            });
        }
    }

    private PlannedResource Clinical(string type, string profile, string patientId, DateTimeOffset when, Action<ResourceWriter, Random> write) =>
        Clinical(type, profile, patientId, when, SyntheticPatientGenerator.NewId(rng), write);

    private PlannedResource Clinical(string type, string profile, string patientId, DateTimeOffset when, string id, Action<ResourceWriter, Random> write)
    {
        var defect = generator.DrawDefect(rng);
        var updated = when + TimeSpan.FromMinutes(rng.Next(5, 60 * 24));
        if (updated > Anchor) updated = Anchor;
        updated = WholeSeconds(updated);
        return new PlannedResource(type, profile, id, patientId, defect, updated, rng.Next(), write);
    }

    /// <summary>meta.lastUpdated is written to the second; the record's value must equal what is written.</summary>
    private static DateTimeOffset WholeSeconds(DateTimeOffset value) => new(value.UtcTicks - value.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);

    private static void WriteVitalHeader(ResourceWriter w, DemoCode code, string patientId, string encounterId, DateTimeOffset at)
    {
        w.Json.WriteString("status", "final");
        w.TerminologyConcept("category", ObservationCategory, "vital-signs", "Vital Signs", asArray: true);
        w.MainCode("code", code);
        w.PatientReference("subject", patientId);
        w.Reference("encounter", "Encounter/" + encounterId);
        w.MainDateTime("effectiveDateTime", at);
    }

    private static void WriteCondition(ResourceWriter w, string patientId, DemoCode code, DateTimeOffset onset, string category, string categoryDisplay, string? encounterId)
    {
        w.TerminologyConcept("clinicalStatus", "condition-clinical", "active", "Active");
        w.TerminologyConcept("verificationStatus", "condition-ver-status", "confirmed", "Confirmed");
        w.TerminologyConcept("category", ConditionCategory, category, categoryDisplay, asArray: true);
        w.MainCode("code", code);
        w.PatientReference("subject", patientId);
        if (encounterId is not null) w.Reference("encounter", "Encounter/" + encounterId);
        w.MainDateTime("onsetDateTime", onset);
        w.Json.WriteString("recordedDate", ResourceWriter.DateTime(onset));
    }

    private static void WritePatient(ResourceWriter w, Random r, int patientIndex, DateTimeOffset birth, DateTimeOffset? deceased)
    {
        var female = r.Next(2) == 0;
        var race = SharedResources.Pick(r, DemoCodeTable.Races);
        var ethnicity = SharedResources.Pick(r, DemoCodeTable.Ethnicities);
        var json = w.Json;
        json.WriteStartArray("extension");
        WriteOmbExtension(w, "us-core-race", race);
        WriteOmbExtension(w, "us-core-ethnicity", ethnicity);
        json.WriteStartObject();
        json.WriteString("url", "http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex");
        json.WriteString("valueCode", female ? "F" : "M");
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteStartArray("identifier");
        json.WriteStartObject();
        json.WriteStartObject("type");
        json.WriteStartArray("coding");
        json.WriteStartObject();
        json.WriteString("system", "http://terminology.hl7.org/CodeSystem/v2-0203");
        json.WriteString("code", "MR");
        json.WriteString("display", "Medical Record Number");
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteString("system", "http://hospital.example.org/mrn");
        json.WriteString("value", $"MRN{patientIndex + 1:D8}");
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteBoolean("active", true);
        w.HumanName(SharedResources.Pick(r, DemoNames.Family), SharedResources.Pick(r, female ? DemoNames.GivenFemale : DemoNames.GivenMale));
        json.WriteStartArray("telecom");
        json.WriteStartObject();
        json.WriteString("system", "phone");
        json.WriteString("value", SharedResources.Phone(r));
        json.WriteString("use", "home");
        json.WriteEndObject();
        json.WriteStartObject();
        json.WriteString("system", "email");
        json.WriteString("value", $"patient{patientIndex + 1}@example.com");
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteString("gender", female ? "female" : "male");
        json.WriteString("birthDate", ResourceWriter.Date(birth));
        if (deceased is { } died) json.WriteString("deceasedDateTime", ResourceWriter.DateTime(died));
        else json.WriteBoolean("deceasedBoolean", false);
        var city = SharedResources.Pick(r, DemoNames.Cities);
        w.Address($"{r.Next(1, 9999)} {SharedResources.Pick(r, DemoNames.Streets)}", city.City, city.State, city.Zip3 + r.Next(10, 99));
        json.WriteStartArray("communication");
        json.WriteStartObject();
        w.CodeableConcept("language", new DemoCode("urn:ietf:bcp:47", "en-US", "English (United States)"));
        json.WriteEndObject();
        json.WriteEndArray();
    }

    private static void WriteOmbExtension(ResourceWriter w, string name, DemoCode code)
    {
        var json = w.Json;
        json.WriteStartObject();
        json.WriteString("url", "http://hl7.org/fhir/us/core/StructureDefinition/" + name);
        json.WriteStartArray("extension");
        json.WriteStartObject();
        json.WriteString("url", "ombCategory");
        json.WriteStartObject("valueCoding");
        json.WriteString("system", code.System);
        json.WriteString("code", code.Code);
        json.WriteString("display", code.Display);
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteStartObject();
        json.WriteString("url", "text");
        json.WriteString("valueString", code.Display);
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
    }
}
