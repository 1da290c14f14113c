using Ingestion.Fhir.Json;
using System.Globalization;
using System.Text.Json;

namespace Ingestion.Fhir.Validation.FhirPath;

/// <summary>
/// Item semantics: FHIR primitives as System values, type names and inheritance, equality (<c>=</c>),
/// equivalence (<c>~</c>) and ordering. Items are <see cref="FhirPathElement"/>s or System values
/// (bool, long, decimal, string, <see cref="FhirPathDateTime"/>, <see cref="FhirPathQuantity"/>, <see cref="FhirPathTypeInfo"/>).
/// </summary>
internal static class FhirPathValues
{
    private static readonly HashSet<string> StringTypes = new(StringComparer.Ordinal)
    {
        "string", "code", "id", "uri", "url", "canonical", "oid", "uuid", "markdown", "base64Binary", "xhtml",
    };

    private static readonly HashSet<string> QuantityTypes = new(StringComparer.Ordinal)
    {
        "Quantity", "Age", "Count", "Distance", "Duration", "MoneyQuantity", "SimpleQuantity",
    };

    private static readonly HashSet<string> PrimitiveTypes = new(StringComparer.Ordinal)
    {
        "boolean", "integer", "positiveInt", "unsignedInt", "decimal", "date", "dateTime", "instant", "time",
        "string", "code", "id", "uri", "url", "canonical", "oid", "uuid", "markdown", "base64Binary", "xhtml",
    };

    public static bool IsPrimitiveType(string type) => PrimitiveTypes.Contains(type);

