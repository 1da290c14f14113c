using Ingestion.Fhir.Json;
using System.Text.Json;

namespace Ingestion.Omop;

/// <summary>
/// What an Observation and each of its components carry: code, value[x] (the kinds the mapping reads) and
/// referenceRange, read in one pass. Values are as found (any kind).
/// </summary>
internal struct ObservedValue : IMemberReader
{
    public ResourceElement Code;
    public ResourceElement ValueQuantity;
    public ResourceElement ValueCodeableConcept;
    public ResourceElement ValueInteger;
    public ResourceElement ReferenceRange;

    public bool Read(ReadOnlySpan<byte> name, ResourceElement value) => TryRead(name, value);

    /// <summary>Keeps the member when it is one of these; false otherwise (for readers that embed this one).</summary>
    public bool TryRead(ReadOnlySpan<byte> name, ResourceElement value)
    {
        switch (name.Length)
        {
            case 4 when name.SequenceEqual("code"u8): Code = value; return true;
            case 12 when name.SequenceEqual("valueInteger"u8): ValueInteger = value; return true;
            case 13 when name.SequenceEqual("valueQuantity"u8): ValueQuantity = value; return true;
            case 14 when name.SequenceEqual("referenceRange"u8): ReferenceRange = value; return true;
            case 20 when name.SequenceEqual("valueCodeableConcept"u8): ValueCodeableConcept = value; return true;
            default: return false;
        }
    }
}
