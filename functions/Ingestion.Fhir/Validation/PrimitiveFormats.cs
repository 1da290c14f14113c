using Ingestion.Fhir.Json;
using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Ingestion.Fhir.Validation;

/// <summary>Outcome of a primitive check: fine, wrong JSON token kind, or a value outside the type's lexical space.</summary>
public enum PrimitiveCheck { Valid, WrongJsonType, InvalidFormat }

/// <summary>
/// The FHIR R4 primitive regular expressions, hand-written over the raw UTF-8 bytes of the JSON value so the hot path
/// neither allocates strings nor runs a regex engine.
/// </summary>
public static class PrimitiveFormats
{
    public static PrimitiveCheck Check(PrimitiveKind kind, ResourceElement value) => Check(kind, value, value.ValueKind);

    /// <summary>As <see cref="Check(PrimitiveKind, ResourceElement)"/> with the value's JSON kind, which the walk has read already.</summary>
    internal static PrimitiveCheck Check(PrimitiveKind kind, ResourceElement value, JsonValueKind valueKind)
    {
        switch (kind)
        {
            case PrimitiveKind.Boolean:
                return valueKind is JsonValueKind.True or JsonValueKind.False ? PrimitiveCheck.Valid : PrimitiveCheck.WrongJsonType;
            case PrimitiveKind.Decimal:
                // JSON's number grammar is exactly FHIR's decimal regex.
                return valueKind == JsonValueKind.Number ? PrimitiveCheck.Valid : PrimitiveCheck.WrongJsonType;
            case PrimitiveKind.Integer:
            case PrimitiveKind.PositiveInt:
            case PrimitiveKind.UnsignedInt:
                if (valueKind != JsonValueKind.Number) return PrimitiveCheck.WrongJsonType;
                if (!value.TryGetInt32(out var number) || !IsPlainInteger(value.RawUtf8)) return PrimitiveCheck.InvalidFormat;
                return kind switch
                {
                    PrimitiveKind.PositiveInt when number < 1 => PrimitiveCheck.InvalidFormat,
                    PrimitiveKind.UnsignedInt when number < 0 => PrimitiveCheck.InvalidFormat,
                    _ => PrimitiveCheck.Valid,
                };
            case PrimitiveKind.None:
                return valueKind == JsonValueKind.Object ? PrimitiveCheck.Valid : PrimitiveCheck.WrongJsonType;
        }

        if (valueKind != JsonValueKind.String) return PrimitiveCheck.WrongJsonType;
        var raw = Unquote(value.RawUtf8);
        if (raw.IndexOf((byte)'\\') >= 0)
        {
            // Escaped content is rare: check the unescaped text (allocates, off the hot path). "\ud800" is not text at all.
            if (JsonUnicodeEscapes.HasLoneSurrogate(raw)) return PrimitiveCheck.InvalidFormat;
            raw = Encoding.UTF8.GetBytes(value.GetString() ?? "");
        }
        return IsValidText(kind, raw) ? PrimitiveCheck.Valid : PrimitiveCheck.InvalidFormat;
    }

    /// <summary>Checks unescaped UTF-8 text against the lexical space of a string-based primitive.</summary>
    public static bool IsValidText(PrimitiveKind kind, ReadOnlySpan<byte> s) => kind switch
    {
        // FHIR forbids empty strings in every string-based primitive.
        PrimitiveKind.String or PrimitiveKind.Markdown => s.Length > 0,
        PrimitiveKind.Xhtml => s.Length > 0,
        PrimitiveKind.Id => IsId(s),
        PrimitiveKind.Code => IsCode(s),
        PrimitiveKind.Uri or PrimitiveKind.Url or PrimitiveKind.Canonical => s.Length > 0 && !ContainsWhitespace(s),
        PrimitiveKind.Oid => IsOid(s),
        PrimitiveKind.Uuid => IsUuid(s),
        PrimitiveKind.Base64Binary => IsBase64(s),
        PrimitiveKind.Date => IsDate(s, out var rest) && rest == 0,
        PrimitiveKind.DateTime => IsDateTime(s, requireTime: false),
        PrimitiveKind.Instant => IsDateTime(s, requireTime: true),
        PrimitiveKind.Time => IsTime(s, out var used) && used == s.Length,
        _ => true,
    };

    /// <summary>GetRawUtf8Value includes the quotes of a string token.</summary>
    public static ReadOnlySpan<byte> Unquote(ReadOnlySpan<byte> raw) =>
        raw.Length >= 2 && raw[0] == (byte)'"' && raw[^1] == (byte)'"' ? raw[1..^1] : raw;

    private static bool IsPlainInteger(ReadOnlySpan<byte> raw) => raw.IndexOfAny((byte)'.', (byte)'e', (byte)'E') < 0;

    private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';

    private static bool IsWhitespace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';

    // Vectorized searches: ids (UUIDs on Synthea) and URIs are checked on every resource and reference.
    private static readonly SearchValues<byte> Whitespace = SearchValues.Create(" \t\r\n"u8);
    private static readonly SearchValues<byte> IdBytes = SearchValues.Create("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-."u8);

    private static bool ContainsWhitespace(ReadOnlySpan<byte> s) => s.IndexOfAny(Whitespace) >= 0;

    // [A-Za-z0-9\-\.]{1,64}
    private static bool IsId(ReadOnlySpan<byte> s) => s.Length is >= 1 and <= 64 && s.IndexOfAnyExcept(IdBytes) < 0;

