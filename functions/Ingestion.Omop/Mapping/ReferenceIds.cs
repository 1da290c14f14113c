using Ingestion.Fhir.Json;
using System.Text.Json;
using Ingestion.Privacy;

namespace Ingestion.Omop;

/// <summary>
/// The references a file's resources repeat (each resource's patient, its encounter, the practitioner), remembered
/// with the logical id they resolve to and the shared key derived from it. A repeat then costs a comparison of the
/// Reference object's raw UTF-8 text instead of a search for its reference, transcoding, parsing and a new id string,
/// and its key an identity check instead of an HMAC (the de-identifier keeps no cache). The result is the same as <see cref="FhirJson.LogicalId"/> and
/// <see cref="IDeidentifier.PseudonymousId(OmopKeyDomain, string)"/> (a pure function of the raw text and the type).
/// A few slots, the least recently used reused: memory is fixed. One per file (<see cref="MappedRows"/>); not thread-safe.
/// </summary>
internal sealed class ReferenceIds
{
    private const int SlotCount = 8;
    // Longer references (not seen in practice) are resolved every time rather than held.
    private const int MaxRawBytes = 512;

    private readonly Slot[] _slots = new Slot[SlotCount];
    private long _uses;

    public ReferenceIds()
    {
        for (var i = 0; i < SlotCount; i++) _slots[i] = new Slot();
    }

    /// <summary><see cref="FhirJson.LogicalId"/> of a Reference object, remembered by the object's raw text (a pure
    /// function of it): a repeat is one comparison, not a search of the object for its <c>reference</c>.</summary>
    public string? LogicalId(ResourceElement reference, string expectedType)
    {
        if (reference.ValueKind != JsonValueKind.Object) return null;
        var raw = reference.RawUtf8;
        var use = ++_uses;
        var oldest = _slots[0];
        foreach (var slot in _slots)
        {
            if (slot.Id is not null && ReferenceEquals(slot.Type, expectedType) && raw.SequenceEqual(slot.Raw.AsSpan(0, slot.Length)))
            {
                slot.LastUse = use;
                return slot.Id;
            }
            if (slot.LastUse < oldest.LastUse) oldest = slot;
        }
        var id = FhirJson.LogicalId(reference, expectedType);
        // The least recently used slot makes room: the file's patient stays while its encounters come and go.
        if (id is not null && raw.Length <= MaxRawBytes) oldest.Fill(raw, expectedType, id, use);
        return id;
    }

    /// <summary>The key of a shared domain (person, visit, provider, care site) for an id this memo returned; any
    /// other id or domain goes to the de-identifier as it is.</summary>
    public long Key(OmopKeyDomain domain, string logicalId, IDeidentifier deidentifier)
    {
        if (domain is not (OmopKeyDomain.Person or OmopKeyDomain.VisitOccurrence or OmopKeyDomain.Provider or OmopKeyDomain.CareSite))
            return deidentifier.PseudonymousId(domain, logicalId);
        foreach (var slot in _slots)
        {
            if (!ReferenceEquals(slot.Id, logicalId)) continue;
            if (slot.HasKey && slot.Domain == domain) return slot.Key;
            var key = deidentifier.PseudonymousId(domain, logicalId);
            (slot.Domain, slot.Key, slot.HasKey) = (domain, key, true);
            return key;
        }
        return deidentifier.PseudonymousId(domain, logicalId);
    }

    private sealed class Slot
    {
        public byte[] Raw = new byte[64];
        public int Length;
        public string? Type;
        public string? Id;
        public OmopKeyDomain Domain;
        public long Key;
        public bool HasKey;
        public long LastUse;

        public void Fill(ReadOnlySpan<byte> raw, string type, string id, long use)
        {
            if (raw.Length > Raw.Length) Raw = new byte[raw.Length];
            raw.CopyTo(Raw);
            (Length, Type, Id, HasKey, LastUse) = (raw.Length, type, id, false, use);
        }
    }
}
