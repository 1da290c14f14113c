using Ingestion.Fhir.Json;
using System.Text.Json;

namespace Ingestion.Omop;

/// <summary>The elements of an Observation the mapping reads, in one pass over its members. Values are as found (any kind).</summary>
internal struct ObservationMembers : IResourceMembers
{
    public ResourceHeader Header;
    public EventMembers Event;
    public ObservedValue Value;
    public ResourceElement EffectiveDateTime;
    public ResourceElement EffectiveInstant;
    public ResourceElement EffectivePeriod;
    public ResourceElement Issued;
    public ResourceElement Performer;
    public ResourceElement Category;
    public ResourceElement Component;

    readonly ResourceHeader IResourceMembers.Header => Header;

    public bool Read(ReadOnlySpan<byte> name, ResourceElement value)
    {
        // The header's elements too (id is both): the resource is read once.
        var kept = Header.Read(name, value);
        if (Event.TryRead(name, value) || Value.TryRead(name, value)) return true;
        switch (name.Length)
        {
            case 6 when name.SequenceEqual("issued"u8): Issued = value; return true;
            case 8 when name.SequenceEqual("category"u8): Category = value; return true;
            case 9 when name.SequenceEqual("performer"u8): Performer = value; return true;
            case 9 when name.SequenceEqual("component"u8): Component = value; return true;
            case 15 when name.SequenceEqual("effectivePeriod"u8): EffectivePeriod = value; return true;
            case 16 when name.SequenceEqual("effectiveInstant"u8): EffectiveInstant = value; return true;
            case 17 when name.SequenceEqual("effectiveDateTime"u8): EffectiveDateTime = value; return true;
            default: return kept;
        }
    }
}
