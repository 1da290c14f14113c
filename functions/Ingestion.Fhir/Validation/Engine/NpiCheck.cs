using Ingestion.Fhir.Json;
using System.Text.Json;
using Ingestion.Fhir.Validation.FhirPath;

namespace Ingestion.Fhir.Validation;

/// <summary>
/// us-core-16 (an NPI is ten digits) and us-core-17 (its Luhn check digit) on US Core Practitioner's NPI identifier,
/// decided without FHIRPath for what nearly every NPI is: a plain JSON string (no escapes, no <c>_value</c>). Through
/// the evaluator us-core-17 builds about forty collections per identifier and us-core-16 runs a regular expression:
/// the two cost more than any other constraint per evaluation on Synthea (every Practitioner). us-core-16's pattern
/// <c>^[0-9]{10}$</c> on a string without a line break is ten ASCII digits; us-core-17 on ten digits is the Luhn sum.
/// Anything else (no value, another JSON type, escapes, a <c>_value</c> object, for us-core-17 not ten digits)
/// answers null: the expression decides.
/// </summary>
internal static class NpiCheck
{
    /// <summary>us-core-16's expression (US Core 6.1.0 and 7.0.0), the only text checked natively as such.</summary>
    public const string DigitsExpression = "value.matches('^[0-9]{10}$')";

    /// <summary>us-core-17's expression (US Core 6.1.0 and 7.0.0), the only text checked natively as such.</summary>
    public const string CheckDigitExpression = "(((select(value.substring(0,1).toInteger()).select(iif($this<5, $this*2, (($this*2)-9))))+(value.substring(1,1).toInteger())+(select(value.substring(2,1).toInteger()).select(iif($this<5, $this*2, (($this*2)-9))))+(value.substring(3,1).toInteger())+(select(value.substring(4,1).toInteger()).select(iif($this<5, $this*2, (($this*2)-9))))+(value.substring(5,1).toInteger())+(select(value.substring(6,1).toInteger()).select(iif($this<5, $this*2, (($this*2)-9))))+(value.substring(7,1).toInteger())+(select(value.substring(8,1).toInteger()).select(iif($this<5, $this*2, (($this*2)-9))))+(value.substring(9,1).toInteger()) + 24)mod 10=0)";

    /// <summary>us-core-16 on an Identifier: whether its plain string value is ten ASCII digits; null when the expression must decide.</summary>
    public static bool? HasTenDigits(FhirPathCursor identifier) => PlainValue(identifier, out var raw) ? IsTenDigits(raw) : null;

    /// <summary>us-core-17 on an Identifier whose plain string value is ten ASCII digits: the Luhn sum with the 80840 prefix's 24; null otherwise.</summary>
    public static bool? HasValidCheckDigit(FhirPathCursor identifier)
    {
        if (!PlainValue(identifier, out var raw) || !IsTenDigits(raw)) return null;
        var sum = 24;
        for (var i = 0; i < 10; i++)
        {
            var digit = raw[i] - '0';
            // Even positions (0, 2, …, 8) are doubled, less 9 from 5 on: the expression's iif($this<5, …).
            sum += i % 2 == 0 ? (digit < 5 ? digit * 2 : digit * 2 - 9) : digit;
        }
        return sum % 10 == 0;
    }

    private static bool IsTenDigits(ReadOnlySpan<byte> raw) => raw.Length == 10 && !raw.ContainsAnyExceptInRange((byte)'0', (byte)'9');

    /// <summary>The Identifier's <c>value</c> as UTF-8 when it is one non-empty JSON string without escapes and without a <c>_value</c> object.</summary>
    private static bool PlainValue(FhirPathCursor identifier, out ReadOnlySpan<byte> raw)
    {
        raw = default;
        if (identifier.Value.ValueKind != JsonValueKind.Object) return false;
        JsonProperties.Find(identifier.Value, identifier.Members, "value", "_value", out var value, out var shadow);
        if (shadow.ValueKind != JsonValueKind.Undefined || value.ValueKind != JsonValueKind.String) return false;
        raw = PrimitiveFormats.Unquote(value.RawUtf8);
        return raw.Length > 0 && raw.IndexOf((byte)'\\') < 0;
    }
}
