using Ingestion.Fhir.Json;
using System.Text.Json;
using Ingestion.Privacy;

namespace Ingestion.Omop;

// Patient → person (+ location, death); Encounter → visit_occurrence; Practitioner → provider;
// Organization → care_site (+ location); Location → location.
public sealed partial class OmopMapper
{
    private const string UsCoreRace = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race";
    private const string UsCoreEthnicity = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity";

    private MappingOutcome MapPatient(ResourceElement resource, MappedRows rows)
    {
        var id = FhirJson.String(resource, "id"u8)!;
        var birthDate = FhirJson.String(resource, "birthDate"u8);
        if (birthDate is null) return MappingOutcome.Quarantine(QuarantineReasons.MissingBirthDate);
        var birth = _deidentifier.ShiftBirth(id, birthDate);
        if (birth.YearOfBirth is null) return MappingOutcome.Quarantine(QuarantineReasons.InvalidDate);

        var personId = _deidentifier.PseudonymousId(OmopKeyDomain.Person, id);
        var gender = FhirJson.String(resource, "gender"u8);
        var race = OmbCategory(resource, UsCoreRace);
        var ethnicity = OmbCategory(resource, UsCoreEthnicity);
        var locationId = AddLocation(rows, FhirJson.First(resource, "address"u8), "Patient/" + id + "/address");
        var genderConcept = FhirValueSetMaps.Gender(gender);
        rows.Add(CdmTables.Person, conceptMapped: genderConcept != 0)
            .Put(personId).Put(genderConcept).Put(birth.YearOfBirth.Value).Put(birth.MonthOfBirth).Put(birth.DayOfBirth).Put(birth.BirthDateTime)
            .Put(FhirValueSetMaps.Race(race)).Put(FhirValueSetMaps.Ethnicity(ethnicity)).Put(locationId)
            .Put(Provider(rows, FhirJson.First(resource, "generalPractitioner"u8)))
            .Put(Key(OmopKeyDomain.CareSite, FhirJson.ReferenceId(resource, "managingOrganization"u8, "Organization")))
            .Null() // person_source_value: the source id is an identifier; the pseudonymous person_id already links rows
            .Put(gender).Put(gender is null ? null : 0).Put(race).Put(race is null ? null : 0).Put(ethnicity).Put(ethnicity is null ? null : 0);

        var deceased = FhirJson.Member(resource, "deceasedDateTime"u8);
        if (deceased.ValueKind == JsonValueKind.String)
        {
            if (!TryShift(rows, id, deceased, out var deathDate, out var deathDateTime)) return MappingOutcome.Quarantine(QuarantineReasons.InvalidDate);
            rows.Add(CdmTables.Death, conceptMapped: true).Put(personId).Put(deathDate).Put(deathDateTime).Put(_options.EhrTypeConceptId);
            rows.ObservePersonDate(personId, deathDate);
        }
        // deceasedBoolean without a date cannot fill death.death_date (required): no death row.
        return MappingOutcome.Mapped(rows.OpenCount);
    }

    private MappingOutcome MapEncounter(in EncounterMembers encounter, MappedRows rows, MappingReport report)
    {
        var period = FhirJson.Object(encounter.Period);
        if (!TryEventBase(rows, "Encounter", encounter.Event, encounter.Event.Subject, FhirJson.Member(period, "start"u8), FhirJson.Member(period, "end"u8),
                _options.EhrTypeConceptId, out var facts, out var reason))
            return MappingOutcome.Quarantine(reason!);
        var id = FhirJson.String(encounter.Event.Id)!;
        var @class = FhirJson.Object(encounter.Class);
        var classCode = FhirJson.String(@class, "code"u8);
        var visitConcept = FhirValueSetMaps.VisitClass(classCode);
        report.RecordSourceVocabulary("Visit");
        if (visitConcept == 0) report.RecordUnmappedCode(CdmTables.VisitOccurrence.Name, FhirJson.String(@class, "system"u8) ?? "(none)", classCode ?? "(no code)");
        // visit_source_value: Encounter.type (the site's visit type, e.g. SNOMED 185349003), else the class code.
        var visitType = _concepts.Resolve(FhirJson.First(encounter.Type), rows.Codings);
        var hospitalization = FhirJson.Object(encounter.Hospitalization);
        var admitSource = _concepts.Resolve(FhirJson.Object(hospitalization, "admitSource"u8), rows.Codings);
        var discharge = _concepts.Resolve(FhirJson.Object(hospitalization, "dischargeDisposition"u8), rows.Codings);
        var providerId = Provider(rows, FhirJson.Object(FhirJson.First(encounter.Participant), "individual"u8));
        // Through the file's memo: a patient's encounters mostly share the service provider.
        var careSiteId = ReferenceKey(rows, OmopKeyDomain.CareSite, FhirJson.Object(encounter.ServiceProvider), "Organization");
        var sourceValue = visitType.Code is not null ? visitType.SourceValue : classCode;
        int? sourceConceptId = visitType.Code is not null ? visitType.SourceConceptId : classCode is null ? null : 0;
        int? admittedFrom = admitSource.Code is null ? null : ConceptResolver.FirstStandardId(admitSource);
        int? dischargedTo = discharge.Code is null ? null : ConceptResolver.FirstStandardId(discharge);
        rows.Add(CdmTables.VisitOccurrence, conceptMapped: visitConcept != 0)
            .Put(_deidentifier.PseudonymousId(OmopKeyDomain.VisitOccurrence, id)).Put(facts.PersonId).Put(visitConcept)
            .Put(facts.StartDate).Put(facts.StartDateTime).Put(facts.EndDate ?? facts.StartDate).Put(facts.EndDateTime ?? facts.StartDateTime)
            .Put(facts.TypeConceptId).Put(providerId).Put(careSiteId).Put(sourceValue).Put(sourceConceptId)
            .Put(admittedFrom).Put(admitSource.SourceValue).Put(dischargedTo).Put(discharge.SourceValue)
            .Null(); // preceding_visit_occurrence_id needs the person's other visits (other files): docs/omop-mapping.md
        // An Encounter that is part of another (a ward stay within an admission) is also a visit_detail of the
        // enclosing Encounter's visit. Its own visit_occurrence row stays, so events referencing it keep a valid key.
        if (FhirJson.LogicalId(FhirJson.Object(encounter.PartOf), "Encounter") is { } parent)
        {
            rows.Add(CdmTables.VisitDetail, conceptMapped: visitConcept != 0)
                .Put(_deidentifier.PseudonymousId(OmopKeyDomain.VisitDetail, id)).Put(facts.PersonId).Put(visitConcept)
                .Put(facts.StartDate).Put(facts.StartDateTime).Put(facts.EndDate ?? facts.StartDate).Put(facts.EndDateTime ?? facts.StartDateTime)
                .Put(facts.TypeConceptId).Put(providerId).Put(careSiteId).Put(sourceValue).Put(sourceConceptId)
                .Put(admittedFrom).Put(admitSource.SourceValue).Put(discharge.SourceValue).Put(dischargedTo)
                .Null().Null().Put(_deidentifier.PseudonymousId(OmopKeyDomain.VisitOccurrence, parent));
        }
        rows.ObservePersonDate(facts.PersonId, facts.StartDate);
        if (facts.EndDate is { } end) rows.ObservePersonDate(facts.PersonId, end);
        return MappingOutcome.Mapped(rows.OpenCount);
    }

