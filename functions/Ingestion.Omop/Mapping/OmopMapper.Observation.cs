using System.Globalization;
using System.Text.Json;

namespace Ingestion.Omop;

// Observation → measurement or observation, by domain; components (blood pressure) become one row each.
public sealed partial class OmopMapper
{
    private static readonly HashSet<string> MeasurementCategories = new(StringComparer.Ordinal)
    {
        "laboratory", "vital-signs", "imaging", "procedure", "exam",
    };

    private MappingOutcome MapObservation(JsonElement resource, BufferedRows rows, MappingReport report)
    {
        var period = FhirJson.Object(resource, "effectivePeriod");
        var start = FhirJson.String(resource, "effectiveDateTime") ?? FhirJson.String(resource, "effectiveInstant")
            ?? FhirJson.String(period, "start") ?? FhirJson.String(resource, "issued");
        if (!TryEventBase("Observation", resource, "subject", start, null, _options.EhrTypeConceptId, out var facts, out var reason))
            return MappingOutcome.Quarantine(reason!);
        facts = facts with { ProviderId = Provider(FhirJson.First(resource, "performer")) };
        var defaultTable = DefaultObservationTable(resource);

        var emitted = 0;
        var components = FhirJson.Array(resource, "component");
        var componentCount = components.ValueKind == JsonValueKind.Array ? components.GetArrayLength() : 0;
        // The panel row itself only when it carries a value of its own (a BP panel does not; its components do).
        if (componentCount == 0 || HasValue(resource))
            emitted += EmitCoded(_concepts.Resolve(FhirJson.Object(resource, "code")), WithValue(facts, resource, report), defaultTable, rows, report);
        for (var i = 0; i < componentCount; i++)
        {
            var component = components[i];
            var componentFacts = WithValue(facts, component, report) with
            {
                KeySource = facts.KeySource + "#component/" + i.ToString(CultureInfo.InvariantCulture),
            };
            emitted += EmitCoded(_concepts.Resolve(FhirJson.Object(component, "code")), componentFacts, defaultTable, rows, report);
        }
        return MappingOutcome.Mapped(emitted);
    }

    /// <summary>Where an Observation goes when its code does not map: lab, vitals and exams to measurement, the rest
    /// (social history, surveys, ...) to observation.</summary>
    private static OmopTable DefaultObservationTable(JsonElement resource)
    {
        var categories = FhirJson.Array(resource, "category");
        if (categories.ValueKind != JsonValueKind.Array) return CdmTables.Observation;
        foreach (var category in categories.EnumerateArray())
        {
            var codings = FhirJson.Array(category, "coding");
            if (codings.ValueKind != JsonValueKind.Array) continue;
            foreach (var coding in codings.EnumerateArray())
            {
                var code = FhirJson.String(coding, "code");
                if (code is not null && MeasurementCategories.Contains(code)) return CdmTables.Measurement;
            }
        }
        return CdmTables.Observation;
    }

    private static bool HasValue(JsonElement element) =>
        FhirJson.IsDefined(FhirJson.Object(element, "valueQuantity")) || FhirJson.IsDefined(FhirJson.Object(element, "valueCodeableConcept"))
        || FhirJson.Number(element, "valueInteger") is not null;

    /// <summary>value[x], unit and reference range of an Observation or one of its components. Free-text values
    /// (valueString) are not carried: output never holds free text.</summary>
    private ClinicalEvent WithValue(ClinicalEvent facts, JsonElement element, MappingReport report)
    {
        var quantity = FhirJson.Object(element, "valueQuantity");
        if (FhirJson.IsDefined(quantity))
        {
            var value = FhirJson.Number(quantity, "value");
            var unit = _concepts.Resolve(FhirJson.String(quantity, "system") ?? FhirCodeSystems.Ucum,
                FhirJson.String(quantity, "code") ?? FhirJson.String(quantity, "unit"));
            var range = FhirJson.First(element, "referenceRange");
            facts = facts with
            {
                ValueAsNumber = value,
                ValueSourceValue = value?.ToString("R", CultureInfo.InvariantCulture),
                UnitConceptId = unit.Code is null ? null : _concepts.FirstStandardId(unit),
                UnitSourceValue = unit.Code is null ? null : unit.SourceValue,
                UnitSourceConceptId = unit.Code is null ? null : unit.SourceConceptId,
                RangeLow = FhirJson.Number(FhirJson.Object(range, "low"), "value"),
                RangeHigh = FhirJson.Number(FhirJson.Object(range, "high"), "value"),
            };
            return facts;
        }
        var coded = FhirJson.Object(element, "valueCodeableConcept");
        if (FhirJson.IsDefined(coded))
        {
            var value = _concepts.Resolve(coded);
            if (value.Code is not null) report.RecordSourceVocabulary(value.ReportVocabulary);
            return facts with { ValueAsConceptId = _concepts.FirstStandardId(value), ValueSourceValue = value.SourceValue };
        }
        if (FhirJson.Number(element, "valueInteger") is { } integer)
            return facts with { ValueAsNumber = integer, ValueSourceValue = integer.ToString("R", CultureInfo.InvariantCulture) };
        return facts;
    }
}
