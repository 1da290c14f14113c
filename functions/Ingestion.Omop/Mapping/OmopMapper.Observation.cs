using Ingestion.Fhir.Json;
using System.Globalization;
using System.Text.Json;

namespace Ingestion.Omop;

// Observation → measurement or observation, by domain; components (blood pressure) become one row each.
public sealed partial class OmopMapper
{
    private MappingOutcome MapObservation(in ObservationMembers observation, MappedRows rows, MappingReport report)
    {
        var start = FhirJson.StringElement(observation.EffectiveDateTime)
            ?? FhirJson.StringElement(observation.EffectiveInstant) ?? FhirJson.StringElement(FhirJson.Object(observation.EffectivePeriod), "start"u8) ?? FhirJson.StringElement(observation.Issued) ?? default(ResourceElement);
        if (!TryEventBase(rows, "Observation", observation.Event, observation.Event.Subject, start, default, _options.EhrTypeConceptId, out var facts, out var reason))
            return MappingOutcome.Quarantine(reason!);
        facts = facts with { ProviderId = Provider(rows, FhirJson.First(observation.Performer)) };
        var defaultTable = rows.Categories.TableOf(FhirJson.Array(observation.Category), DefaultTableOfCategories);

        var emitted = 0;
        var components = FhirJson.Array(observation.Component);
        var componentCount = components.ValueKind == JsonValueKind.Array ? components.GetArrayLength() : 0;
        // The panel row itself only when it carries a value of its own (a BP panel does not; its components do).
        if (componentCount == 0 || HasValue(observation.Value))
        {
            var code = _concepts.Resolve(FhirJson.Object(observation.Value.Code), rows.Codings);
            emitted += EmitCoded(code, facts, ValueOf(observation.Value, rows, report), defaultTable, rows, report);
        }
        for (var i = 0; i < componentCount; i++)
        {
            var component = JsonMembers.Read<ObservedValue>(components[i]);
            var value = ValueOf(component, rows, report);
            var code = _concepts.Resolve(FhirJson.Object(component.Code), rows.Codings);
            var componentFacts = facts with { Key = facts.Key with { Component = i } };
            emitted += EmitCoded(code, componentFacts, value, defaultTable, rows, report);
        }
        if (IsCauseOfDeath(observation.Value)) emitted += EmitDeathCause(observation.Value, facts, rows);
        return MappingOutcome.Mapped(emitted);
    }

    /// <summary>Where an Observation goes when its code does not map: lab, vitals and exams to measurement, the rest
    /// (social history, surveys, ...) to observation.</summary>
    private static OmopTable DefaultObservationTable(ResourceElement categories)
    {
        if (categories.ValueKind != JsonValueKind.Array) return CdmTables.Observation;
        foreach (var category in categories.EnumerateArray())
        {
            var codings = FhirJson.Array(category, "coding"u8);
            if (codings.ValueKind != JsonValueKind.Array) continue;
            foreach (var coding in codings.EnumerateArray())
            {
                if (coding.ValueKind == JsonValueKind.Object && coding.TryGetProperty("code"u8, out var code)
                    && code.ValueKind == JsonValueKind.String && IsMeasurementCategory(code))
                    return CdmTables.Measurement;
            }
        }
        return CdmTables.Observation;
    }

    // Cached once: a method group converted per resource would allocate a delegate each time.
    private static readonly Func<ResourceElement, OmopTable> DefaultTableOfCategories = DefaultObservationTable;

    /// <summary>Observation categories whose unmapped codes go to measurement (compared as UTF-8, no string made).</summary>
    private static bool IsMeasurementCategory(ResourceElement code) =>
        code.ValueEquals("laboratory"u8) || code.ValueEquals("vital-signs"u8) || code.ValueEquals("imaging"u8)
        || code.ValueEquals("procedure"u8) || code.ValueEquals("exam"u8);

