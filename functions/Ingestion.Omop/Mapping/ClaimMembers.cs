using Ingestion.Fhir.Json;
using System.Text.Json;

namespace Ingestion.Omop;

/// <summary>The elements of a Claim or an ExplanationOfBenefit the mapping reads, in one pass over its members.
/// Values are as found (any kind): <c>total</c> is Money on a Claim and an array on an ExplanationOfBenefit.</summary>
internal struct ClaimMembers : IResourceMembers
{
    public ResourceHeader Header;
    public ResourceElement Id;
    public ResourceElement Patient;
    public ResourceElement BillablePeriod;
    public ResourceElement Created;
    public ResourceElement Prescription;
    public ResourceElement Item;
    public ResourceElement Total;
    public ResourceElement Contained;
    public ResourceElement Insurer;
    public ResourceElement Payment;

    readonly ResourceHeader IResourceMembers.Header => Header;

    public bool Read(ReadOnlySpan<byte> name, ResourceElement value)
    {
        // The header's elements too (id is both): the resource is read once.
        var kept = Header.Read(name, value);
        switch (name.Length)
        {
            case 2 when name.SequenceEqual("id"u8): Id = value; return true;
            case 4 when name.SequenceEqual("item"u8): Item = value; return true;
            case 5 when name.SequenceEqual("total"u8): Total = value; return true;
            case 7 when name.SequenceEqual("patient"u8): Patient = value; return true;
            case 7 when name.SequenceEqual("created"u8): Created = value; return true;
            case 7 when name.SequenceEqual("insurer"u8): Insurer = value; return true;
            case 7 when name.SequenceEqual("payment"u8): Payment = value; return true;
            case 9 when name.SequenceEqual("contained"u8): Contained = value; return true;
            case 12 when name.SequenceEqual("prescription"u8): Prescription = value; return true;
            case 14 when name.SequenceEqual("billablePeriod"u8): BillablePeriod = value; return true;
            default: return kept;
        }
    }
}
