using Ingestion.Fhir.Json;
using System.Text.Json;

namespace Ingestion.Omop;

// Condition, Procedure, AllergyIntolerance, Device and DeviceUseStatement: one coded event each.
public sealed partial class OmopMapper
{
    private MappingOutcome MapCondition(in ConditionMembers condition, MappedRows rows, MappingReport report)
    {
        var start = FhirJson.StringElement(condition.OnsetDateTime)
            ?? FhirJson.StringElement(FhirJson.Object(condition.OnsetPeriod), "start"u8) ?? FhirJson.StringElement(condition.RecordedDate) ?? default(ResourceElement);
        var end = FhirJson.StringElement(condition.AbatementDateTime)
            ?? FhirJson.StringElement(FhirJson.Object(condition.AbatementPeriod), "end"u8) ?? default(ResourceElement);
        var provider = Provider(rows, FhirJson.Object(condition.Asserter)) ?? Provider(rows, FhirJson.Object(condition.Recorder));
        var (typeConcept, category) = ConditionCategory(FhirJson.Array(condition.Category));
        if (!TryEventBase(rows, "Condition", condition.Event, condition.Event.Subject, start, end, typeConcept, out var facts, out var reason))
            return MappingOutcome.Quarantine(reason!);
        facts = facts with { ProviderId = provider, StatusConceptId = ConditionStatus(FhirJson.Object(condition.Header.VerificationStatus)), StatusSourceValue = category };
        return MappingOutcome.Mapped(EmitCoded(_concepts.Resolve(FhirJson.Object(condition.Code), rows.Codings), facts, CdmTables.ConditionOccurrence, rows, report));
    }

    /// <summary>Condition.category → condition_type_concept_id (problem list 32840, encounter diagnosis 32827, else
    /// EHR 32817) and the category code kept as condition_status_source_value.</summary>
    private (int TypeConceptId, string? Category) ConditionCategory(ResourceElement categories)
    {
        if (categories.ValueKind == JsonValueKind.Array)
        {
            foreach (var category in categories.EnumerateArray())
            {
                if (ResourceStatusRules.HasCoding(category, "problem-list-item"u8)) return (_options.ProblemListTypeConceptId, "problem-list-item");
                if (ResourceStatusRules.HasCoding(category, "encounter-diagnosis"u8)) return (_options.EncounterDiagnosisTypeConceptId, "encounter-diagnosis");
            }
        }
        return (_options.EhrTypeConceptId, null);
    }

    /// <summary>Condition.verificationStatus → condition_status_concept_id: provisional/differential 32899
    /// "Preliminary diagnosis", confirmed 32893 "Confirmed diagnosis", else none (refuted and entered-in-error never
    /// get here: <see cref="ResourceStatusRules"/>).</summary>
    private static int? ConditionStatus(ResourceElement verification)
    {
        if (ResourceStatusRules.HasCoding(verification, "provisional"u8) || ResourceStatusRules.HasCoding(verification, "differential"u8)) return FixedConcepts.PreliminaryDiagnosis;
        if (ResourceStatusRules.HasCoding(verification, "confirmed"u8)) return FixedConcepts.ConfirmedDiagnosis;
        return null;
    }

    private MappingOutcome MapProcedure(in ProcedureMembers procedure, MappedRows rows, MappingReport report)
    {
        var period = FhirJson.Object(procedure.PerformedPeriod);
        var start = FhirJson.StringElement(procedure.PerformedDateTime) ?? FhirJson.StringElement(period, "start"u8) ?? default(ResourceElement);
        var end = FhirJson.Member(period, "end"u8);
        var provider = Provider(rows, FhirJson.Object(FhirJson.First(procedure.Performer), "actor"u8));
        if (!TryEventBase(rows, "Procedure", procedure.Event, procedure.Event.Subject, start, end, _options.EhrTypeConceptId, out var facts, out var reason))
            return MappingOutcome.Quarantine(reason!);
        facts = facts with { ProviderId = provider };
        return MappingOutcome.Mapped(EmitCoded(_concepts.Resolve(FhirJson.Object(procedure.Code), rows.Codings), facts, CdmTables.ProcedureOccurrence, rows, report));
    }