    /// <summary>The System value of an item (a FHIR primitive's value, a Quantity), or the item itself.</summary>
    public static object? ToSystem(object item)
    {
        if (item is not FhirPathElement e) return item;
        var v = e.Value;
        switch (v.ValueKind)
        {
            case JsonValueKind.True: return true;
            case JsonValueKind.False: return false;
            case JsonValueKind.Number:
            {
                var raw = v.RawUtf8;
                if (e.Type is "decimal" || raw.IndexOfAny((byte)'.', (byte)'e', (byte)'E') >= 0)
                    return decimal.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null;
                return long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) ? l : null;
            }
            case JsonValueKind.String:
                return e.Type switch
                {
                    "date" => FhirPathDateTime.TryParse(v.GetString(), FhirPathTemporalKind.Date),
                    "dateTime" or "instant" => FhirPathDateTime.TryParse(v.GetString(), FhirPathTemporalKind.DateTime),
                    "time" => FhirPathDateTime.TryParse("T" + v.GetString()),
                    _ => v.GetString(),
                };
            case JsonValueKind.Object when e.Type is { } type && QuantityTypes.Contains(type):
                return ToQuantity(v);
            case JsonValueKind.Undefined when e.HasPrimitiveValue is false && e.Type is { } t && PrimitiveTypes.Contains(t):
                return null; // extension-only primitive: no value
            default:
                return item;
        }
    }

    private static FhirPathQuantity? ToQuantity(ResourceElement v)
    {
        if (!v.TryGetProperty("value"u8, out var value) || value.ValueKind != JsonValueKind.Number) return null;
        var number = decimal.Parse(value.RawUtf8, NumberStyles.Float, CultureInfo.InvariantCulture);
        string unit;
        if (v.TryGetProperty("code"u8, out var code) && code.ValueKind == JsonValueKind.String
            && v.TryGetProperty("system"u8, out var system) && system.ValueEquals("http://unitsofmeasure.org"u8)) unit = code.GetString()!;
        else if (v.TryGetProperty("unit"u8, out var u) && u.ValueKind == JsonValueKind.String) unit = u.GetString()!;
        else unit = "1";
        return new FhirPathQuantity(number, unit);
    }

    public static FhirPathTypeInfo TypeOf(object item)
    {
        var (ns, name) = TypeNameOf(item);
        return new FhirPathTypeInfo(ns, name);
    }

    /// <summary>The namespace and name of an item's type, without allocating (<see cref="IsOfType"/> runs per item).</summary>
    internal static (string Namespace, string Name) TypeNameOf(object item) => item switch
    {
        FhirPathElement e => ("FHIR", e.Type ?? "Element"),
        bool => ("System", "Boolean"),
        long => ("System", "Integer"),
        decimal => ("System", "Decimal"),
        string => ("System", "String"),
        FhirPathDateTime d => ("System", d.Kind switch
        {
            FhirPathTemporalKind.Date => "Date",
            FhirPathTemporalKind.Time => "Time",
            _ => "DateTime",
        }),
        FhirPathQuantity => ("System", "Quantity"),
        _ => ("System", "Any"),
    };

    /// <summary>FHIR type inheritance as far as <c>is</c>/<c>as</c>/<c>ofType</c> need it.</summary>
    public static string? BaseTypeOf(string type) => type switch
    {
        "code" or "id" or "markdown" => "string",
        "url" or "canonical" or "oid" or "uuid" => "uri",
        "positiveInt" or "unsignedInt" => "integer",
        "Age" or "Count" or "Distance" or "Duration" or "MoneyQuantity" or "SimpleQuantity" => "Quantity",
        "Bundle" or "Binary" or "Parameters" or "DomainResource" => "Resource",
        "Resource" or "Element" => null,
        _ when FhirResourceTypes.IsKnown(type) => "DomainResource",
        _ when PrimitiveTypes.Contains(type) => "Element",
        "BackboneElement" => "Element",
        _ => "Element",
    };

    /// <summary>
    /// <c>is</c> follows inheritance (a code is a string); <c>as</c>/<c>ofType</c> (<paramref name="exact"/>) match the
    /// type itself, except the abstract Resource/DomainResource, as the R4 reference engine does.
    /// </summary>
    public static bool IsOfType(object item, FhirPathTypeName type, bool exact = false)
    {
        var info = TypeNameOf(item);
        if (type.Namespace is { } ns && ns != info.Namespace) return false;
        if (info.Namespace == "System") return info.Name == type.Name || type.Name == "Any";
        if (exact && type.Name is not ("Resource" or "DomainResource")) return info.Name == type.Name;
        for (string? t = info.Name; t is not null; t = BaseTypeOf(t))
        {
            if (t == type.Name) return true;
        }
        return false;
    }

    private static readonly HashSet<string> SystemTypes = new(StringComparer.Ordinal)
    {
        "Any", "Boolean", "Integer", "Decimal", "String", "Date", "DateTime", "Time", "Quantity",
    };

    private static readonly HashSet<string> ComplexTypes = new(StringComparer.Ordinal)
    {
        "Address", "Age", "Annotation", "Attachment", "BackboneElement", "CodeableConcept", "Coding", "ContactDetail",
        "ContactPoint", "Contributor", "Count", "DataRequirement", "Distance", "Dosage", "Duration", "Element",
        "ElementDefinition", "Expression", "Extension", "HumanName", "Identifier", "MarketingStatus", "Meta", "Money",
        "MoneyQuantity", "Narrative", "ParameterDefinition", "Period", "Population", "ProdCharacteristic",
        "ProductShelfLife", "Quantity", "Range", "Ratio", "Reference", "RelatedArtifact", "SampledData", "Signature",
        "SimpleQuantity", "SubstanceAmount", "Timing", "TriggerDefinition", "UsageContext", "Resource", "DomainResource",
    };

    /// <summary>A System type, or an R4 primitive, complex or resource type.</summary>
    public static bool IsKnownType(FhirPathTypeName type) => type.Namespace switch
    {
        "System" => true, // System.Patient is a valid name that nothing is an instance of
        "FHIR" => IsFhirType(type.Name),
        null => SystemTypes.Contains(type.Name) || IsFhirType(type.Name),
        _ => false,
    };

    private static bool IsFhirType(string name) => PrimitiveTypes.Contains(name) || ComplexTypes.Contains(name) || FhirResourceTypes.IsKnown(name) || name is "Resource" or "DomainResource";

    public static bool? ToBoolean(object item) => ToSystem(item) switch
    {
        bool b => b,
        _ => null,
    };

    /// <summary>FHIRPath <c>=</c> on two single items; null when unknown (different date precisions).</summary>
    public static bool? AreEqual(object left, object right)
    {
        var a = ToSystem(left);
        var b = ToSystem(right);
        if (a is null || b is null) return null;
        switch (a)
        {
            case string s when b is string t: return string.Equals(s, t, StringComparison.Ordinal);
            case bool x when b is bool y: return x == y;
            case long or decimal when b is long or decimal: return Convert.ToDecimal(a, CultureInfo.InvariantCulture) == Convert.ToDecimal(b, CultureInfo.InvariantCulture);
            case FhirPathDateTime x when b is FhirPathDateTime y:
                if (x.Kind == FhirPathTemporalKind.Time != (y.Kind == FhirPathTemporalKind.Time)) return false;
                var c = FhirPathDateTime.Compare(x, y);
                return c is null ? null : c == 0;
            case FhirPathQuantity x when b is FhirPathQuantity y: return CompareQuantities(x, y) is { } q ? q == 0 : null;
            case FhirPathTypeInfo x when b is FhirPathTypeInfo y: return x == y;
            case FhirPathElement x when b is FhirPathElement y: return JsonValues.EqualsExactly(x.Value, y.Value);
            default: return false;
        }
    }

    public static bool AreEquivalent(object left, object right)
    {
        var a = ToSystem(left);
        var b = ToSystem(right);
        if (a is null || b is null) return a is null && b is null;
        switch (a)
        {
            case string s when b is string t: return string.Equals(NormalizeSpace(s), NormalizeSpace(t), StringComparison.OrdinalIgnoreCase);
            case long or decimal when b is long or decimal:
            {
                var x = Convert.ToDecimal(a, CultureInfo.InvariantCulture);
                var y = Convert.ToDecimal(b, CultureInfo.InvariantCulture);
                var scale = Math.Min(Scale(x), Scale(y));
                return Math.Round(x, scale, MidpointRounding.AwayFromZero) == Math.Round(y, scale, MidpointRounding.AwayFromZero);
            }
            case FhirPathDateTime x when b is FhirPathDateTime y: return FhirPathDateTime.Compare(x, y) == 0;
            case FhirPathQuantity x when b is FhirPathQuantity y: return QuantitiesEquivalent(x, y);
            default: return AreEqual(a, b) == true;
        }
    }

    public static int Scale(decimal value) => (decimal.GetBits(value)[3] >> 16) & 0xFF;

    private static string NormalizeSpace(string s) => string.Join(' ', s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    /// <summary>Ordering for &lt; &gt; &lt;= &gt;=; null when unknown; throws when the types cannot be compared.</summary>
    public static int? Compare(object left, object right)
    {
        var a = ToSystem(left);
        var b = ToSystem(right);
        if (a is null || b is null) return null;
        return a switch
        {
            string s when b is string t => Math.Sign(string.CompareOrdinal(s, t)),
            long or decimal when b is long or decimal => Convert.ToDecimal(a, CultureInfo.InvariantCulture).CompareTo(Convert.ToDecimal(b, CultureInfo.InvariantCulture)),
            FhirPathDateTime x when b is FhirPathDateTime y => x.Kind == FhirPathTemporalKind.Time == (y.Kind == FhirPathTemporalKind.Time)
                ? FhirPathDateTime.Compare(x, y)
                : throw new FhirPathException(FhirPathErrorKind.Execution, "Cannot compare a time with a date."),
            FhirPathQuantity x when b is FhirPathQuantity y => CompareQuantities(x, y),
            _ => throw new FhirPathException(FhirPathErrorKind.Execution, $"Cannot compare {TypeOf(a).Name} with {TypeOf(b).Name}."),
        };
    }

    public static int? CompareQuantities(FhirPathQuantity a, FhirPathQuantity b)
    {
        var ua = FhirPathQuantity.NormalizeUnit(a.Unit);
        var ub = FhirPathQuantity.NormalizeUnit(b.Unit);
        // Calendar years/months are not definite durations: they compare only with the same keyword.
        if ((IsYearOrMonthKeyword(a.Unit) || IsYearOrMonthKeyword(b.Unit)) && (ua != ub || IsYearOrMonthKeyword(a.Unit) != IsYearOrMonthKeyword(b.Unit))) return null;
        if (ua == ub) return a.Value.CompareTo(b.Value);
        if (FhirPathQuantity.BaseOf(ua) is not { } ba || FhirPathQuantity.BaseOf(ub) is not { } bb || ba.Base != bb.Base) return null;
        return (a.Value * ba.Factor).CompareTo(b.Value * bb.Factor);
    }

    private static bool IsYearOrMonthKeyword(string unit) => unit is "year" or "years" or "month" or "months";

    /// <summary>Quantity equivalence: same dimension, equal when rounded to the less precise value's scale.</summary>
    private static bool QuantitiesEquivalent(FhirPathQuantity a, FhirPathQuantity b)
    {
        if (CompareQuantities(a, b) is null) return false;
        var ba = FhirPathQuantity.BaseOf(a.Unit)!.Value;
        var bb = FhirPathQuantity.BaseOf(b.Unit)!.Value;
        var unit = Math.Max(ba.Factor, bb.Factor); // compared in the larger unit, at the coarser precision
        var x = a.Value * ba.Factor / unit;
        var y = b.Value * bb.Factor / unit;
        var scale = Math.Min(Scale(x), Scale(y));
        return Math.Round(x, scale, MidpointRounding.AwayFromZero) == Math.Round(y, scale, MidpointRounding.AwayFromZero);
    }

    /// <summary>The string form of <c>toString()</c>.</summary>
    public static string? ToText(object item) => ToSystem(item) switch
    {
        string s => s,
        bool b => b ? "true" : "false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        decimal d => d.ToString(CultureInfo.InvariantCulture),
        FhirPathDateTime dt => dt.ToString(),
        FhirPathQuantity q => q.ToString(),
        _ => null,
    };
}

/// <summary>The result of <c>type()</c>.</summary>
internal sealed record FhirPathTypeInfo(string Namespace, string Name);
