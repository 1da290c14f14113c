namespace Ingestion.Fhir.Validation.FhirPath;

/// <summary>+ - * / div mod over System values: Integer (32-bit range), Decimal, Quantity, date/time ± duration, String +.</summary>
internal static class FhirPathArithmetic
{
    public static object? Apply(string op, object? a, object? b)
    {
        if (a is null || b is null) return null;
        switch (a)
        {
            case long x when b is long y:
                return op switch
                {
                    "+" => Int(x + y),
                    "-" => Int(x - y),
                    "*" => Int(x * y),
                    "/" => y == 0 ? null : (decimal)x / y,
                    "div" => y == 0 ? null : x / y,
                    "mod" => y == 0 ? null : x % y,
                    _ => throw Invalid(op),
                };
            case long or decimal when b is long or decimal:
            {
                var x = Convert.ToDecimal(a, System.Globalization.CultureInfo.InvariantCulture);
                var y = Convert.ToDecimal(b, System.Globalization.CultureInfo.InvariantCulture);
                return op switch
                {
                    "+" => x + y,
                    "-" => x - y,
                    "*" => x * y,
                    "/" => y == 0 ? null : x / y,
                    "div" => y == 0 ? null : (long)decimal.Truncate(x / y),
                    "mod" => y == 0 ? null : x % y,
                    _ => throw Invalid(op),
                };
            }
            case string x when b is string y && op == "+":
                return x + y;
            case FhirPathDateTime x when b is FhirPathQuantity q && op is "+" or "-":
                return x.Add(q, op == "+" ? 1 : -1) ?? throw new FhirPathException(FhirPathErrorKind.Execution, "A date/time can only be added a time-valued quantity.");
            case FhirPathQuantity x when b is FhirPathQuantity y:
                return op switch
                {
                    "+" or "-" when FhirPathQuantity.NormalizeUnit(x.Unit) == FhirPathQuantity.NormalizeUnit(y.Unit) => x with { Value = op == "+" ? x.Value + y.Value : x.Value - y.Value },
                    "*" => new FhirPathQuantity(x.Value * y.Value, MultiplyUnits(x.Unit, y.Unit, "."))!,
                    "/" => y.Value == 0 ? null : new FhirPathQuantity(x.Value / y.Value, x.Unit == y.Unit ? "1" : MultiplyUnits(x.Unit, y.Unit, "/")),
                    _ => null,
                };
            case FhirPathQuantity x when b is long or decimal && op is "*" or "/":
            {
                var y = Convert.ToDecimal(b, System.Globalization.CultureInfo.InvariantCulture);
                return op == "*" ? x with { Value = x.Value * y } : y == 0 ? null : x with { Value = x.Value / y };
            }
            case long or decimal when b is FhirPathQuantity y && op == "*":
                return y with { Value = y.Value * Convert.ToDecimal(a, System.Globalization.CultureInfo.InvariantCulture) };
            default:
                throw Invalid(op);
        }
    }

    private static string MultiplyUnits(string a, string b, string op) => a == "1" ? (op == "." ? b : "1/" + b) : b == "1" ? a : a + op + b;

    private static object? Int(long value) => value is > int.MaxValue or < int.MinValue ? null : value;

    private static FhirPathException Invalid(string op) => new(FhirPathErrorKind.Execution, $"Operator {op} is not defined for these types.");
}
