using Ingestion.Fhir.Json;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Ingestion.Omop;

/// <summary>
/// A JSON number's text as <c>double.ToString("R", InvariantCulture)</c> writes the double it parses to, for
/// *_source_value columns. Most values are already written that way (<c>134.8</c>, <c>2</c>, <c>0.25</c>): their JSON
/// text is taken as it is instead of formatting the double. That is exact when the text has at most 15 significant
/// digits (any such decimal survives a round trip through a double, so it is the shortest text of its double), no
/// exponent, no leading or trailing zero that formatting would drop, and a magnitude "R" writes without an exponent
/// (below 1e15 and from 1e-4 up); anything else is formatted.
/// </summary>
internal static class RoundTripNumber
{
    private const int MaxSignificantDigits = 15;
    private const int MaxLeadingFractionZeros = 3;

    /// <summary>The text of a number element whose double is <paramref name="value"/>.</summary>
    public static string Text(ResourceElement number, double value)
    {
        var raw = number.RawUtf8;
        return IsRoundTripForm(raw) ? Encoding.ASCII.GetString(raw) : value.ToString("R", CultureInfo.InvariantCulture);
    }

    /// <summary>Whether the JSON number text is exactly what "R" writes for its double.</summary>
    internal static bool IsRoundTripForm(ReadOnlySpan<byte> text)
    {
        var i = 0;
        if (i < text.Length && text[i] == '-') i++;
        var integerStart = i;
        while (i < text.Length && IsDigit(text[i])) i++;
        var integerDigits = i - integerStart;
        // "0" alone, or no leading zero; at most 15 digits (1e15 and up are written with an exponent).
        if (integerDigits == 0 || integerDigits > MaxSignificantDigits || (integerDigits > 1 && text[integerStart] == '0')) return false;
        var significant = text[integerStart] == '0' ? 0 : integerDigits;
        if (i == text.Length) return true;
        if (text[i] != '.') return false; // an exponent
        i++;
        var fractionStart = i;
        while (i < text.Length && IsDigit(text[i])) i++;
        var fractionDigits = i - fractionStart;
        // Digits only to the end, and the last one not a zero "R" would drop.
        if (i != text.Length || fractionDigits == 0 || text[^1] == '0') return false;
        if (significant == 0)
        {
            // 0.000ddd: the zeros after the point are not significant; below 1e-4 "R" writes an exponent.
            var zeros = 0;
            while (text[fractionStart + zeros] == '0') zeros++;
            if (zeros > MaxLeadingFractionZeros) return false;
            significant = fractionDigits - zeros;
        }
        else significant += fractionDigits;
        return significant <= MaxSignificantDigits;
    }

    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;
}
