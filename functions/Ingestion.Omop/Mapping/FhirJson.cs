using Ingestion.Fhir.Json;
using System.Buffers.Text;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Ingestion.Omop;

/// <summary>Reads FHIR JSON elements by FHIR's rules (absent and null are the same; wrong kinds read as absent).</summary>
// LogicalId's stack buffer is written before it is read: not zeroed per reference.
[SkipLocalsInit]
internal static class FhirJson
{
    private const int StackReferenceChars = 256;

    // Each reading exists twice: of a value already found (by a one-pass member reader, JsonMembers), and of a named
    // member of an object (one lookup). Both apply the same rule.

    /// <summary>The value if it is a string, else null.</summary>
    public static string? String(ResourceElement value) => value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public static string? String(ResourceElement element, ReadOnlySpan<byte> name) => String(Member(element, name));

    /// <summary>A code system URI: the shared string of a known system (<see cref="FhirCodeSystems"/>), compared as
    /// UTF-8 so no string is made for it (it is only looked up), else the value's string; null when not a string.</summary>
    public static string? SystemUri(ResourceElement value)
    {
        if (value.ValueKind != JsonValueKind.String) return null;
        var raw = value.RawUtf8[1..^1];
        return (raw.Contains((byte)'\\') ? null : FhirCodeSystems.KnownUri(raw)) ?? value.GetString();
    }

    /// <summary>Whether the value is a string equal to <paramref name="expected"/> (UTF-8), without allocating the string.</summary>
    public static bool StringEquals(ResourceElement value, ReadOnlySpan<byte> expected) =>
        value.ValueKind == JsonValueKind.String && value.ValueEquals(expected);

    /// <summary>Whether a string property equals <paramref name="expected"/> (UTF-8), without allocating the string.</summary>
    public static bool StringEquals(ResourceElement element, ReadOnlySpan<byte> name, ReadOnlySpan<byte> expected) =>
        StringEquals(Member(element, name), expected);

    /// <summary>Whether the value is a non-empty string, without allocating the string.</summary>
    public static bool HasNonEmptyString(ResourceElement value) =>
        value.ValueKind == JsonValueKind.String && !value.ValueEquals(ReadOnlySpan<byte>.Empty);

    /// <summary>The value if it is a string, else null: the element itself, for <c>??</c> chains that read as
    /// <c>String(a) ?? String(b)</c> but make no string (a date is made one only when not remembered,
    /// <see cref="ShiftedDates"/>).</summary>
    public static ResourceElement? StringElement(ResourceElement value) => value.ValueKind == JsonValueKind.String ? value : null;

    public static ResourceElement? StringElement(ResourceElement element, ReadOnlySpan<byte> name) => StringElement(Member(element, name));

    /// <summary>The value if it is an object, else undefined.</summary>
    public static ResourceElement Object(ResourceElement value) => value.ValueKind == JsonValueKind.Object ? value : default;

    public static ResourceElement Object(ResourceElement element, ReadOnlySpan<byte> name) => Object(Member(element, name));

    /// <summary>The value if it is an array, else undefined.</summary>
    public static ResourceElement Array(ResourceElement value) => value.ValueKind == JsonValueKind.Array ? value : default;

    public static ResourceElement Array(ResourceElement element, ReadOnlySpan<byte> name) => Array(Member(element, name));

    /// <summary>The first element of the value if it is a non-empty array, else undefined.</summary>
    public static ResourceElement First(ResourceElement value) =>
        value.ValueKind == JsonValueKind.Array && value.GetArrayLength() > 0 ? value[0] : default;

    /// <summary>The first element of an array property, or undefined.</summary>
    public static ResourceElement First(ResourceElement element, ReadOnlySpan<byte> name) => First(Member(element, name));

    /// <summary>The value if it is a number that fits a double, else null.</summary>
    public static double? Number(ResourceElement value) =>
        value.ValueKind == JsonValueKind.Number && TryParseDouble(value.RawUtf8, out var d) ? d : null;

    /// <summary>A number token's text as <see cref="ResourceElement.TryGetDouble"/> reads it (all of the text; out of
    /// range is an infinity, as there), parsed in place: that one starts a JSON reader over the token first, most of
    /// its cost on an Observation's values.</summary>
    internal static bool TryParseDouble(ReadOnlySpan<byte> number, out double value) =>
        Utf8Parser.TryParse(number, out value, out var consumed) && consumed == number.Length;

    public static double? Number(ResourceElement element, ReadOnlySpan<byte> name) => Number(Member(element, name));

    /// <summary>A member of an object, or undefined (also when the element is not an object).</summary>
    public static ResourceElement Member(ResourceElement element, ReadOnlySpan<byte> name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? value : default;

    /// <summary>The logical id of a Reference-typed property.</summary>
    public static string? ReferenceId(ResourceElement element, ReadOnlySpan<byte> name, string? expectedType = null) =>
        LogicalId(Object(element, name), expectedType);

    /// <summary>
    /// The logical id of a Reference object's <c>reference</c>, or null when it is absent or not a string. Three or
    /// more per resource: read through a stack buffer so only the id is allocated, not the whole reference too.
    /// </summary>
    public static string? LogicalId(ResourceElement reference, string? expectedType = null)
    {
        if (reference.ValueKind != JsonValueKind.Object || !reference.TryGetProperty("reference"u8, out var value)
            || value.ValueKind != JsonValueKind.String)
            return null;
        // The raw token is the quoted UTF-8 text; escaped text (rare in references) takes the decoding path.
        var raw = value.RawUtf8;
        var utf8 = raw[1..^1];
        if (utf8.Length > StackReferenceChars || utf8.Contains((byte)'\\')) return FhirReference.LogicalId(value.GetString(), expectedType);
        Span<char> chars = stackalloc char[StackReferenceChars];
        var length = Encoding.UTF8.GetChars(utf8, chars);
        return FhirReference.LogicalId(chars[..length], expectedType);
    }

    public static bool IsDefined(ResourceElement element) => element.ValueKind != JsonValueKind.Undefined;
}
