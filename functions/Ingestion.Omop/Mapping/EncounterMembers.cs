using System.Text.Json;

namespace Ingestion.Omop;

/// <summary>The elements of an Encounter the mapping reads, in one pass over its members. Values are as found (any kind).</summary>
internal struct EncounterMembers : IMemberReader
{
    public EventMembers Event;
    public JsonElement Period;
    public JsonElement Class;
    public JsonElement Type;
    public JsonElement Hospitalization;
    public JsonElement Participant;
    public JsonElement ServiceProvider;
    public JsonElement PartOf;

    public void Read(ReadOnlySpan<byte> name, JsonElement value)
    {
        if (Event.TryRead(name, value)) return;
        switch (name.Length)
        {
            case 4 when name.SequenceEqual("type"u8): Type = value; break;
            case 5 when name.SequenceEqual("class"u8): Class = value; break;
            case 6 when name.SequenceEqual("period"u8): Period = value; break;
            case 6 when name.SequenceEqual("partOf"u8): PartOf = value; break;
            case 11 when name.SequenceEqual("participant"u8): Participant = value; break;
            case 15 when name.SequenceEqual("hospitalization"u8): Hospitalization = value; break;
            case 15 when name.SequenceEqual("serviceProvider"u8): ServiceProvider = value; break;
        }
    }
}
