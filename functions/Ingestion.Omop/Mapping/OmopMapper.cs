using System.Text.Json;
using Ingestion.Privacy;

namespace Ingestion.Omop;

/// <summary>
/// Maps FHIR R4 resources to OMOP CDM 5.4 rows following the HL7 FHIR-to-OMOP IG patterns. Every key comes from
/// <see cref="IDeidentifier.PseudonymousId"/> over the resource's logical id and every date through the patient's
/// shift, so each NDJSON file maps on its own and a re-run gives identical rows. Rows go to the table the standard
/// concept's domain names; unmapped codes keep concept_id 0 and their source value. Thread-safe.
/// </summary>
public sealed partial class OmopMapper : IOmopMapper
{
    private readonly ConceptResolver _concepts;
    private readonly IDeidentifier _deidentifier;
    private readonly OmopMapperOptions _options;
    private readonly ResourceStatusRules _statusRules;

    public OmopMapper(IVocabulary vocabulary, IDeidentifier deidentifier, OmopMapperOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(deidentifier);
        _concepts = new ConceptResolver(vocabulary);
        _deidentifier = deidentifier;
        _options = options ?? new OmopMapperOptions();
        _statusRules = new ResourceStatusRules(_options);
    }

    /// <summary>The vocabulary the mapper resolves codes with (the data-quality checks read concept domains from it).</summary>
    public IVocabulary Vocabulary => _concepts.Vocabulary;

    /// <summary>The FHIR resource types this mapping turns into rows; any other type is counted as not covered.</summary>
    public static IReadOnlySet<string> CoveredResourceTypes { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "Patient", "Encounter", "Condition", "Observation", "MedicationRequest", "MedicationStatement", "MedicationAdministration",
        "Immunization", "Procedure", "AllergyIntolerance", "Device", "DeviceUseStatement", "Practitioner", "Organization", "Location",
        "Specimen", "DocumentReference", "Claim", "ExplanationOfBenefit",
    };

