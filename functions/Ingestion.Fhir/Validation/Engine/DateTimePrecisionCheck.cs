using Ingestion.Fhir.Json;
using System.Text.Json;
using Ingestion.Fhir.Validation.FhirPath;

namespace Ingestion.Fhir.Validation;

/// <summary>
/// us-core-1 and vs-1 (an Observation's effective date-time is precise to the day, or the month) on every
/// <c>effective[x]</c>, decided without FHIRPath for what Synthea writes: a <c>dateTime</c> string whose first ten
/// characters are a valid date (<c>YYYY-MM-DD</c>) passes both — parsed, FHIRPath's <c>toString()</c> of a day-precise
/// date-time has at least 10 characters; not parsed (a malformed time part), <c>is DateTime</c> is false and
/// <c>as dateTime</c>'s text empty, which pass too. A Period or Timing passes (it is no DateTime: the implication's
/// left side is false, <c>as dateTime</c> is empty). Anything else (less precise, escapes, year 0000, an instant, only a
/// <c>_effectiveDateTime</c> object) answers null: the expression decides.
/// </summary>
internal static class DateTimePrecisionCheck
{
    /// <summary>US Core 6.1.0 us-core-1.</summary>
    public const string DayExpression = "$this is DateTime implies $this.toString().length() >= 10";

    /// <summary>R4 vital signs vs-1.</summary>
    public const string MonthExpression = "($this as dateTime).toString().length() >= 8";

    public static bool? Holds(FhirPathCursor effective)
    {
        if (effective.Value.ValueKind == JsonValueKind.Object) return effective.Type is "Period" or "Timing" ? true : null;
        if (effective.Value.ValueKind != JsonValueKind.String || effective.Type != "dateTime") return null;
        var raw = PrimitiveFormats.Unquote(effective.Value.RawUtf8);
        return raw.Length >= 10 && PeriodOrderCheck.IsDate(raw[..10]) ? true : null;
    }
}
