using Ingestion.Fhir.Json;
using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Ingestion.Omop;

/// <summary>
/// The codes a file repeats (a few hundred CodeableConcepts and units, each thousands of times), remembered by their
/// raw UTF-8 JSON with the <see cref="SourceCode"/> they resolved to: a CodeableConcept by its whole text, a unit by
/// its system and code. A repeat then costs a hash (XXH3) and a comparison of those bytes instead of the member lookups, a
/// code string, a system URI match and the vocabulary's lookups. The result is the same as
/// <see cref="ConceptResolver.ResolveCodings"/> and <see cref="ConceptResolver.Resolve(string?, string?)"/>: a pure
/// function of that text. Direct-mapped slots (a collision replaces the slot): memory is fixed. One per file
/// (<see cref="MappedRows"/>); not thread-safe.
/// </summary>
// The unit's key is composed on the stack and written before it is read: not zeroed per unit.
[SkipLocalsInit]
internal sealed class SourceCodeMemo
{
    private const int SlotCount = 1024;
    // Longer texts (long display names) are resolved every time rather than held.
    private const int MaxKeyBytes = 512;
    private const byte ConceptKind = 0, UnitKind = 1;
    private const byte NoSystem = 1, HasSystem = 2, Separator = 0;

    private readonly Slot?[] _slots = new Slot?[SlotCount];
    private ConceptResolver? _resolver;

    /// <summary>The coding a CodeableConcept (as found: any kind) resolves to, as <see cref="ConceptResolver.ResolveCodings"/>.</summary>
    public SourceCode Resolve(ResourceElement codeableConcept, ConceptResolver resolver)
    {
        if (codeableConcept.ValueKind != JsonValueKind.Object) return SourceCode.None;
        // The whole text: the same bytes are the same codings (their displays included, which do not matter).
        var key = codeableConcept.RawUtf8;
        if (key.Length > MaxKeyBytes) return resolver.ResolveCodings(codeableConcept);
        ref var slot = ref SlotOf(ConceptKind, key, resolver, out var hash);
        if (slot is not null && slot.Hash == hash && slot.Kind == ConceptKind && key.SequenceEqual(slot.Key)) return slot.Code;
        var resolved = resolver.ResolveCodings(codeableConcept);
        slot = new Slot(hash, ConceptKind, key.ToArray(), resolved);
        return resolved;
    }

    /// <summary>
    /// What a unit's <paramref name="system"/> and <paramref name="code"/> values (as found: a string, or anything
    /// else for none) resolve to, as <c>resolver.Resolve(FhirJson.SystemUri(system) ?? defaultSystem,
    /// FhirJson.String(code))</c>.
    /// </summary>
    public SourceCode Resolve(ResourceElement system, ResourceElement code, ConceptResolver resolver, string? defaultSystem = null)
    {
        Span<byte> key = stackalloc byte[MaxKeyBytes];
        var length = UnitKey(system, code, defaultSystem, key);
        if (length < 0) return resolver.Resolve(FhirJson.SystemUri(system) ?? defaultSystem, FhirJson.String(code));
        key = key[..length];
        ref var slot = ref SlotOf(UnitKind, key, resolver, out var hash);
        if (slot is not null && slot.Hash == hash && slot.Kind == UnitKind && key.SequenceEqual(slot.Key)) return slot.Code;
        var resolved = resolver.Resolve(FhirJson.SystemUri(system) ?? defaultSystem, FhirJson.String(code));
        slot = new Slot(hash, UnitKind, key.ToArray(), resolved);
        return resolved;
    }

    private ref Slot? SlotOf(byte kind, ReadOnlySpan<byte> key, ConceptResolver resolver, out int hash)
    {
        if (!ReferenceEquals(resolver, _resolver))
        {
            // Results are the resolver's (its vocabulary's): another one starts afresh.
            Array.Clear(_slots);
            _resolver = resolver;
        }
        // XXH3 (vectorised): HashCode.AddBytes over a whole CodeableConcept's text was most of a hit's cost.
        hash = (int)XxHash3.HashToUInt64(key, kind) & int.MaxValue;
        return ref _slots[hash & (SlotCount - 1)];
    }

    /// <summary>Writes a unit's key (whether there is a system, its text, a separator, the code's raw text) and returns
    /// its length; -1 when it is not to be remembered (escaped or long text, or no string code).</summary>
    private static int UnitKey(ResourceElement system, ResourceElement code, string? defaultSystem, Span<byte> key)
    {
        if (code.ValueKind != JsonValueKind.String) return -1;
        var codeText = code.RawUtf8[1..^1];
        // Escaped text would need decoding to compare as the resolver sees it: rare, resolved every time.
        if (codeText.Length > MaxKeyBytes / 2 || codeText.Contains((byte)'\\')) return -1;
        int systemLength;
        if (system.ValueKind == JsonValueKind.String)
        {
            var systemText = system.RawUtf8[1..^1];
            if (systemText.Length > MaxKeyBytes / 2 - 2 || systemText.Contains((byte)'\\')) return -1;
            systemText.CopyTo(key[1..]);
            systemLength = systemText.Length;
        }
        else if (defaultSystem is not null)
        {
            // The default stands for the system: the same key as a unit that names it.
            if (!System.Text.Encoding.UTF8.TryGetBytes(defaultSystem, key[1..(MaxKeyBytes / 2 - 1)], out systemLength)) return -1;
        }
        else
        {
            key[0] = NoSystem;
            key[1] = Separator;
            codeText.CopyTo(key[2..]);
            return 2 + codeText.Length;
        }
        key[0] = HasSystem;
        key[1 + systemLength] = Separator;
        codeText.CopyTo(key[(2 + systemLength)..]);
        return 2 + systemLength + codeText.Length;
    }

    private sealed record Slot(int Hash, byte Kind, byte[] Key, SourceCode Code);
}
