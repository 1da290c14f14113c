using System.Text.Json;

namespace Ingestion.Omop;

/// <summary>The elements of an Observation the mapping reads, in one pass over its members. Values are as found (any kind).</summary>
internal struct ObservationMembers : IMemberReader
{
    public EventMembers Event;
    public ObservedValue Value;
    public JsonElement EffectiveDateTime;
    public JsonElement EffectiveInstant;
    public JsonElement EffectivePeriod;
    public JsonElement Issued;
    public JsonElement Performer;
    public JsonElement Category;
    public JsonElement Component;

    public void Read(ReadOnlySpan<byte> name, JsonElement value)
    {
        if (Event.TryRead(name, value) || Value.TryRead(name, value)) return;
        switch (name.Length)
        {
            case 6 when name.SequenceEqual("issued"u8): Issued = value; break;
            case 8 when name.SequenceEqual("category"u8): Category = value; break;
            case 9 when name.SequenceEqual("performer"u8): Performer = value; break;
            case 9 when name.SequenceEqual("component"u8): Component = value; break;
            case 15 when name.SequenceEqual("effectivePeriod"u8): EffectivePeriod = value; break;
            case 16 when name.SequenceEqual("effectiveInstant"u8): EffectiveInstant = value; break;
            case 17 when name.SequenceEqual("effectiveDateTime"u8): EffectiveDateTime = value; break;
        }
    }
}