    private static bool HasValue(in ObservedValue observed) =>
        FhirJson.IsDefined(FhirJson.Object(observed.ValueQuantity)) || FhirJson.IsDefined(FhirJson.Object(observed.ValueCodeableConcept))
        || FhirJson.Number(observed.ValueInteger) is not null;

    /// <summary>value[x], unit and reference range of an Observation or one of its components. Free-text values
    /// (valueString) are not carried: output never holds free text.</summary>
    private EventValue ValueOf(in ObservedValue observed, MappedRows rows, MappingReport report)
    {
        if (FhirJson.IsDefined(FhirJson.Object(observed.ValueQuantity)))
        {
            var quantity = JsonMembers.Read<QuantityMembers>(observed.ValueQuantity);
            var value = FhirJson.Number(quantity.Value);
            // The unit: the quantity's code, else its unit text, in its system (UCUM when none).
            var unit = rows.Codings.Resolve(quantity.System, quantity.Code.ValueKind == JsonValueKind.String ? quantity.Code : quantity.Unit,
                _concepts, FhirCodeSystems.Ucum);
            var range = FhirJson.First(observed.ReferenceRange);
            return new EventValue
            {
                ValueAsNumber = value,
                OperatorConceptId = MeasValueOperator.ConceptOf(FhirJson.String(quantity.Comparator)),
                ValueSourceValue = value is { } number ? RoundTripNumber.Text(quantity.Value, number) : null,
                UnitConceptId = unit.Code is null ? null : ConceptResolver.FirstStandardId(unit),
                UnitSourceValue = unit.Code is null ? null : unit.SourceValue,
                UnitSourceConceptId = unit.Code is null ? null : unit.SourceConceptId,
                RangeLow = FhirJson.Number(FhirJson.Object(range, "low"u8), "value"u8),
                RangeHigh = FhirJson.Number(FhirJson.Object(range, "high"u8), "value"u8),
            };
        }
        var coded = FhirJson.Object(observed.ValueCodeableConcept);
        if (FhirJson.IsDefined(coded))
        {
            var value = _concepts.Resolve(coded, rows.Codings);
            if (value.Code is not null) report.RecordSourceVocabulary(value.ReportVocabulary);
            return new EventValue { ValueAsConceptId = ConceptResolver.FirstStandardId(value), ValueSourceValue = value.SourceValue };
        }
        if (FhirJson.Number(observed.ValueInteger) is { } integer)
            return new EventValue { ValueAsNumber = integer, ValueSourceValue = integer.ToString("R", CultureInfo.InvariantCulture) };
        return EventValue.None;
    }

    /// <summary>LOINC 69453-9 "Cause of death [US Standard Certificate of Death]" (Synthea's death certificate, the
    /// OHDSI convention for death.cause_concept_id), also kept as an observation row.</summary>
    private static bool IsCauseOfDeath(in ObservedValue observation) =>
        ResourceStatusRules.HasCoding(FhirJson.Object(observation.Code), "69453-9"u8);

    /// <summary>A death row carrying the cause: the Patient's death row (date, no cause) and this one share the
    /// person_id key and are merged into one at fan-in (<see cref="DeathRecordMerger"/>).</summary>
    private int EmitDeathCause(in ObservedValue observation, in ClinicalEvent facts, MappedRows rows)
    {
        var cause = _concepts.Resolve(FhirJson.Object(observation.ValueCodeableConcept), rows.Codings);
        var causeConcept = cause.Code is null ? (int?)null : ConceptResolver.FirstStandardId(cause);
        rows.Add(CdmTables.Death, conceptMapped: causeConcept is not null and not 0)
            .Put(facts.PersonId).Put(facts.StartDate).Put(facts.StartDateTime).Put(_options.EhrTypeConceptId).Put(causeConcept).Put(cause.SourceValue)
            .Put(cause.Code is null ? null : cause.SourceConceptId);
        return 1;
    }
}
