using Ingestion.Fhir.Json;
using System.Text.Json;
using Ingestion.Privacy;

namespace Ingestion.Omop;

// Specimen → specimen.
public sealed partial class OmopMapper
{
    private MappingOutcome MapSpecimen(ResourceElement resource, MappedRows rows)
    {
        var collection = FhirJson.Object(resource, "collection"u8);
        var date = FhirJson.StringElement(collection, "collectedDateTime"u8) ?? FhirJson.StringElement(FhirJson.Object(collection, "collectedPeriod"u8), "start"u8)
            ?? FhirJson.StringElement(resource, "receivedTime"u8) ?? default(ResourceElement);
        if (!TryDatedFact(rows, FhirJson.Object(resource, "subject"u8), date, out _, out var personId, out var day, out var dateTime, out var reason))
            return MappingOutcome.Quarantine(reason!);
        var type = _concepts.Resolve(FhirJson.Object(resource, "type"u8), rows.Codings);
        var site = _concepts.Resolve(FhirJson.Object(collection, "bodySite"u8), rows.Codings);
        var quantity = FhirJson.Object(collection, "quantity"u8);
        var unit = FhirJson.IsDefined(quantity)
            ? _concepts.Resolve(FhirJson.String(quantity, "system"u8) ?? FhirCodeSystems.Ucum, FhirJson.String(quantity, "code"u8) ?? FhirJson.String(quantity, "unit"u8))
            : SourceCode.None;
        var concept = ConceptResolver.FirstStandardId(type);
        rows.Add(CdmTables.Specimen, conceptMapped: concept != 0)
            .Put(_deidentifier.PseudonymousId(OmopKeyDomain.Specimen, "Specimen/" + FhirJson.String(resource, "id"u8))).Put(personId).Put(concept)
            .Put(_options.EhrTypeConceptId).Put(day).Put(dateTime).Put(FhirJson.Number(quantity, "value"u8))
            .Put(unit.Code is null ? null : ConceptResolver.FirstStandardId(unit))
            .Put(site.Code is null ? null : ConceptResolver.FirstStandardId(site))
            .Null()
            .Null() // specimen_source_id: the accession number is an identifier; the pseudonymous specimen_id links rows
            .Put(type.SourceValue).Put(unit.SourceValue).Put(site.SourceValue);
        rows.ObservePersonDate(personId, day);
        return MappingOutcome.Mapped(1);
    }

    /// <summary>The person and shifted date of a resource that is one dated fact (specimen, note, claim), or the
    /// quarantine reason.</summary>
    private bool TryDatedFact(MappedRows rows, ResourceElement subject, ResourceElement date, out string? patient, out long personId,
        out DateOnly day, out DateTime? dateTime, out string? reason)
    {
        personId = 0;
        day = default;
        dateTime = null;
        patient = PatientOf(rows, subject, out reason);
        if (patient is null) return false;
        if (date.ValueKind != JsonValueKind.String)
        {
            reason = QuarantineReasons.MissingDate;
            return false;
        }
        if (!TryShift(rows, patient, date, out day, out dateTime))
        {
            reason = QuarantineReasons.InvalidDate;
            return false;
        }
        personId = rows.References.Key(OmopKeyDomain.Person, patient, _deidentifier);
        return true;
    }
}
