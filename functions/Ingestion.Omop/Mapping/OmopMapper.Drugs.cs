using System.Text.Json;

namespace Ingestion.Omop;

// MedicationRequest / MedicationStatement / MedicationAdministration / Immunization → drug_exposure (by domain).
public sealed partial class OmopMapper
{
    private MappingOutcome MapMedication(string type, JsonElement resource, BufferedRows rows, MappingReport report)
    {
        if (FhirJson.String(resource, "status") == "not-taken" || FhirJson.String(resource, "status") == "not-done")
            return MappingOutcome.Quarantine(QuarantineReasons.NotDone);
        string? start, end;
        int typeConcept;
        long? provider;
        JsonElement dosage;
        double? quantity = null;
        int? daysSupply = null, refills = null;
        switch (type)
        {
            case "MedicationRequest":
                var dispense = FhirJson.Object(resource, "dispenseRequest");
                start = FhirJson.String(resource, "authoredOn") ?? FhirJson.String(FhirJson.Object(dispense, "validityPeriod"), "start");
                end = FhirJson.String(FhirJson.Object(dispense, "validityPeriod"), "end");
                typeConcept = _options.PrescriptionTypeConceptId;
                provider = Provider(FhirJson.Object(resource, "requester"));
                dosage = FhirJson.First(resource, "dosageInstruction");
                quantity = FhirJson.Number(FhirJson.Object(dispense, "quantity"), "value");
                var supply = FhirJson.Object(dispense, "expectedSupplyDuration");
                if (FhirJson.String(supply, "code") == "d" && FhirJson.Number(supply, "value") is { } days) daysSupply = (int)Math.Round(days);
                if (FhirJson.Number(dispense, "numberOfRepeatsAllowed") is { } repeats) refills = (int)repeats;
                break;
            case "MedicationStatement":
                var statementPeriod = FhirJson.Object(resource, "effectivePeriod");
                start = FhirJson.String(resource, "effectiveDateTime") ?? FhirJson.String(statementPeriod, "start") ?? FhirJson.String(resource, "dateAsserted");
                end = FhirJson.String(statementPeriod, "end");
                typeConcept = _options.SelfReportTypeConceptId;
                provider = null;
                dosage = FhirJson.First(resource, "dosage");
                break;
            default: // MedicationAdministration
                var administrationPeriod = FhirJson.Object(resource, "effectivePeriod");
                start = FhirJson.String(resource, "effectiveDateTime") ?? FhirJson.String(administrationPeriod, "start");
                end = FhirJson.String(administrationPeriod, "end");
                typeConcept = _options.AdministrationTypeConceptId;
                provider = Provider(FhirJson.Object(FhirJson.First(resource, "performer"), "actor"));
                dosage = FhirJson.Object(resource, "dosage");
                break;
        }
        if (!TryEventBase(type, resource, "subject", start, end, typeConcept, out var facts, out var reason))
            return MappingOutcome.Quarantine(reason!);
        var route = _concepts.Resolve(FhirJson.Object(dosage, "route"));
        facts = facts with
        {
            ProviderId = provider,
            Quantity = quantity,
            DaysSupply = daysSupply,
            Refills = refills,
            RouteConceptId = route.Code is null ? null : _concepts.FirstStandardId(route),
            RouteSourceValue = route.SourceValue,
        };
        // medicationReference points at a Medication in another file: the drug stays concept 0 and is counted unmapped.
        return MappingOutcome.Mapped(EmitCoded(_concepts.Resolve(FhirJson.Object(resource, "medicationCodeableConcept")), facts,
            CdmTables.DrugExposure, rows, report));
    }

    private MappingOutcome MapImmunization(JsonElement resource, BufferedRows rows, MappingReport report)
    {
        if (FhirJson.String(resource, "status") == "not-done") return MappingOutcome.Quarantine(QuarantineReasons.NotDone);
        var start = FhirJson.String(resource, "occurrenceDateTime") ?? FhirJson.String(resource, "recorded");
        if (!TryEventBase("Immunization", resource, "patient", start, null, _options.AdministrationTypeConceptId, out var facts, out var reason))
            return MappingOutcome.Quarantine(reason!);
        var route = _concepts.Resolve(FhirJson.Object(resource, "route"));
        facts = facts with
        {
            ProviderId = Provider(FhirJson.Object(FhirJson.First(resource, "performer"), "actor")),
            Quantity = FhirJson.Number(FhirJson.Object(resource, "doseQuantity"), "value"),
            RouteConceptId = route.Code is null ? null : _concepts.FirstStandardId(route),
            RouteSourceValue = route.SourceValue,
        };
        return MappingOutcome.Mapped(EmitCoded(_concepts.Resolve(FhirJson.Object(resource, "vaccineCode")), facts, CdmTables.DrugExposure, rows, report));
    }
}
