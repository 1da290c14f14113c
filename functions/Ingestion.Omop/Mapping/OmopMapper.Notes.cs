using Ingestion.Fhir.Json;
using System.Text.Json;
using Ingestion.Privacy;

namespace Ingestion.Omop;

// DocumentReference → note, as metadata only: no free text ever leaves (docs/privacy.md).
public sealed partial class OmopMapper
{
    private MappingOutcome MapDocumentReference(ResourceElement resource, MappedRows rows)
    {
        var context = FhirJson.Object(resource, "context"u8);
        var date = FhirJson.StringElement(resource, "date"u8)
            ?? FhirJson.StringElement(FhirJson.Object(context, "period"u8), "start"u8) ?? default(ResourceElement);
        if (!TryDatedFact(rows, FhirJson.Object(resource, "subject"u8), date, out _, out var personId, out var day, out var dateTime, out var reason))
            return MappingOutcome.Quarantine(reason!);
        var type = _concepts.Resolve(FhirJson.Object(resource, "type"u8), rows.Codings);
        var noteClass = ConceptResolver.FirstStandardId(type);
        rows.Add(CdmTables.Note, conceptMapped: noteClass != 0)
            .Put(KeyOf(OmopKeyDomain.Note, "DocumentReference", FhirJson.Member(resource, "id"u8))).Put(personId).Put(day).Put(dateTime)
            .Put(_options.EhrTypeConceptId).Put(noteClass)
            .Null() // note_title: free text (a description may name the patient)
            .Put(string.Empty) // note_text: required by the CDM, never filled: the content is free text and does not leave
            .Put(0).Put(0) // encoding and language describe the text, which is absent
            .Put(Provider(rows, FhirJson.First(resource, "author"u8)))
            .Put(ReferenceKey(rows, OmopKeyDomain.VisitOccurrence, FhirJson.First(context, "encounter"u8), "Encounter"))
            .Null().Put(type.SourceValue);
        rows.ObservePersonDate(personId, day);
        return MappingOutcome.Mapped(1);
    }
}
