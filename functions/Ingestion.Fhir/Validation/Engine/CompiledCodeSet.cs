using System.Runtime.InteropServices;
using System.Text.Json;

namespace Ingestion.Fhir.Validation;

/// <summary>A value set's codes, looked up from raw JSON bytes without allocating.</summary>
internal sealed class CompiledCodeSet
{
    private readonly HashSet<string> _systemCodes = new(StringComparer.Ordinal);
    private readonly HashSet<string> _codes = new(StringComparer.Ordinal);
    // Taken once: getting a set's span lookup checks its comparer each time (~1 % of validation when done per code).
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _systemCodeSpans;
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _codeSpans;

    public CompiledCodeSet(string valueSetUrl, IEnumerable<CodeEntry> entries)
    {
        ValueSetUrl = valueSetUrl;
        foreach (var entry in entries)
        {
            _codes.Add(entry.Code);
            if (entry.System is not null) _systemCodes.Add(entry.System + "|" + entry.Code);
        }
        _systemCodeSpans = _systemCodes.GetAlternateLookup<ReadOnlySpan<char>>();
        _codeSpans = _codes.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public string ValueSetUrl { get; }

    public bool ContainsCode(JsonElement code) => Lookup(_codes, _codeSpans, default, code);

    public bool Contains(JsonElement system, JsonElement code) =>
        system.ValueKind == JsonValueKind.String ? Lookup(_systemCodes, _systemCodeSpans, system, code) : ContainsCode(code);

    private static bool Lookup(HashSet<string> set, HashSet<string>.AlternateLookup<ReadOnlySpan<char>> spans, JsonElement system, JsonElement code)
    {
        if (code.ValueKind != JsonValueKind.String) return false;
        var codeRaw = PrimitiveFormats.Unquote(JsonMarshal.GetRawUtf8Value(code));
        var systemRaw = system.ValueKind == JsonValueKind.String ? PrimitiveFormats.Unquote(JsonMarshal.GetRawUtf8Value(system)) : default;
        var length = codeRaw.Length + (system.ValueKind == JsonValueKind.String ? systemRaw.Length + 1 : 0);
        if (length > 512 || codeRaw.IndexOf((byte)'\\') >= 0 || systemRaw.IndexOf((byte)'\\') >= 0 || ContainsNonAscii(codeRaw) || ContainsNonAscii(systemRaw))
        {
            var text = system.ValueKind == JsonValueKind.String ? system.GetString() + "|" + code.GetString() : code.GetString()!;
            return set.Contains(text);
        }
        Span<char> buffer = stackalloc char[length];
        var i = 0;
        if (system.ValueKind == JsonValueKind.String)
        {
            foreach (var b in systemRaw) buffer[i++] = (char)b;
            buffer[i++] = '|';
        }
        foreach (var b in codeRaw) buffer[i++] = (char)b;
        return spans.Contains(buffer);
    }

    private static bool ContainsNonAscii(ReadOnlySpan<byte> s)
    {
        foreach (var b in s) if (b >= 0x80) return true;
        return false;
    }
}
