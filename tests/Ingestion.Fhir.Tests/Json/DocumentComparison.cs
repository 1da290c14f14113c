using System.Runtime.InteropServices;
using System.Text.Json;
using Ingestion.Fhir.Json;

namespace Ingestion.Fhir.Tests.Json;

/// <summary>
/// Walks a <see cref="JsonDocument"/> and a <see cref="ResourceDocument"/> of the same bytes together and says where
/// they first differ (a JSON path, never content): kinds, raw bytes, names, unescaped strings, numbers as every
/// reader reads them, array lengths and items by index, and <c>TryGetProperty</c> answers for every name and a missing one.
/// </summary>
internal static class DocumentComparison
{
    /// <summary>Null when the two trees answer every read alike, else the path of the first difference and what differs.</summary>
    public static string? FirstDifference(JsonElement expected, ResourceElement actual, string path = "$")
    {
        if (expected.ValueKind != actual.ValueKind) return $"{path}: kind";
        if (!JsonMarshal.GetRawUtf8Value(expected).SequenceEqual(actual.RawUtf8)) return $"{path}: raw bytes";
        if (expected.GetRawText() != actual.GetRawText()) return $"{path}: raw text";
        if (expected.ToString() != actual.ToString()) return $"{path}: ToString";
        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                return ObjectDifference(expected, actual, path);
            case JsonValueKind.Array:
                if (expected.GetArrayLength() != actual.GetArrayLength()) return $"{path}: array length";
                var i = 0;
                using (var items = actual.EnumerateArray())
                {
                    foreach (var item in expected.EnumerateArray())
                    {
                        if (!items.MoveNext()) return $"{path}: fewer items";
                        if (FirstDifference(item, items.Current, $"{path}[{i}]") is { } inner) return inner;
                        if (FirstDifference(item, actual[i], $"{path}[{i}] by index") is { } indexed) return indexed;
                        i++;
                    }
                    if (items.MoveNext()) return $"{path}: more items";
                }
                return null;
            case JsonValueKind.String:
                var text = expected.GetString();
                if (text != actual.GetString()) return $"{path}: string";
                if (!actual.ValueEquals(text) || !actual.ValueEquals(System.Text.Encoding.UTF8.GetBytes(text!)) || !actual.ValueEquals(text.AsSpan())) return $"{path}: ValueEquals";
                if (actual.ValueEquals(text + "x") || actual.ValueEquals("x" + text)) return $"{path}: ValueEquals of another text";
                if (expected.TryGetDateTimeOffset(out var e) != actual.TryGetDateTimeOffset(out var a) || e != a) return $"{path}: date";
                return null;
            case JsonValueKind.Number:
                if (expected.TryGetInt32(out var i32) != actual.TryGetInt32(out var a32) || i32 != a32) return $"{path}: Int32";
                if (expected.TryGetInt64(out var i64) != actual.TryGetInt64(out var a64) || i64 != a64) return $"{path}: Int64";
                if (expected.TryGetDouble(out var d) != actual.TryGetDouble(out var ad) || !d.Equals(ad)) return $"{path}: Double";
                if (expected.TryGetDecimal(out var m) != actual.TryGetDecimal(out var am) || m != am) return $"{path}: Decimal";
                return null;
            case JsonValueKind.True:
            case JsonValueKind.False:
                return expected.GetBoolean() == actual.GetBoolean() ? null : $"{path}: boolean";
            default:
                return null;
        }
    }

    private static string? ObjectDifference(JsonElement expected, ResourceElement actual, string path)
    {
        if (expected.GetPropertyCount() != actual.GetPropertyCount()) return $"{path}: member count";
        using var members = actual.EnumerateObject();
        var at = 0;
        foreach (var property in expected.EnumerateObject())
        {
            if (!members.MoveNext()) return $"{path}: fewer members";
            var mine = members.Current;
            var where = $"{path}.member{at++}";
            if (property.Name != mine.Name) return $"{where}: name";
            if (!JsonMarshal.GetRawUtf8PropertyName(property).SequenceEqual(mine.Utf8Name)) return $"{where}: raw name";
            if (!mine.NameEquals(property.Name) || !mine.NameEquals(System.Text.Encoding.UTF8.GetBytes(property.Name)) || mine.NameEquals(property.Name + "x")) return $"{where}: NameEquals";
            if (property.ToString() != mine.ToString()) return $"{where}: member text";
            if (FirstDifference(property.Value, mine.Value, where) is { } inner) return inner;
            // The answer for the name (the last of a repeat, as JsonElement's) by every overload.
            expected.TryGetProperty(property.Name, out var byName);
            if (!actual.TryGetProperty(property.Name, out var mineByName) || !actual.TryGetProperty(System.Text.Encoding.UTF8.GetBytes(property.Name), out var mineByUtf8)
                || !JsonMarshal.GetRawUtf8Value(byName).SequenceEqual(mineByName.RawUtf8) || !mineByName.RawUtf8.SequenceEqual(mineByUtf8.RawUtf8)
                || !mineByName.RawUtf8.SequenceEqual(actual.GetProperty(property.Name).RawUtf8))
                return $"{where}: TryGetProperty";
            if (actual.TryGetProperty(JsonMarshal.GetRawUtf8PropertyName(property), out var byRaw) != expected.TryGetProperty(JsonMarshal.GetRawUtf8PropertyName(property), out var expectedByRaw)
                || (expectedByRaw.ValueKind != JsonValueKind.Undefined && !JsonMarshal.GetRawUtf8Value(expectedByRaw).SequenceEqual(byRaw.RawUtf8)))
                return $"{where}: TryGetProperty by the raw name";
        }
        if (members.MoveNext()) return $"{path}: more members";
        if (actual.TryGetProperty("no-such-member", out _) || actual.TryGetProperty("no-such-member"u8, out _)) return $"{path}: a missing member found";
        return null;
    }
}
