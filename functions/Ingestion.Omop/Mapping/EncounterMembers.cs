using Ingestion.Fhir.Json;
using System.Text.Json;

namespace Ingestion.Omop;

/// <summary>The elements of an Encounter the mapping reads, in one pass over its members. Values are as found (any kind).</summary>
internal struct EncounterMembers : IResourceMembers
{
    public ResourceHeader Header;
    public EventMembers Event;
    public ResourceElement Period;
    public ResourceElement Class;
    public ResourceElement Type;
    public ResourceElement Hospitalization;
    public ResourceElement Participant;
    public ResourceElement ServiceProvider;
    public ResourceElement PartOf;

    readonly ResourceHeader IResourceMembers.Header => Header;

    public bool Read(ReadOnlySpan<byte> name, ResourceElement value)
    {
        // The header's elements too (id is both): the resource is read once.
        var kept = Header.Read(name, value);
        if (Event.TryRead(name, value)) return true;
        switch (name.Length)
        {
            case 4 when name.SequenceEqual("type"u8): Type = value; return true;
            case 5 when name.SequenceEqual("class"u8): Class = value; return true;
            case 6 when name.SequenceEqual("period"u8): Period = value; return true;
            case 6 when name.SequenceEqual("partOf"u8): PartOf = value; return true;
            case 11 when name.SequenceEqual("participant"u8): Participant = value; return true;
            case 15 when name.SequenceEqual("hospitalization"u8): Hospitalization = value; return true;
            case 15 when name.SequenceEqual("serviceProvider"u8): ServiceProvider = value; return true;
            default: return kept;
        }
    }
}
