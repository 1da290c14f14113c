using Ingestion.Fhir.Json;
using System.Text.Json;

namespace Ingestion.Omop;

/// <summary>A Quantity's elements, in one pass. Values are as found (any kind).</summary>
internal struct QuantityMembers : IMemberReader
{
    public ResourceElement Value;
    public ResourceElement Comparator;
    public ResourceElement Unit;
    public ResourceElement System;
    public ResourceElement Code;

    public bool Read(ReadOnlySpan<byte> name, ResourceElement value)
    {
        switch (name.Length)
        {
            case 4 when name.SequenceEqual("code"u8): Code = value; return true;
            case 4 when name.SequenceEqual("unit"u8): Unit = value; return true;
            case 5 when name.SequenceEqual("value"u8): Value = value; return true;
            case 6 when name.SequenceEqual("system"u8): System = value; return true;
            case 10 when name.SequenceEqual("comparator"u8): Comparator = value; return true;
            default: return false;
        }
    }
}