    private MappingOutcome MapPractitioner(ResourceElement resource, MappedRows rows)
    {
        var gender = FhirJson.String(resource, "gender"u8);
        // Names, NPI and DEA are identifiers: not carried.
        rows.Add(CdmTables.Provider, conceptMapped: true)
            .Put(_deidentifier.PseudonymousId(OmopKeyDomain.Provider, FhirJson.String(resource, "id"u8)!)).Null().Null().Null().Null().Null().Null()
            .Put(gender is null ? null : FhirValueSetMaps.Gender(gender)).Null().Null().Null().Put(gender).Put(gender is null ? null : 0);
        return MappingOutcome.Mapped(1);
    }

    private MappingOutcome MapOrganization(ResourceElement resource, MappedRows rows)
    {
        var id = FhirJson.String(resource, "id"u8)!;
        var locationId = AddLocation(rows, FhirJson.First(resource, "address"u8), "Organization/" + id + "/address");
        rows.Add(CdmTables.CareSite, conceptMapped: true).Put(_deidentifier.PseudonymousId(OmopKeyDomain.CareSite, id)).Null().Null().Put(locationId);
        return MappingOutcome.Mapped(rows.OpenCount);
    }

    private MappingOutcome MapLocation(ResourceElement resource, MappedRows rows)
    {
        var location = SafeHarborLocation(FhirJson.Object(resource, "address"u8));
        location.Write(rows.Add(CdmTables.Location, conceptMapped: true), _deidentifier.PseudonymousId(OmopKeyDomain.Location, FhirJson.String(resource, "id"u8)!));
        return MappingOutcome.Mapped(1);
    }

    /// <summary>Adds a location for an address when anything Safe Harbor allows (state, ZIP3, country) is left.</summary>
    private long? AddLocation(MappedRows rows, ResourceElement address, string keySource)
    {
        if (!FhirJson.IsDefined(address)) return null;
        // Derived before the check, like every key the crosswalk may note.
        var key = _deidentifier.PseudonymousId(OmopKeyDomain.Location, keySource);
        var location = SafeHarborLocation(address);
        if (location.State is null && location.Zip is null && location.Country is null) return null;
        location.Write(rows.Add(CdmTables.Location, conceptMapped: true), key);
        return key;
    }

    /// <summary>What a location row keeps of an address.</summary>
    private readonly record struct LocationFacts(string? State, string? Zip, string? Country)
    {
        public void Write(OmopRowWriter row, long key) =>
            row.Put(key).Null().Null().Null().Put(State).Put(Zip).Null().Null().Null().Put(Country);
    }

    private LocationFacts SafeHarborLocation(ResourceElement address)
    {
        // Street, city and county are below state level: removed (Safe Harbor); ZIP generalized to ZIP3.
        var state = FhirJson.String(address, "state"u8);
        var country = FhirJson.String(address, "country"u8);
        return new LocationFacts(state is { Length: 2 } ? state.ToUpperInvariant() : UsStates.Abbreviation(state),
            _deidentifier.GeneralizeZip(FhirJson.String(address, "postalCode"u8)), country is { Length: <= 80 } ? country : null);
    }

    /// <summary>The ombCategory code of a US Core race or ethnicity extension.</summary>
    private static string? OmbCategory(ResourceElement resource, string url)
    {
        var extensions = FhirJson.Array(resource, "extension"u8);
        if (extensions.ValueKind != JsonValueKind.Array) return null;
        foreach (var extension in extensions.EnumerateArray())
        {
            if (FhirJson.String(extension, "url"u8) != url) continue;
            var inner = FhirJson.Array(extension, "extension"u8);
            if (inner.ValueKind != JsonValueKind.Array) return null;
            foreach (var part in inner.EnumerateArray())
            {
                if (FhirJson.String(part, "url"u8) == "ombCategory") return FhirJson.String(FhirJson.Object(part, "valueCoding"u8), "code"u8);
            }
        }
        return null;
    }
}
