using Ingestion.Fhir.Json;
using System.Text.Json;

namespace Ingestion.Omop;

/// <summary>The elements of an Immunization the mapping reads, in one pass over its members. Values are as found (any kind).</summary>
internal struct ImmunizationMembers : IResourceMembers
{
    public ResourceHeader Header;
    public EventMembers Event;
    public ResourceElement VaccineCode;
    public ResourceElement OccurrenceDateTime;
    public ResourceElement Recorded;
    public ResourceElement Route;
    public ResourceElement Performer;
    public ResourceElement DoseQuantity;

    readonly ResourceHeader IResourceMembers.Header => Header;

    public bool Read(ReadOnlySpan<byte> name, ResourceElement value)
    {
        // The header's elements too (id and status): the resource is read once.
        var kept = Header.Read(name, value);
        if (Event.TryRead(name, value)) return true;
        switch (name.Length)
        {
            case 5 when name.SequenceEqual("route"u8): Route = value; return true;
            case 8 when name.SequenceEqual("recorded"u8): Recorded = value; return true;
            case 9 when name.SequenceEqual("performer"u8): Performer = value; return true;
            case 11 when name.SequenceEqual("vaccineCode"u8): VaccineCode = value; return true;
            case 12 when name.SequenceEqual("doseQuantity"u8): DoseQuantity = value; return true;
            case 18 when name.SequenceEqual("occurrenceDateTime"u8): OccurrenceDateTime = value; return true;
            default: return kept;
        }
    }
}
