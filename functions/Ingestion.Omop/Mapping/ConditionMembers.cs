using Ingestion.Fhir.Json;
using System.Text.Json;

namespace Ingestion.Omop;

/// <summary>The elements of a Condition the mapping reads, in one pass over its members. Values are as found (any kind).</summary>
internal struct ConditionMembers : IResourceMembers
{
    public ResourceHeader Header;
    public EventMembers Event;
    public ResourceElement Code;
    public ResourceElement Category;
    public ResourceElement OnsetDateTime;
    public ResourceElement OnsetPeriod;
    public ResourceElement RecordedDate;
    public ResourceElement AbatementDateTime;
    public ResourceElement AbatementPeriod;
    public ResourceElement Asserter;
    public ResourceElement Recorder;

    readonly ResourceHeader IResourceMembers.Header => Header;

    public bool Read(ReadOnlySpan<byte> name, ResourceElement value)
    {
        // The header's elements too (id and verificationStatus): the resource is read once.
        var kept = Header.Read(name, value);
        if (Event.TryRead(name, value)) return true;
        switch (name.Length)
        {
            case 4 when name.SequenceEqual("code"u8): Code = value; return true;
            case 8 when name.SequenceEqual("category"u8): Category = value; return true;
            case 8 when name.SequenceEqual("asserter"u8): Asserter = value; return true;
            case 8 when name.SequenceEqual("recorder"u8): Recorder = value; return true;
            case 11 when name.SequenceEqual("onsetPeriod"u8): OnsetPeriod = value; return true;
            case 12 when name.SequenceEqual("recordedDate"u8): RecordedDate = value; return true;
            case 13 when name.SequenceEqual("onsetDateTime"u8): OnsetDateTime = value; return true;
            case 15 when name.SequenceEqual("abatementPeriod"u8): AbatementPeriod = value; return true;
            case 17 when name.SequenceEqual("abatementDateTime"u8): AbatementDateTime = value; return true;
            default: return kept;
        }
    }
}
