using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Ingestion.Omop;

/// <summary>
/// The codings a file repeats (a few hundred codes, each thousands of times), remembered by their raw UTF-8 system and
/// code with the <see cref="SourceCode"/> they resolved to. A repeat then costs a hash and a comparison of those bytes
/// instead of a code string, a system URI match and the vocabulary's lookups. The result is the same as
/// <see cref="ConceptResolver.Resolve(string?, string?)"/>: a pure function of the system and code text. Direct-mapped
/// slots (a collision replaces the slot): memory is fixed. One per file (<see cref="MappedRows"/>); not thread-safe.
/// </summary>
// The key is composed on the stack and written before it is read: not zeroed per coding.
[SkipLocalsInit]
internal sealed class SourceCodeMemo
{
    private const int SlotCount = 1024;
    // A longer system and code (not seen in practice) are resolved every time rather than held.
    private const int MaxKeyBytes = 256;
    private const byte NoSystem = 1, HasSystem = 2, Separator = 0;

    private readonly Slot?[] _slots = new Slot?[SlotCount];

    /// <summary>
    /// What a coding's <paramref name="system"/> and <paramref name="code"/> values (as found: a string, or anything
    /// else for none) resolve to, as <c>resolver.Resolve(FhirJson.SystemUri(system) ?? defaultSystem,
    /// FhirJson.String(code))</c>; the resolver computes it when it is not remembered.
    /// </summary>
    public SourceCode Resolve(JsonElement system, JsonElement code, ConceptResolver resolver, string? defaultSystem = null)
    {
        Span<byte> key = stackalloc byte[MaxKeyBytes];
        var length = Key(system, code, defaultSystem, key);
        if (length < 0) return resolver.Resolve(FhirJson.SystemUri(system) ?? defaultSystem, FhirJson.String(code));
        key = key[..length];
        var hash = KeyHash(key);
        ref var slot = ref _slots[hash & (SlotCount - 1)];
        if (slot is not null && slot.Hash == hash && key.SequenceEqual(slot.Key)) return slot.Code;
        var resolved = resolver.Resolve(FhirJson.SystemUri(system) ?? defaultSystem, FhirJson.String(code));
        slot = new Slot(hash, key.ToArray(), resolved);
        return resolved;
    }

    /// <summary>Writes the key (whether there is a system, its text, a separator, the code's raw text) and returns its
    /// length; -1 when it is not to be remembered (escaped or long text, or no string code).</summary>
    private static int Key(JsonElement system, JsonElement code, string? defaultSystem, Span<byte> key)
    {
        if (code.ValueKind != JsonValueKind.String) return -1;
        var codeText = JsonMarshal.GetRawUtf8Value(code)[1..^1];
        // Escaped text would need decoding to compare as the resolver sees it: rare, resolved every time.
        if (codeText.Length > MaxKeyBytes / 2 || codeText.Contains((byte)'\\')) return -1;
        int systemLength;
        if (system.ValueKind == JsonValueKind.String)
        {
            var systemText = JsonMarshal.GetRawUtf8Value(system)[1..^1];
            if (systemText.Length > MaxKeyBytes / 2 - 2 || systemText.Contains((byte)'\\')) return -1;
            systemText.CopyTo(key[1..]);
            systemLength = systemText.Length;
        }
        else if (defaultSystem is not null)
        {
            // The default stands for the system: the same key as a coding that names it.
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

    private static int KeyHash(ReadOnlySpan<byte> key)
    {
        var hash = new HashCode();
        hash.AddBytes(key);
        return hash.ToHashCode() & int.MaxValue;
    }

    private sealed record Slot(int Hash, byte[] Key, SourceCode Code);
}
