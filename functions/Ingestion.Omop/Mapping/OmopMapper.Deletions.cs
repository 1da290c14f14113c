using Ingestion.Fhir.Json;
using System.Text.Json;
using Ingestion.Privacy;

namespace Ingestion.Omop;

// The manifest's deleted[] files: Bundles whose entries carry request DELETE Type/id.
public sealed partial class OmopMapper
{
    private static readonly OmopTable[] ClinicalTables =
    [
        CdmTables.ConditionOccurrence, CdmTables.DrugExposure, CdmTables.ProcedureOccurrence,
        CdmTables.DeviceExposure, CdmTables.Measurement, CdmTables.Observation,
    ];

    /// <summary>
    /// Turns one deleted-resources Bundle into <see cref="CdmTables.Deletions"/> rows: for each DELETE entry, the key
    /// its rows carry in every table it can map to (clinical resources may land in any event table by domain).
    /// Rows derived with a suffix (components, one-to-many maps) are not listed: see docs/omop-mapping.md.
    /// </summary>
    public MappingOutcome MapDeleted(ResourceElement bundle, MappedRows rows, MappingReport report, DateTime? deletedAt = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(report);
        if (FhirJson.String(bundle, "resourceType"u8) != "Bundle")
        {
            report.RecordResource("(deleted)", MappingStatus.Quarantined);
            report.RecordQuarantined(QuarantineReasons.Malformed);
            return MappingOutcome.Quarantine(QuarantineReasons.Malformed);
        }
        var count = 0;
        var entries = FhirJson.Array(bundle, "entry"u8);
        if (entries.ValueKind == JsonValueKind.Array)
        {
            foreach (var entry in entries.EnumerateArray())
            {
                var request = FhirJson.Object(entry, "request"u8);
                if (FhirJson.String(request, "method"u8) != "DELETE") continue;
                var url = FhirJson.String(request, "url"u8);
                var slash = url?.IndexOf('/') ?? -1;
                if (url is null || slash <= 0 || slash == url.Length - 1)
                {
                    report.RecordQuarantined(QuarantineReasons.Malformed);
                    continue;
                }
                var type = url[..slash];
                var id = FhirReference.LogicalId(url, type);
                if (id is null)
                {
                    report.RecordQuarantined(QuarantineReasons.Malformed);
                    continue;
                }
                foreach (var (table, domain, keySource) in DeletionTargets(type, id))
                {
                    rows.Add(CdmTables.Deletions, conceptMapped: true).Put(type).Put(table.Name).Put(_deidentifier.PseudonymousId(domain, keySource)).Put(deletedAt);
                    count++;
                }
            }
        }
        rows.Commit(report);
        report.RecordResource("(deleted)", MappingStatus.Mapped);
        return MappingOutcome.Mapped(count);
    }

    private static IEnumerable<(OmopTable Table, OmopKeyDomain Domain, string KeySource)> DeletionTargets(string type, string id)
    {
        switch (type)
        {
            case "Patient": yield return (CdmTables.Person, OmopKeyDomain.Person, id); break;
            case "Encounter":
                yield return (CdmTables.VisitOccurrence, OmopKeyDomain.VisitOccurrence, id);
                yield return (CdmTables.VisitDetail, OmopKeyDomain.VisitDetail, id);
                break;
            case "Specimen": yield return (CdmTables.Specimen, OmopKeyDomain.Specimen, "Specimen/" + id); break;
            case "DocumentReference": yield return (CdmTables.Note, OmopKeyDomain.Note, "DocumentReference/" + id); break;
            case "Claim": yield return (CdmTables.Cost, OmopKeyDomain.Cost, "Claim/" + id); break;
            case "ExplanationOfBenefit":
                yield return (CdmTables.Cost, OmopKeyDomain.Cost, "ExplanationOfBenefit/" + id);
                yield return (CdmTables.PayerPlanPeriod, OmopKeyDomain.PayerPlanPeriod, "ExplanationOfBenefit/" + id);
                break;
            case "Practitioner": yield return (CdmTables.Provider, OmopKeyDomain.Provider, id); break;
            case "Organization": yield return (CdmTables.CareSite, OmopKeyDomain.CareSite, id); break;
            case "Location": yield return (CdmTables.Location, OmopKeyDomain.Location, id); break;
            default:
                if (!CoveredResourceTypes.Contains(type)) yield break;
                foreach (var table in ClinicalTables) yield return (table, ClinicalEventRows.KeyDomainOf(table), type + "/" + id);
                break;
        }
    }
}
