namespace Ingestion.Fhir.Validation;

/// <summary>
/// JSON may spell any UTF-16 code unit as <c>\uXXXX</c>, including half of a surrogate pair with no other half
/// (<c>"\ud800"</c>): valid JSON syntax, but not Unicode text, so it cannot become a string (System.Text.Json throws
/// when asked) nor UTF-8. FHIR strings are Unicode: such a value is invalid. Checked on the escaped bytes as written.
/// </summary>
internal static class JsonUnicodeEscapes
{
    /// <summary>True when the escaped JSON string content has a high surrogate not followed by a low one, or a lone low one.</summary>
    public static bool HasLoneSurrogate(ReadOnlySpan<byte> escaped)
    {
        for (var i = escaped.IndexOf((byte)'\\'); i >= 0 && i < escaped.Length - 1;)
        {
            if (escaped[i + 1] != (byte)'u')
            {
                i = Next(escaped, i + 2);
                continue;
            }
            if (!TryCodeUnit(escaped, i, out var unit)) return false; // malformed: the JSON reader reports it
            i += 6;
            if (unit is >= 0xDC00 and <= 0xDFFF) return true;
            if (unit is >= 0xD800 and <= 0xDBFF)
            {
                if (!TryCodeUnit(escaped, i, out var low) || low is < 0xDC00 or > 0xDFFF) return true;
                i += 6;
            }
            i = Next(escaped, i);
        }
        return false;
    }

    private static int Next(ReadOnlySpan<byte> escaped, int from)
    {
        if (from >= escaped.Length) return -1;
        var next = escaped[from..].IndexOf((byte)'\\');
        return next < 0 ? -1 : from + next;
    }

    /// <summary>The code unit of a <c>\uXXXX</c> escape starting at <paramref name="at"/>.</summary>
    private static bool TryCodeUnit(ReadOnlySpan<byte> s, int at, out int unit)
    {
        unit = 0;
        if (at + 6 > s.Length || s[at] != (byte)'\\' || s[at + 1] != (byte)'u') return false;
        for (var k = at + 2; k < at + 6; k++)
        {
            var digit = s[k] switch
            {
                >= (byte)'0' and <= (byte)'9' => s[k] - '0',
                >= (byte)'a' and <= (byte)'f' => s[k] - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => s[k] - 'A' + 10,
                _ => -1,
            };
            if (digit < 0) return false;
            unit = unit * 16 + digit;
        }
        return true;
    }
}
