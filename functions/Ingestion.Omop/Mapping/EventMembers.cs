using Ingestion.Fhir.Json;
using System.Text.Json;

namespace Ingestion.Omop;

/// <summary>
/// What every clinical event resource is keyed and linked by: its id, its patient (<c>subject</c>, or <c>patient</c>
/// on AllergyIntolerance, Device and Immunization) and its encounter (<c>encounter</c>, or <c>context</c> on
/// MedicationStatement), read in one pass. Values are as found (any kind).
/// </summary>
internal struct EventMembers : IMemberReader
{
    public ResourceElement Id;
    public ResourceElement Subject;
    public ResourceElement Patient;
    public ResourceElement Encounter;
    public ResourceElement Context;

    /// <summary>The member named <paramref name="subjectProperty"/> ("subject" or "patient").</summary>
    public readonly ResourceElement SubjectNamed(ReadOnlySpan<byte> subjectProperty) =>
        subjectProperty.SequenceEqual("patient"u8) ? Patient : Subject;

    public bool Read(ReadOnlySpan<byte> name, ResourceElement value) => TryRead(name, value);

    /// <summary>Keeps the member when it is one of these; false otherwise (for readers that embed this one).</summary>
    public bool TryRead(ReadOnlySpan<byte> name, ResourceElement value)
    {
        switch (name.Length)
        {
            case 2 when name.SequenceEqual("id"u8): Id = value; return true;
            case 7 when name.SequenceEqual("subject"u8): Subject = value; return true;
            case 7 when name.SequenceEqual("patient"u8): Patient = value; return true;
            case 7 when name.SequenceEqual("context"u8): Context = value; return true;
            case 9 when name.SequenceEqual("encounter"u8): Encounter = value; return true;
            default: return false;
        }
    }
}