    // [^\s]+(\s[^\s]+)*
    private static bool IsCode(ReadOnlySpan<byte> s)
    {
        if (s.Length == 0 || IsWhitespace(s[0]) || IsWhitespace(s[^1])) return false;
        var first = s.IndexOfAny(Whitespace);
        if (first < 0) return true;
        for (var i = first + 1; i < s.Length; i++)
        {
            if (IsWhitespace(s[i]) && IsWhitespace(s[i - 1])) return false;
        }
        return true;
    }

    // urn:oid:[0-2](\.(0|[1-9][0-9]*))+
    private static bool IsOid(ReadOnlySpan<byte> s)
    {
        if (!s.StartsWith("urn:oid:"u8)) return false;
        s = s[8..];
        if (s.Length < 3 || s[0] is < (byte)'0' or > (byte)'2') return false;
        var i = 1;
        var arcs = 0;
        while (i < s.Length)
        {
            if (s[i] != (byte)'.') return false;
            i++;
            var start = i;
            while (i < s.Length && IsDigit(s[i])) i++;
            if (i == start || (s[start] == (byte)'0' && i - start > 1)) return false;
            arcs++;
        }
        return arcs > 0;
    }

    // urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}
    private static bool IsUuid(ReadOnlySpan<byte> s)
    {
        if (s.Length != 45 || !s.StartsWith("urn:uuid:"u8)) return false;
        s = s[9..];
        for (var i = 0; i < s.Length; i++)
        {
            var b = s[i];
            if (i is 8 or 13 or 18 or 23)
            {
                if (b != (byte)'-') return false;
            }
            else if (!(IsDigit(b) || b is >= (byte)'a' and <= (byte)'f')) return false;
        }
        return true;
    }

    // (\s*([0-9a-zA-Z\+/=]){4}\s*)+
    private static bool IsBase64(ReadOnlySpan<byte> s)
    {
        var count = 0;
        foreach (var b in s)
        {
            if (IsWhitespace(b)) continue;
            if (!(IsDigit(b) || b is >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z' or (byte)'+' or (byte)'/' or (byte)'=')) return false;
            count++;
        }
        return count > 0 && count % 4 == 0;
    }

    // ([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1]))?)?
    // Returns the number of bytes left after the date in rest.
    private static bool IsDate(ReadOnlySpan<byte> s, out int rest)
    {
        rest = 0;
        if (s.Length < 4 || !IsDigit(s[0]) || !IsDigit(s[1]) || !IsDigit(s[2]) || !IsDigit(s[3])) return false;
        if (s[..4].SequenceEqual("0000"u8)) return false;
        var i = 4;
        if (i < s.Length && s[i] == (byte)'-')
        {
            if (s.Length < i + 3 || !IsTwoDigits(s, i + 1, 1, 12)) return false;
            i += 3;
            if (i < s.Length && s[i] == (byte)'-')
            {
                // The regex allows 31 for every month; the calendar does not (2021-02-30, 2023-04-31).
                var month = (s[5] - '0') * 10 + (s[6] - '0');
                var year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
                if (s.Length < i + 3 || !IsTwoDigits(s, i + 1, 1, DateTime.DaysInMonth(year, month))) return false;
                i += 3;
            }
        }
        rest = s.Length - i;
        return true;
    }

    private static bool IsTwoDigits(ReadOnlySpan<byte> s, int at, int min, int max)
    {
        if (!IsDigit(s[at]) || !IsDigit(s[at + 1])) return false;
        var v = (s[at] - '0') * 10 + (s[at + 1] - '0');
        return v >= min && v <= max;
    }

    // ([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?
    private static bool IsTime(ReadOnlySpan<byte> s, out int used)
    {
        used = 0;
        if (s.Length < 8 || !IsTwoDigits(s, 0, 0, 23) || s[2] != (byte)':' || !IsTwoDigits(s, 3, 0, 59) || s[5] != (byte)':' || !IsTwoDigits(s, 6, 0, 60)) return false;
        var i = 8;
        if (i < s.Length && s[i] == (byte)'.')
        {
            i++;
            var start = i;
            while (i < s.Length && IsDigit(s[i])) i++;
            if (i == start) return false;
        }
        used = i;
        return true;
    }

    // Date, then optionally T + time + (Z | (+|-)hh:mm) with hh:mm up to 14:00; a time needs a full date and a zone.
    private static bool IsDateTime(ReadOnlySpan<byte> s, bool requireTime)
    {
        if (!IsDate(s, out var rest)) return false;
        var dateLength = s.Length - rest;
        if (rest == 0) return !requireTime;
        if (dateLength != 10 || s[dateLength] != (byte)'T') return false;
        var t = s[(dateLength + 1)..];
        if (!IsTime(t, out var used)) return false;
        var zone = t[used..];
        if (zone.Length == 1) return zone[0] == (byte)'Z';
        if (zone.Length != 6 || zone[0] is not ((byte)'+' or (byte)'-') || zone[3] != (byte)':') return false;
        if (!IsTwoDigits(zone, 1, 0, 14) || !IsTwoDigits(zone, 4, 0, 59)) return false;
        return zone[1] != (byte)'1' || zone[2] != (byte)'4' || (zone[4] == (byte)'0' && zone[5] == (byte)'0');
    }
}
