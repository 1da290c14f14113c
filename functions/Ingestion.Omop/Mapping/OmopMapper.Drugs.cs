using Ingestion.Fhir.Json;
using System.Text.Json;

namespace Ingestion.Omop;

// MedicationRequest / MedicationStatement / MedicationAdministration / Immunization → drug_exposure (by domain).
public sealed partial class OmopMapper
{
    private MappingOutcome MapMedication(string type, in MedicationMembers medication, MappedRows rows, MappingReport report)
    {
        ResourceElement start, end;
        int typeConcept;
        long? provider;
        ResourceElement dosage;
        double? quantity = null;
        int? daysSupply = null, refills = null;
        switch (type)
        {
            case "MedicationRequest":
                var dispense = FhirJson.Object(medication.DispenseRequest);
                start = FhirJson.StringElement(medication.AuthoredOn)
                    ?? FhirJson.StringElement(FhirJson.Object(dispense, "validityPeriod"u8), "start"u8) ?? default(ResourceElement);
                // validityPeriod is how long the prescription may be filled, not how long the drug is taken: the
                // end comes from the supply below.
                end = default;
                typeConcept = _options.PrescriptionTypeConceptId;
                provider = Provider(rows, FhirJson.Object(medication.Requester));
                dosage = FhirJson.First(medication.DosageInstruction);
                quantity = FhirJson.Number(FhirJson.Object(dispense, "quantity"u8), "value"u8);
                var supply = FhirJson.Object(dispense, "expectedSupplyDuration"u8);
                if (FhirJson.StringEquals(supply, "code"u8, "d"u8) && FhirJson.Number(supply, "value"u8) is { } days) daysSupply = (int)Math.Round(days);
                if (FhirJson.Number(dispense, "numberOfRepeatsAllowed"u8) is { } repeats) refills = (int)repeats;
                break;
            case "MedicationStatement":
                var statementPeriod = FhirJson.Object(medication.EffectivePeriod);
                start = FhirJson.StringElement(medication.EffectiveDateTime)
                    ?? FhirJson.StringElement(statementPeriod, "start"u8) ?? FhirJson.StringElement(medication.DateAsserted) ?? default(ResourceElement);
                end = FhirJson.Member(statementPeriod, "end"u8);
                typeConcept = _options.SelfReportTypeConceptId;
                provider = null;
                dosage = FhirJson.First(medication.Dosage);
                break;
            default: // MedicationAdministration
                var administrationPeriod = FhirJson.Object(medication.EffectivePeriod);
                start = FhirJson.StringElement(medication.EffectiveDateTime)
                    ?? FhirJson.StringElement(administrationPeriod, "start"u8) ?? default(ResourceElement);
                end = FhirJson.Member(administrationPeriod, "end"u8);
                typeConcept = _options.AdministrationTypeConceptId;
                provider = Provider(rows, FhirJson.Object(FhirJson.First(medication.Performer), "actor"u8));
                dosage = FhirJson.Object(medication.Dosage);
                break;
        }
        if (!TryEventBase(rows, type, medication.Event, medication.Event.Subject, start, end, typeConcept, out var facts, out var reason))
            return MappingOutcome.Quarantine(reason!);
        var route = _concepts.Resolve(FhirJson.Object(dosage, "route"u8), rows.Codings);
        if (type == "MedicationRequest")
        {
            // OHDSI convention: end = start + days supply - 1 day; without a supply, the start date (a one-day exposure).
            // A supply reaching past the export ends at the export's date (days_supply keeps the full supply).
            var days = daysSupply is > 0 ? daysSupply.Value - 1 : 0;
            var capped = rows.LatestDate is { } latest && facts.StartDate.AddDays(days) > latest;
            if (capped) days = Math.Max(0, rows.LatestDate!.Value.DayNumber - facts.StartDate.DayNumber);
            facts = facts with
            {
                EndDate = facts.StartDate.AddDays(days),
                EndDateTime = capped ? null : facts.StartDateTime?.AddDays(days), // capped: the time of day is not known
                VerbatimEndDate = null,
            };
        }
        facts = facts with
        {
            ProviderId = provider,
            Quantity = quantity,
            DaysSupply = daysSupply,
            Refills = refills,
            RouteConceptId = route.Code is null ? null : ConceptResolver.FirstStandardId(route),
            RouteSourceValue = route.SourceValue,
        };
        // medicationReference points at a Medication in another file: the drug stays concept 0 and is counted unmapped.
        return MappingOutcome.Mapped(EmitCoded(_concepts.Resolve(FhirJson.Object(medication.MedicationCodeableConcept), rows.Codings), facts,
            CdmTables.DrugExposure, rows, report));
    }

    private MappingOutcome MapImmunization(in ImmunizationMembers immunization, MappedRows rows, MappingReport report)
    {
        var start = FhirJson.StringElement(immunization.OccurrenceDateTime)
            ?? FhirJson.StringElement(immunization.Recorded) ?? default(ResourceElement);
        if (!TryEventBase(rows, "Immunization", immunization.Event, immunization.Event.Patient, start, default, _options.AdministrationTypeConceptId, out var facts, out var reason))
            return MappingOutcome.Quarantine(reason!);
        var route = _concepts.Resolve(FhirJson.Object(immunization.Route), rows.Codings);
        facts = facts with
        {
            ProviderId = Provider(rows, FhirJson.Object(FhirJson.First(immunization.Performer), "actor"u8)),
            Quantity = FhirJson.Number(FhirJson.Object(immunization.DoseQuantity), "value"u8),
            RouteConceptId = route.Code is null ? null : ConceptResolver.FirstStandardId(route),
            RouteSourceValue = route.SourceValue,
        };
        return MappingOutcome.Mapped(EmitCoded(_concepts.Resolve(FhirJson.Object(immunization.VaccineCode), rows.Codings), facts, CdmTables.DrugExposure, rows, report));
    }
}
