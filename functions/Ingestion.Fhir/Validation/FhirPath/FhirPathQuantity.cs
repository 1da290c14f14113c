using System.Globalization;

namespace Ingestion.Fhir.Validation.FhirPath;

/// <summary>A System.Quantity: a decimal and a UCUM unit (or a calendar duration keyword such as <c>days</c>).</summary>
public sealed record FhirPathQuantity(decimal Value, string Unit)
{
    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture) + (IsCalendarKeyword(Unit) ? " " + Unit : " '" + Unit + "'");

    /// <summary>Calendar keywords and their UCUM definite-duration codes; year/month keywords compare only with themselves.</summary>
    internal static string NormalizeUnit(string unit) => unit switch
    {
        "year" or "years" => "a",
        "month" or "months" => "mo",
        "week" or "weeks" => "wk",
        "day" or "days" => "d",
        "hour" or "hours" => "h",
        "minute" or "minutes" => "min",
        "second" or "seconds" => "s",
        "millisecond" or "milliseconds" => "ms",
        _ => unit,
    };

    internal static bool IsCalendarKeyword(string unit) => NormalizeUnit(unit) != unit || unit is "year" or "month";

    /// <summary>Scale to a base unit for the units the suite and the invariants compare (time, mass, length); null when unknown.</summary>
    internal static (string Base, decimal Factor)? BaseOf(string unit) => NormalizeUnit(unit) switch
    {
        "ms" => ("s", 0.001m),
        "s" => ("s", 1m),
        "min" => ("s", 60m),
        "h" => ("s", 3600m),
        "d" => ("s", 86400m),
        "wk" => ("s", 604800m),
        "g" => ("g", 1m),
        "mg" => ("g", 0.001m),
        "kg" => ("g", 1000m),
        "ug" => ("g", 0.000001m),
        "[lb_av]" => ("g", 453.59237m),
        "[oz_av]" => ("g", 28.349523125m),
        "m" => ("m", 1m),
        "cm" => ("m", 0.01m),
        "mm" => ("m", 0.001m),
        "km" => ("m", 1000m),
        "[in_i]" => ("m", 0.0254m),
        "[ft_i]" => ("m", 0.3048m),
        "1" => ("1", 1m),
        "%" => ("1", 0.01m),
        "Cel" => ("Cel", 1m),
        "L" => ("L", 1m),
        "mL" => ("L", 0.001m),
        "dL" => ("L", 0.1m),
        var other => (other, 1m),
    };
}
