using Ingestion.Fhir.Json;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
    public static IReadOnlySet<string> CoveredResourceTypes { get; } = new HashSet<string>(Enum.GetNames<CoveredType>(), StringComparer.Ordinal);

    public MappingOutcome Map(ResourceElement resource, MappedRows rows, MappingReport report)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(report);
        // resourceType comes first in practice: then the resource is read once, with the members its mapping reads (the
        // frequent types; the others are read for the header, then by name).
        var leading = LeadingType(resource, out var leadingValue);
        return leading switch
        {
            CoveredType.Observation => Map<ObservationMembers>(resource, rows, report, leading, leadingValue),
            CoveredType.Claim or CoveredType.ExplanationOfBenefit => Map<ClaimMembers>(resource, rows, report, leading, leadingValue),
            CoveredType.Encounter => Map<EncounterMembers>(resource, rows, report, leading, leadingValue),
            CoveredType.Condition => Map<ConditionMembers>(resource, rows, report, leading, leadingValue),
            CoveredType.Procedure => Map<ProcedureMembers>(resource, rows, report, leading, leadingValue),
            CoveredType.MedicationRequest or CoveredType.MedicationStatement or CoveredType.MedicationAdministration =>
                Map<MedicationMembers>(resource, rows, report, leading, leadingValue),
            CoveredType.Immunization => Map<ImmunizationMembers>(resource, rows, report, leading, leadingValue),
            _ => Map<ResourceHeader>(resource, rows, report, leading, leadingValue),
        };
    }

    private MappingOutcome Map<TMembers>(ResourceElement resource, MappedRows rows, MappingReport report, CoveredType? leading,
        ResourceElement leadingValue) where TMembers : struct, IResourceMembers
    {
        // resourceType, id and the status elements (and the members TMembers reads) in one pass over the resource's members.
        var members = default(TMembers);
        JsonMembers.Read(resource, ref members);
        var header = members.Header;
        // The type the first member named, when the full read kept that same value (a repeated resourceType, which the
        // parser rejects anyway, wins last): not compared against every covered name again.
        CoveredType? covered;
        string? type;
        if (leading is { } first && SameValue(header.ResourceType, leadingValue)) (type, covered) = (CoveredTypeNames.Name(first), first);
        else type = ResourceTypeOf(header.ResourceType, out covered);
        MappingOutcome outcome;
        if (type is null) outcome = MappingOutcome.Quarantine(QuarantineReasons.MissingResourceType);
        else if (covered is not { } coveredType) outcome = MappingOutcome.NotCovered;
        else if (!FhirJson.HasNonEmptyString(header.Id)) outcome = MappingOutcome.Quarantine(QuarantineReasons.MissingId);
        else if (_statusRules.ExclusionReason(coveredType, header) is { } excluded) outcome = MappingOutcome.Exclude(excluded);
        else
        {
            // A resource's rows stay open until it is known to map, so one quarantined half-way leaves no rows behind.
            try
            {
                outcome = MapCovered(coveredType, type, resource, in members, rows, report);
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

    /// <summary>The covered type named by the resource's first member when that is resourceType, else null (the
    /// full read decides).</summary>
    private static CoveredType? LeadingType(ResourceElement resource, out ResourceElement value)
    {
        value = default;
        if (resource.ValueKind != JsonValueKind.Object) return null;
        var members = resource.EnumerateObject();
        if (!members.MoveNext() || !members.Current.Utf8Name.SequenceEqual("resourceType"u8))
            return null;
        value = members.Current.Value;
        ResourceTypeOf(value, out var covered);
        return covered;
    }

    /// <summary>Whether two string values are the same token of the document (not merely equal text).</summary>
    private static bool SameValue(ResourceElement a, ResourceElement b) =>
        a.ValueKind == JsonValueKind.String && b.ValueKind == JsonValueKind.String
        && Unsafe.AreSame(ref MemoryMarshal.GetReference(a.RawUtf8),
            ref MemoryMarshal.GetReference(b.RawUtf8));

    /// <summary>Whether the resource was read with <typeparamref name="TWanted"/>'s reader (a constant for the JIT):
    /// then its members are used in place (<see cref="As"/>), else read by a pass of their own (the first member was not
    /// resourceType, or named another type).</summary>
    private static bool Holds<THave, TWanted>() where THave : struct, IResourceMembers where TWanted : struct, IMemberReader =>
        typeof(THave) == typeof(TWanted);

    /// <summary>The members already read, by reference: a copy of a reader this size (GC references in every element)
    /// went through the runtime's write-barrier copy on every resource.</summary>
    private static ref readonly TWanted As<THave, TWanted>(in THave have) where THave : struct, IResourceMembers where TWanted : struct, IMemberReader =>
        ref Unsafe.As<THave, TWanted>(ref Unsafe.AsRef(in have));

    /// <summary>resourceType, as the shared string of a covered type (compared as UTF-8: none made per resource) with
    /// <paramref name="covered"/> set, else as found (null when not a string).</summary>
    private static string? ResourceTypeOf(ResourceElement value, out CoveredType? covered)
    {
        covered = null;
        if (value.ValueKind != JsonValueKind.String) return null;
        // The raw token (no escapes in practice) compared byte for byte.
        var raw = value.RawUtf8[1..^1];
        if (CoveredTypeNames.Match(raw) is { } type)
        {
            covered = type;
            return CoveredTypeNames.Name(type);
        }
        var text = value.GetString()!;
        if (!raw.Contains((byte)'\\')) return text;
        // Escaped, yet a covered type once decoded.
        covered = CoveredTypeNames.Match(text);
        return covered is { } decoded ? CoveredTypeNames.Name(decoded) : text;
    }

    private MappingOutcome MapCovered<TMembers>(CoveredType type, string typeName, ResourceElement resource, in TMembers members, MappedRows rows,
        MappingReport report) where TMembers : struct, IResourceMembers => type switch
    {
        CoveredType.Patient => MapPatient(resource, rows),
        CoveredType.Encounter => Holds<TMembers, EncounterMembers>() ? MapEncounter(in As<TMembers, EncounterMembers>(members), rows, report)
            : MapEncounter(JsonMembers.Read<EncounterMembers>(resource), rows, report),
        CoveredType.Condition => Holds<TMembers, ConditionMembers>() ? MapCondition(in As<TMembers, ConditionMembers>(members), rows, report)
            : MapCondition(JsonMembers.Read<ConditionMembers>(resource), rows, report),
        CoveredType.Observation => Holds<TMembers, ObservationMembers>() ? MapObservation(in As<TMembers, ObservationMembers>(members), rows, report)
            : MapObservation(JsonMembers.Read<ObservationMembers>(resource), rows, report),
        CoveredType.MedicationRequest or CoveredType.MedicationStatement or CoveredType.MedicationAdministration =>
            Holds<TMembers, MedicationMembers>() ? MapMedication(typeName, in As<TMembers, MedicationMembers>(members), rows, report)
            : MapMedication(typeName, JsonMembers.Read<MedicationMembers>(resource), rows, report),
        CoveredType.Immunization => Holds<TMembers, ImmunizationMembers>() ? MapImmunization(in As<TMembers, ImmunizationMembers>(members), rows, report)
            : MapImmunization(JsonMembers.Read<ImmunizationMembers>(resource), rows, report),
        CoveredType.Procedure => Holds<TMembers, ProcedureMembers>() ? MapProcedure(in As<TMembers, ProcedureMembers>(members), rows, report)
            : MapProcedure(JsonMembers.Read<ProcedureMembers>(resource), rows, report),
        CoveredType.AllergyIntolerance => MapAllergy(resource, rows, report),
        CoveredType.Device => MapDevice(resource, rows, report),
        CoveredType.DeviceUseStatement => MapDeviceUse(resource, rows, report),
        CoveredType.Practitioner => MapPractitioner(resource, rows),
        CoveredType.Organization => MapOrganization(resource, rows),
        CoveredType.Location => MapLocation(resource, rows),
        CoveredType.Specimen => MapSpecimen(resource, rows),
        CoveredType.DocumentReference => MapDocumentReference(resource, rows),
        CoveredType.Claim => Holds<TMembers, ClaimMembers>() ? MapClaim(in As<TMembers, ClaimMembers>(members), rows)
            : MapClaim(JsonMembers.Read<ClaimMembers>(resource), rows),
        CoveredType.ExplanationOfBenefit => Holds<TMembers, ClaimMembers>() ? MapExplanationOfBenefit(in As<TMembers, ClaimMembers>(members), rows)
            : MapExplanationOfBenefit(JsonMembers.Read<ClaimMembers>(resource), rows),
        _ => MappingOutcome.NotCovered,
    };

    /// <summary>
    /// Emits the rows of one coded event: one per standard concept the code maps to, each in the table of that
    /// concept's domain (the one-to-many rule), or a single concept_id 0 row in <paramref name="defaultTable"/>.
    /// </summary>
    private int EmitCoded(in SourceCode code, in ClinicalEvent facts, OmopTable defaultTable, MappedRows rows, MappingReport report) =>
        EmitCoded(code, facts, EventValue.None, defaultTable, rows, report);

    /// <inheritdoc cref="EmitCoded(in SourceCode, in ClinicalEvent, OmopTable, MappedRows, MappingReport)"/>
    private int EmitCoded(in SourceCode code, in ClinicalEvent facts, in EventValue value, OmopTable defaultTable, MappedRows rows, MappingReport report)
    {
        if (code.Code is not null) report.RecordSourceVocabulary(code.ReportVocabulary);
        var standard = ConceptResolver.StandardCount(code);
        var mapsToValue = ConceptResolver.MapsToValue(code);
        if (standard == 0)
        {
            var key = facts.Key.Derive(_deidentifier, ClinicalEventRows.KeyDomainOf(defaultTable), map: 0);
            ClinicalEventRows.Write(rows.Add(defaultTable, conceptMapped: false), defaultTable, key, facts, value, 0, code, 0);
            report.RecordUnmappedCode(defaultTable.Name, code.ReportVocabulary, code.Code ?? "(no code)");
            ObserveDates(rows, facts);
            return 1;
        }
        for (var k = 0; k < standard; k++)
        {
            var concept = _concepts.Standard(code, k);
            var table = ClinicalEventRows.TableOfDomain(concept.DomainId) ?? defaultTable;
            var key = facts.Key.Derive(_deidentifier, ClinicalEventRows.KeyDomainOf(table), map: k);
            ClinicalEventRows.Write(rows.Add(table, conceptMapped: true), table, key, facts, value, concept.ConceptId, code, mapsToValue);
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
    private static string? PatientOf(MappedRows rows, ResourceElement subject, out string? reason)
    {
        var id = rows.References.LogicalId(subject, "Patient");
        reason = id is not null ? null
            : FhirJson.String(subject, "reference"u8) is null ? QuarantineReasons.MissingSubject
            : QuarantineReasons.UnresolvableSubject;
        return id;
    }

    /// <summary>Shifts a FHIR date/dateTime value (<see cref="ShiftedDates.Shift"/>; not a string: invalid) through
    /// the file's memo of repeated dates.</summary>
    private bool TryShift(MappedRows rows, string patientId, ResourceElement value, out DateOnly date, out DateTime? dateTime)
    {
        if (value.ValueKind == JsonValueKind.String) return rows.Dates.TryShift(_deidentifier, patientId, value, out date, out dateTime);
        (date, dateTime) = (default, null);
        return false;
    }

    private long? Key(OmopKeyDomain domain, string? logicalId) =>
        logicalId is null ? null : _deidentifier.PseudonymousId(domain, logicalId);

    /// <summary>The key a reference points at, through the file's memo of repeated references.</summary>
    private long? ReferenceKey(MappedRows rows, OmopKeyDomain domain, ResourceElement reference, string expectedType) =>
        rows.References.LogicalId(reference, expectedType) is { } id ? rows.References.Key(domain, id, _deidentifier) : null;

    private long? Visit(MappedRows rows, in EventMembers members) =>
        ReferenceKey(rows, OmopKeyDomain.VisitOccurrence, FhirJson.Object(members.Encounter), "Encounter")
        ?? ReferenceKey(rows, OmopKeyDomain.VisitOccurrence, FhirJson.Object(members.Context), "Encounter");

    private long? Provider(MappedRows rows, ResourceElement reference) =>
        ReferenceKey(rows, OmopKeyDomain.Provider, reference, "Practitioner");
}
