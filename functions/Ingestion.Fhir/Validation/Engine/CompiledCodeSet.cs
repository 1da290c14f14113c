using Ingestion.Fhir.Json;
using System.Text;
using System.Text.Json;

namespace Ingestion.Fhir.Validation;

/// <summary>A value set's codes, looked up from raw JSON bytes without allocating.</summary>
internal sealed class CompiledCodeSet
{
    // Both by UTF-8 bytes, as the document holds them (every binding checks a code per Coding: no chars, no string).
    // "system|code" is matched as that text was: a pair is stored under each '|' of it (one, unless a system holds one).
    private readonly Utf8PairSet _codes;
    private readonly Utf8PairSet _systemCodes;

    public CompiledCodeSet(string valueSetUrl, IEnumerable<CodeEntry> entries)
    {
        ValueSetUrl = valueSetUrl;
        var codes = new List<(byte[], byte[])>();
        var systemCodes = new List<(byte[], byte[])>();
        foreach (var entry in entries)
        {
            codes.Add(([], Encoding.UTF8.GetBytes(entry.Code)));
            if (entry.System is null) continue;
            var text = Encoding.UTF8.GetBytes(entry.System + "|" + entry.Code);
            for (var i = 0; i < text.Length; i++)
            {
                if (text[i] == (byte)'|') systemCodes.Add((text[..i], text[(i + 1)..]));
            }
        }
        _codes = new Utf8PairSet(codes);
        _systemCodes = new Utf8PairSet(systemCodes);
    }

    public string ValueSetUrl { get; }

    public bool ContainsCode(ResourceElement code) =>
        code.ValueKind == JsonValueKind.String && _codes.Contains(default, Text(code));

    public bool Contains(ResourceElement system, ResourceElement code)
    {
        if (system.ValueKind != JsonValueKind.String) return ContainsCode(code);
        if (code.ValueKind != JsonValueKind.String) return false;
        return _systemCodes.Contains(Text(system), Text(code));
    }

    /// <summary>A string value's text as UTF-8: its raw bytes, or (with escapes, rare) the unescaped text, allocated.</summary>
    private static ReadOnlySpan<byte> Text(ResourceElement value)
    {
        var raw = PrimitiveFormats.Unquote(value.RawUtf8);
        return raw.IndexOf((byte)'\\') < 0 ? raw : Encoding.UTF8.GetBytes(value.GetString()!);
    }
}
