using Ingestion.Fhir.Json;
using System.Text.Json;

namespace Ingestion.Omop;

/// <summary>The elements of a Procedure the mapping reads, in one pass over its members. Values are as found (any kind).</summary>
internal struct ProcedureMembers : IResourceMembers
{
    public ResourceHeader Header;
    public EventMembers Event;
    public ResourceElement Code;
    public ResourceElement PerformedDateTime;
    public ResourceElement PerformedPeriod;
    public ResourceElement Performer;

    readonly ResourceHeader IResourceMembers.Header => Header;

    public bool Read(ReadOnlySpan<byte> name, ResourceElement value)
    {
        // The header's elements too (id is both): the resource is read once.
        var kept = Header.Read(name, value);
        if (Event.TryRead(name, value)) return true;
        switch (name.Length)
        {
            case 4 when name.SequenceEqual("code"u8): Code = value; return true;
            case 9 when name.SequenceEqual("performer"u8): Performer = value; return true;
            case 15 when name.SequenceEqual("performedPeriod"u8): PerformedPeriod = value; return true;
            case 17 when name.SequenceEqual("performedDateTime"u8): PerformedDateTime = value; return true;
            default: return kept;
        }
    }
}