    public MappingOutcome Map(JsonElement resource, MappedRows rows, MappingReport report)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(report);
        // resourceType, id and the status elements in one pass over the resource's members.
        var header = JsonMembers.Read<ResourceHeader>(resource);
        var type = ResourceTypeOf(header.ResourceType);
        MappingOutcome outcome;
        if (type is null) outcome = MappingOutcome.Quarantine(QuarantineReasons.MissingResourceType);
        else if (!CoveredResourceTypes.Contains(type)) outcome = MappingOutcome.NotCovered;
        else if (!FhirJson.HasNonEmptyString(header.Id)) outcome = MappingOutcome.Quarantine(QuarantineReasons.MissingId);
        else if (_statusRules.ExclusionReason(type, header) is { } excluded) outcome = MappingOutcome.Exclude(excluded);
        else
        {
            // A resource's rows stay open until it is known to map, so one quarantined half-way leaves no rows behind.
            try
            {
                outcome = MapCovered(type, resource, rows, report);
            }
            catch (Exception e) when (e is InvalidOperationException or FormatException or KeyNotFoundException or IndexOutOfRangeException)
            {
                // JSON of the wrong shape somewhere the mapper relies on it: quarantine, never crash the file.
                outcome = MappingOutcome.Quarantine(QuarantineReasons.Malformed);
            }
            if (outcome.Status == MappingStatus.Mapped) rows.Commit(report);
            else rows.Discard();
        }
        report.RecordResource(type ?? "(none)", outcome.Status);
        if (outcome.Status == MappingStatus.Quarantined) report.RecordQuarantined(outcome.QuarantineReason!);
        else if (outcome.Status == MappingStatus.NotCovered) report.RecordNotCovered(type!);
        else if (outcome.Status == MappingStatus.Excluded) report.RecordExcluded(outcome.ExclusionReason!);
        return outcome;
    }

    private static readonly (byte[] Utf8, string Name)[] CoveredTypeNames =
        CoveredResourceTypes.Select(t => (System.Text.Encoding.UTF8.GetBytes(t), t)).ToArray();

    /// <summary>resourceType, as the shared string of a covered type (compared as UTF-8: none made per resource).</summary>
    private static string? ResourceTypeOf(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.String) return null;
        // The raw token (no escapes in practice) compared byte for byte: most lengths differ at once.
        var raw = System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(value)[1..^1];
        if (!raw.Contains((byte)'\\'))
        {
            foreach (var (utf8, name) in CoveredTypeNames)
            {
                if (raw.SequenceEqual(utf8)) return name;
            }
        }
        return value.GetString();
    }

    private MappingOutcome MapCovered(string type, JsonElement resource, MappedRows rows, MappingReport report) => type switch
    {
        "Patient" => MapPatient(resource, rows),
        "Encounter" => MapEncounter(resource, rows, report),
        "Condition" => MapCondition(resource, rows, report),
        "Observation" => MapObservation(resource, rows, report),
        "MedicationRequest" or "MedicationStatement" or "MedicationAdministration" => MapMedication(type, resource, rows, report),
        "Immunization" => MapImmunization(resource, rows, report),
        "Procedure" => MapProcedure(resource, rows, report),
        "AllergyIntolerance" => MapAllergy(resource, rows, report),
        "Device" => MapDevice(resource, rows, report),
        "DeviceUseStatement" => MapDeviceUse(resource, rows, report),
        "Practitioner" => MapPractitioner(resource, rows),
        "Organization" => MapOrganization(resource, rows),
        "Location" => MapLocation(resource, rows),
        "Specimen" => MapSpecimen(resource, rows),
        "DocumentReference" => MapDocumentReference(resource, rows),
        "Claim" => MapClaim(resource, rows),
        "ExplanationOfBenefit" => MapExplanationOfBenefit(resource, rows),
        _ => MappingOutcome.NotCovered,
    };

    /// <summary>
    /// Emits the rows of one coded event: one per standard concept the code maps to, each in the table of that
    /// concept's domain (the one-to-many rule), or a single concept_id 0 row in <paramref name="defaultTable"/>.
    /// </summary>
    private int EmitCoded(in SourceCode code, in ClinicalEvent facts, OmopTable defaultTable, MappedRows rows, MappingReport report)
    {
        if (code.Code is not null) report.RecordSourceVocabulary(code.ReportVocabulary);
        var standard = _concepts.StandardCount(code);
        var mapsToValue = _concepts.MapsToValue(code);
        if (standard == 0)
        {
            var key = facts.Key.Derive(_deidentifier, ClinicalEventRows.KeyDomainOf(defaultTable), map: 0);
            ClinicalEventRows.Write(rows.Add(defaultTable, conceptMapped: false), defaultTable, key, facts, 0, code, 0);
            report.RecordUnmappedCode(defaultTable.Name, code.ReportVocabulary, code.Code ?? "(no code)");
            ObserveDates(rows, facts);
            return 1;
        }
        for (var k = 0; k < standard; k++)
        {
            var concept = _concepts.Standard(code, k);
            var table = ClinicalEventRows.TableOfDomain(concept.DomainId) ?? defaultTable;
            var key = facts.Key.Derive(_deidentifier, ClinicalEventRows.KeyDomainOf(table), map: k);
            ClinicalEventRows.Write(rows.Add(table, conceptMapped: true), table, key, facts, concept.ConceptId, code, mapsToValue);
        }
        ObserveDates(rows, facts);
        return standard;
    }

    private static void ObserveDates(MappedRows rows, in ClinicalEvent facts)
    {
        rows.ObservePersonDate(facts.PersonId, facts.StartDate);
        if (facts.EndDate is { } end) rows.ObservePersonDate(facts.PersonId, end);
    }

    /// <summary>The patient a resource belongs to (its <paramref name="subject"/> reference), or the quarantine reason.</summary>
    private static string? PatientOf(MappedRows rows, JsonElement subject, out string? reason)
    {
        var id = rows.References.LogicalId(subject, "Patient");
        reason = id is not null ? null
            : FhirJson.String(subject, "reference"u8) is null ? QuarantineReasons.MissingSubject
            : QuarantineReasons.UnresolvableSubject;
        return id;
    }

    /// <summary>Shifts a FHIR date/dateTime. With a time of day the datetime is UTC and the date is its UTC calendar
    /// day (so *_date always equals the date of *_datetime); a date-only value gives the date and no datetime.</summary>
    private bool TryShift(string patientId, string? value, out DateOnly date, out DateTime? dateTime)
    {
        dateTime = null;
        date = default;
        if (string.IsNullOrEmpty(value)) return false;
        if (value.Length > 10)
        {
            dateTime = _deidentifier.ShiftDateTime(patientId, value);
            if (dateTime is not { } utc) return false;
            date = DateOnly.FromDateTime(utc);
            return true;
        }
        var shifted = _deidentifier.ShiftDate(patientId, value);
        if (shifted is null) return false;
        date = shifted.Value;
        return true;
    }

    private long? Key(OmopKeyDomain domain, string? logicalId) =>
        logicalId is null ? null : _deidentifier.PseudonymousId(domain, logicalId);

    /// <summary>The key a reference points at, through the file's memo of repeated references.</summary>
    private long? ReferenceKey(MappedRows rows, OmopKeyDomain domain, JsonElement reference, string expectedType) =>
        rows.References.LogicalId(reference, expectedType) is { } id ? rows.References.Key(domain, id, _deidentifier) : null;

    private long? Visit(MappedRows rows, in EventMembers members) =>
        ReferenceKey(rows, OmopKeyDomain.VisitOccurrence, FhirJson.Object(members.Encounter), "Encounter")
        ?? ReferenceKey(rows, OmopKeyDomain.VisitOccurrence, FhirJson.Object(members.Context), "Encounter");

    private long? Provider(MappedRows rows, JsonElement reference) =>
        ReferenceKey(rows, OmopKeyDomain.Provider, reference, "Practitioner");
}
