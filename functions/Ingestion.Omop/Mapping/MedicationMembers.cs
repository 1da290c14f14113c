using Ingestion.Fhir.Json;
using System.Text.Json;

namespace Ingestion.Omop;

/// <summary>The elements of a MedicationRequest, MedicationStatement or MedicationAdministration the mapping reads,
/// in one pass over its members (each type has only some of them). Values are as found (any kind).</summary>
internal struct MedicationMembers : IResourceMembers
{
    public ResourceHeader Header;
    public EventMembers Event;
    public ResourceElement MedicationCodeableConcept;
    public ResourceElement AuthoredOn;
    public ResourceElement DispenseRequest;
    public ResourceElement Requester;
    public ResourceElement DosageInstruction;
    public ResourceElement EffectiveDateTime;
    public ResourceElement EffectivePeriod;
    public ResourceElement DateAsserted;
    public ResourceElement Dosage;
    public ResourceElement Performer;

    readonly ResourceHeader IResourceMembers.Header => Header;

    public bool Read(ReadOnlySpan<byte> name, ResourceElement value)
    {
        // The header's elements too (id, status, intent): the resource is read once.
        var kept = Header.Read(name, value);
        if (Event.TryRead(name, value)) return true;
        switch (name.Length)
        {
            case 6 when name.SequenceEqual("dosage"u8): Dosage = value; return true;
            case 9 when name.SequenceEqual("requester"u8): Requester = value; return true;
            case 9 when name.SequenceEqual("performer"u8): Performer = value; return true;
            case 10 when name.SequenceEqual("authoredOn"u8): AuthoredOn = value; return true;
            case 12 when name.SequenceEqual("dateAsserted"u8): DateAsserted = value; return true;
            case 15 when name.SequenceEqual("dispenseRequest"u8): DispenseRequest = value; return true;
            case 15 when name.SequenceEqual("effectivePeriod"u8): EffectivePeriod = value; return true;
            case 17 when name.SequenceEqual("dosageInstruction"u8): DosageInstruction = value; return true;
            case 17 when name.SequenceEqual("effectiveDateTime"u8): EffectiveDateTime = value; return true;
            case 25 when name.SequenceEqual("medicationCodeableConcept"u8): MedicationCodeableConcept = value; return true;
            default: return kept;
        }
    }
}