    private MappingOutcome MapAllergy(ResourceElement resource, MappedRows rows, MappingReport report)
    {
        var start = FhirJson.StringElement(resource, "onsetDateTime"u8) ?? FhirJson.StringElement(resource, "recordedDate"u8) ?? default(ResourceElement);
        var provider = Provider(rows, FhirJson.Object(resource, "asserter"u8)) ?? Provider(rows, FhirJson.Object(resource, "recorder"u8));
        return MapEvent("AllergyIntolerance", resource, "patient"u8, start, default, provider, FhirJson.Object(resource, "code"u8),
            CdmTables.Observation, _options.EhrTypeConceptId, rows, report);
    }

    private MappingOutcome MapDevice(ResourceElement resource, MappedRows rows, MappingReport report) =>
        // A FHIR Device has no use period; Synthea (and most EHR exports of implants) set manufactureDate to the implant date.
        MapEvent("Device", resource, "patient"u8, FhirJson.Member(resource, "manufactureDate"u8), default, null, FhirJson.Object(resource, "type"u8),
            CdmTables.DeviceExposure, _options.EhrTypeConceptId, rows, report);

    private MappingOutcome MapDeviceUse(ResourceElement resource, MappedRows rows, MappingReport report)
    {
        var period = FhirJson.Object(resource, "timingPeriod"u8);
        var start = FhirJson.StringElement(resource, "timingDateTime"u8) ?? FhirJson.StringElement(period, "start"u8)
            ?? FhirJson.StringElement(resource, "recordedOn"u8) ?? default(ResourceElement);
        // The device's code lives on the referenced Device (another file): concept 0 here, counted as unmapped.
        return MapEvent("DeviceUseStatement", resource, "subject"u8, start, FhirJson.Member(period, "end"u8), null, default,
            CdmTables.DeviceExposure, _options.EhrTypeConceptId, rows, report);
    }

    /// <summary>The common path: patient, dates, visit, then <see cref="EmitCoded"/>.</summary>
    private MappingOutcome MapEvent(string type, ResourceElement resource, ReadOnlySpan<byte> subjectProperty, ResourceElement start, ResourceElement end, long? provider,
        ResourceElement code, OmopTable defaultTable, int typeConceptId, MappedRows rows, MappingReport report)
    {
        if (!TryEventBase(rows, type, resource, subjectProperty, start, end, typeConceptId, out var facts, out var reason))
            return MappingOutcome.Quarantine(reason!);
        facts = facts with { ProviderId = provider };
        return MappingOutcome.Mapped(EmitCoded(_concepts.Resolve(code, rows.Codings), facts, defaultTable, rows, report));
    }

    private bool TryEventBase(MappedRows rows, string type, ResourceElement resource, ReadOnlySpan<byte> subjectProperty, ResourceElement start, ResourceElement end, int typeConceptId,
        out ClinicalEvent facts, out string? reason)
    {
        var members = JsonMembers.Read<EventMembers>(resource);
        return TryEventBase(rows, type, members, members.SubjectNamed(subjectProperty), start, end, typeConceptId, out facts, out reason);
    }

    /// <summary>The patient, dates, key and visit of an event whose members are already read.</summary>
    private bool TryEventBase(MappedRows rows, string type, in EventMembers members, ResourceElement subject, ResourceElement start, ResourceElement end, int typeConceptId,
        out ClinicalEvent facts, out string? reason)
    {
        facts = default;
        var patient = PatientOf(rows, FhirJson.Object(subject), out reason);
        if (patient is null) return false;
        if (start.ValueKind != JsonValueKind.String)
        {
            reason = QuarantineReasons.MissingDate;
            return false;
        }
        if (!TryShift(rows, patient, start, out var startDate, out var startDateTime))
        {
            reason = QuarantineReasons.InvalidDate;
            return false;
        }
        DateOnly? endDate = null;
        DateTime? endDateTime = null;
        if (end.ValueKind == JsonValueKind.String)
        {
            if (!TryShift(rows, patient, end, out var e, out endDateTime))
            {
                reason = QuarantineReasons.InvalidDate;
                return false;
            }
            endDate = e;
        }
        facts = new ClinicalEvent
        {
            Key = new EventKeySource(type, members.Id),
            PersonId = rows.References.Key(Ingestion.Privacy.OmopKeyDomain.Person, patient, _deidentifier),
            StartDate = startDate,
            StartDateTime = startDateTime,
            EndDate = endDate,
            EndDateTime = endDateTime,
            VerbatimEndDate = endDate,
            TypeConceptId = typeConceptId,
            VisitId = Visit(rows, members),
        };
        return true;
    }
}
