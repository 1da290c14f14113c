using Ingestion.Fhir.Json;
using System.Text.Json;
using Ingestion.Privacy;

namespace Ingestion.Omop;

// Claim → cost (the charge); ExplanationOfBenefit → payer_plan_period (the coverage it was paid under) + cost (the
// charge and the payment). docs/omop-mapping.md, "Claims and costs".
public sealed partial class OmopMapper
{
    /// <summary>Type concept 32810 "Claim": both cost rows come from claims data.</summary>
    private const int ClaimTypeConceptId = FixedConcepts.Claim;
    /// <summary>Concept 44818668 "United States dollar".</summary>
    private const int UsDollarConceptId = FixedConcepts.UsDollar;

    private MappingOutcome MapClaim(in ClaimMembers claim, MappedRows rows)
    {
        var billable = FhirJson.Object(claim.BillablePeriod);
        if (!TryDatedFact(rows, FhirJson.Object(claim.Patient), FhirJson.StringElement(billable, "start"u8)
            ?? FhirJson.StringElement(claim.Created) ?? default(ResourceElement),
                out _, out _, out _, out _, out var reason))
            return MappingOutcome.Quarantine(reason!);
        if (CostEvent(claim, rows) is not { } costEvent) return MappingOutcome.Quarantine(QuarantineReasons.MissingCostEvent);
        var total = FhirJson.Object(claim.Total);
        WriteCost(rows.Add(CdmTables.Cost, conceptMapped: true), KeyOf(OmopKeyDomain.Cost, "Claim", claim.Id), costEvent,
            Currency(total), FhirJson.Number(total, "value"u8), totalPaid: null, payerPlanPeriod: null);
        return MappingOutcome.Mapped(1);
    }

    private MappingOutcome MapExplanationOfBenefit(in ClaimMembers eob, MappedRows rows)
    {
        var billable = FhirJson.Object(eob.BillablePeriod);
        var start = FhirJson.StringElement(billable, "start"u8) ?? FhirJson.StringElement(eob.Created) ?? default(ResourceElement);
        if (!TryDatedFact(rows, FhirJson.Object(eob.Patient), start, out var patient, out var personId, out var startDate, out _, out var reason))
            return MappingOutcome.Quarantine(reason!);
        var endDate = startDate;
        if (FhirJson.StringElement(billable, "end"u8) is { } end)
        {
            if (!TryShift(rows, patient!, end, out endDate, out _)) return MappingOutcome.Quarantine(QuarantineReasons.InvalidDate);
            if (endDate < startDate) endDate = startDate;
        }
        if (CostEvent(eob, rows) is not { } costEvent) return MappingOutcome.Quarantine(QuarantineReasons.MissingCostEvent);

        // The payer is an organisation (e.g. "Medicaid", "UnitedHealthcare"), never the patient: its name may be kept.
        var coverage = ContainedCoverage(FhirJson.Array(eob.Contained));
        var payer = Fit(FhirJson.String(FhirJson.Object(eob.Insurer), "display"u8)
            ?? FhirJson.String(FhirJson.First(coverage, "payor"u8), "display"u8));
        var plan = Fit(FhirJson.String(FhirJson.Object(coverage, "type"u8), "text"u8));
        var periodKey = KeyOf(OmopKeyDomain.PayerPlanPeriod, "ExplanationOfBenefit", eob.Id);
        rows.Add(CdmTables.PayerPlanPeriod, conceptMapped: true)
            .Put(periodKey).Put(personId).Put(startDate).Put(endDate).Put(payer is null ? null : 0).Put(payer).Put(payer is null ? null : 0)
            .Put(plan is null ? null : 0).Put(plan).Put(plan is null ? null : 0);
        // family_source_value and the rest stay null: the subscriber id is an identifier.

        var submitted = SubmittedTotal(FhirJson.Array(eob.Total));
        var payment = FhirJson.Object(FhirJson.Object(eob.Payment), "amount"u8);
        WriteCost(rows.Add(CdmTables.Cost, conceptMapped: true), KeyOf(OmopKeyDomain.Cost, "ExplanationOfBenefit", eob.Id), costEvent,
            Currency(FhirJson.IsDefined(payment) ? payment : submitted), FhirJson.Number(submitted, "value"u8),
            FhirJson.Number(payment, "value"u8), periodKey);
        return MappingOutcome.Mapped(2);
    }

    /// <summary>The key of <c>Type/id</c> (an id the resource has: <see cref="Map"/> checked it), its text composed on the stack.</summary>
    private long KeyOf(OmopKeyDomain domain, string type, ResourceElement id) =>
        new EventKeySource(type, id).Derive(_deidentifier, domain, map: 0);

    private static void WriteCost(OmopRowWriter row, long costId, (long EventId, string Domain) costEvent, int? currency, double? totalCharge,
        double? totalPaid, long? payerPlanPeriod) =>
        row.Put(costId).Put(costEvent.EventId).Put(costEvent.Domain).Put(ClaimTypeConceptId).Put(currency).Put(totalCharge).Null().Put(totalPaid)
            .Put(totalPaid) // paid_by_payer: an EOB's payment is the payer's
            .Null().Null().Null().Null().Null().Null().Null().Put(payerPlanPeriod);

    /// <summary>What the claim paid for: the prescription's drug_exposure when it names one (pharmacy claims), else
    /// the visit of the first item's encounter (the key the Encounter's visit_occurrence row carries).</summary>
    private (long EventId, string Domain)? CostEvent(in ClaimMembers claim, MappedRows rows)
    {
        var prescription = FhirJson.LogicalId(FhirJson.Object(claim.Prescription), "MedicationRequest");
        if (prescription is not null) return (new EventKeySource("MedicationRequest", prescription).Derive(_deidentifier, OmopKeyDomain.DrugExposure, map: 0), "Drug");
        var items = FhirJson.Array(claim.Item);
        if (items.ValueKind != JsonValueKind.Array) return null;
        foreach (var item in items.EnumerateArray())
        {
            // Through the file's memo: a claim's encounter is its EOB's and its neighbours' (one key derivation each).
            if (ReferenceKey(rows, OmopKeyDomain.VisitOccurrence, FhirJson.First(item, "encounter"u8), "Encounter") is { } visit) return (visit, "Visit");
        }
        return null;
    }

    /// <summary>The EOB's total of category "submitted" (the charge), else its first total.</summary>
    private static ResourceElement SubmittedTotal(ResourceElement totals)
    {
        if (totals.ValueKind != JsonValueKind.Array) return default;
        foreach (var total in totals.EnumerateArray())
        {
            if (ResourceStatusRules.HasCoding(FhirJson.Object(total, "category"u8), "submitted"u8)) return FhirJson.Object(total, "amount"u8);
        }
        return totals.GetArrayLength() > 0 ? FhirJson.Object(totals[0], "amount"u8) : default;
    }

    /// <summary>The Coverage the EOB's focal insurance points to when it is contained (Synthea: "#coverage").</summary>
    private static ResourceElement ContainedCoverage(ResourceElement contained)
    {
        if (contained.ValueKind != JsonValueKind.Array) return default;
        foreach (var inner in contained.EnumerateArray())
        {
            if (FhirJson.StringEquals(ResourceHeader.ResourceTypeOf(inner), "Coverage"u8)) return inner;
        }
        return default;
    }

    private static int? Currency(ResourceElement money) => FhirJson.String(money, "currency"u8) switch
    {
        null => null,
        "USD" => UsDollarConceptId,
        _ => 0,
    };

    private static string? Fit(string? value) => value is { Length: > 50 } ? value[..50] : value;
}
