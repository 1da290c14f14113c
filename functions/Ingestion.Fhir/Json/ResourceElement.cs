using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Ingestion.Fhir.Json;

/// <summary>
/// One value of a <see cref="ResourceDocument"/>: the members of <see cref="JsonElement"/> the validator and the mapper
/// use, with its semantics (strings and names compare and read unescaped; a repeated name's last value wins; the wrong
/// kind throws <see cref="InvalidOperationException"/>), plus <see cref="RawUtf8"/> for the bytes as written.
/// The default value is <see cref="JsonValueKind.Undefined"/>.
/// </summary>
[DebuggerDisplay("{ValueKind}: {ToString()}")]
public readonly struct ResourceElement
{
    private readonly ResourceDocument? _document;
    private readonly int _row;

    internal ResourceElement(ResourceDocument document, int row)
    {
        _document = document;
        _row = row;
    }

    public JsonValueKind ValueKind => _document is null ? JsonValueKind.Undefined : _document.Rows[_row].Kind;

    /// <summary>The value's bytes as written (strings with their quotes, escapes undecoded), as <c>JsonMarshal.GetRawUtf8Value</c> gives them.</summary>
    public ReadOnlySpan<byte> RawUtf8 => Document.ValueSpan(_row, includeQuotes: true);

    private ResourceDocument Document
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            var document = _document;
            if (document is null) ThrowUndefined();
            return document;
        }
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowUndefined() => throw new InvalidOperationException("The element has no value.");

    public bool TryGetProperty(string propertyName, out ResourceElement value)
    {
        ArgumentNullException.ThrowIfNull(propertyName);
        return TryGetProperty(propertyName.AsSpan(), out value);
    }

    public bool TryGetProperty(ReadOnlySpan<char> propertyName, out ResourceElement value)
    {
        var rows = RowsOf(JsonValueKind.Object);
        var document = _document!;
        var found = -1;
        var end = rows[_row].Next;
        for (var name = _row + 1; name < end; name = rows[name + 1].Next)
        {
            if (NameMatches(document, rows, name, propertyName)) found = name + 1;
        }
        value = found < 0 ? default : new ResourceElement(document, found);
        return found >= 0;
    }

    public bool TryGetProperty(ReadOnlySpan<byte> utf8PropertyName, out ResourceElement value)
    {
        var rows = RowsOf(JsonValueKind.Object);
        var document = _document!;
        var utf8 = document.Utf8;
        var found = -1;
        var end = rows[_row].Next;
        // From the front, keeping the last match: JsonElement's answer for a repeated name (which the parser makes fatal anyway).
        for (var name = _row + 1; name < end; name = rows[name + 1].Next)
        {
            ref readonly var row = ref rows[name];
            if (row.HasEscapes
                    ? UnescapedEquals(utf8.Slice(row.Start - 1, row.Length + 2), utf8PropertyName)
                    : row.Length == utf8PropertyName.Length && utf8.Slice(row.Start, row.Length).SequenceEqual(utf8PropertyName))
                found = name + 1;
        }
        value = found < 0 ? default : new ResourceElement(document, found);
        return found >= 0;
    }

    public ResourceElement GetProperty(string propertyName) =>
        TryGetProperty(propertyName, out var value) ? value : throw new KeyNotFoundException($"The object has no property '{propertyName}'.");

    public ResourceElement GetProperty(ReadOnlySpan<byte> utf8PropertyName) =>
        TryGetProperty(utf8PropertyName, out var value) ? value : throw new KeyNotFoundException("The object has no such property.");

    public ResourceElement GetProperty(ReadOnlySpan<char> propertyName) =>
        TryGetProperty(propertyName, out var value) ? value : throw new KeyNotFoundException("The object has no such property.");

    /// <summary>The string, unescaped; null for a JSON null.</summary>
    public string? GetString()
    {
        var document = Document;
        ref readonly var row = ref document.Rows[_row];
        if (row.Kind == JsonValueKind.Null) return null;
        if (row.Kind != JsonValueKind.String) throw WrongKind(JsonValueKind.String, row.Kind);
        return ReadString(document, row);
    }

    public bool ValueEquals(ReadOnlySpan<byte> utf8Text)
    {
        var document = Document;
        ref readonly var row = ref document.Rows[_row];
        if (row.Kind == JsonValueKind.Null) return false;
        if (row.Kind != JsonValueKind.String) throw WrongKind(JsonValueKind.String, row.Kind);
        var utf8 = document.Utf8;
        return row.HasEscapes
            ? UnescapedEquals(utf8.Slice(row.Start - 1, row.Length + 2), utf8Text)
            : utf8.Slice(row.Start, row.Length).SequenceEqual(utf8Text);
    }

    public bool ValueEquals(string? text)
    {
        if (ValueKind == JsonValueKind.Null) return text is null;
        return ValueEquals(text.AsSpan());
    }

    public bool ValueEquals(ReadOnlySpan<char> text)
    {
        var document = Document;
        var rows = document.Rows;
        ref readonly var row = ref rows[_row];
        if (row.Kind == JsonValueKind.Null) return false;
        if (row.Kind != JsonValueKind.String) throw WrongKind(JsonValueKind.String, row.Kind);
        return TextMatches(document, row, text);
    }

    /// <summary>The array's item at <paramref name="index"/>: O(1) when the items are all scalars, else a skip per item before it.</summary>
    public ResourceElement this[int index]
    {
        get
        {
            var rows = RowsOf(JsonValueKind.Array);
            ref readonly var array = ref rows[_row];
            if ((uint)index >= (uint)array.Count) throw new IndexOutOfRangeException();
            if (array.Next - _row - 1 == array.Count) return new ResourceElement(_document!, _row + 1 + index);
            var item = _row + 1;
            for (var i = 0; i < index; i++) item = rows[item].Next;
            return new ResourceElement(_document!, item);
        }
    }

    public int GetArrayLength() => RowsOf(JsonValueKind.Array)[_row].Count;

    public int GetPropertyCount() => RowsOf(JsonValueKind.Object)[_row].Count;

    public ResourceArrayEnumerator EnumerateArray()
    {
        var rows = RowsOf(JsonValueKind.Array);
        return new ResourceArrayEnumerator(_document!, _row + 1, rows[_row].Next);
    }

    public ResourceObjectEnumerator EnumerateObject()
    {
        var rows = RowsOf(JsonValueKind.Object);
        return new ResourceObjectEnumerator(_document!, _row + 1, rows[_row].Next);
    }

    public bool GetBoolean() => ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        var kind => throw WrongKind(JsonValueKind.True, kind),
    };

    /// <summary>As JsonElement's: the whole number as written must be an Int32 (no exponent, no fraction); 0 when not.</summary>
    public bool TryGetInt32(out int value)
    {
        var number = NumberSpan();
        if (Utf8Parser.TryParse(number, out value, out var used) && used == number.Length) return true;
        value = 0;
        return false;
    }

    public bool TryGetInt64(out long value)
    {
        var number = NumberSpan();
        if (Utf8Parser.TryParse(number, out value, out var used) && used == number.Length) return true;
        value = 0;
        return false;
    }

    public bool TryGetDecimal(out decimal value)
    {
        var reader = ValueReader();
        return reader.TryGetDecimal(out value);
    }

    public bool TryGetDouble(out double value)
    {
        var reader = ValueReader();
        return reader.TryGetDouble(out value);
    }

    public int GetInt32() => TryGetInt32(out var value) ? value : throw new FormatException("The number is not an Int32.");

    public long GetInt64() => TryGetInt64(out var value) ? value : throw new FormatException("The number is not an Int64.");

    public double GetDouble() => TryGetDouble(out var value) ? value : throw new FormatException("The number is not a Double.");

    public decimal GetDecimal() => TryGetDecimal(out var value) ? value : throw new FormatException("The number is not a Decimal.");

    public bool TryGetDateTimeOffset(out DateTimeOffset value)
    {
        var kind = ValueKind;
        if (kind != JsonValueKind.String) throw WrongKind(JsonValueKind.String, kind);
        var reader = ValueReader();
        return reader.TryGetDateTimeOffset(out value);
    }

    public bool TryGetDateTime(out DateTime value)
    {
        var kind = ValueKind;
        if (kind != JsonValueKind.String) throw WrongKind(JsonValueKind.String, kind);
        var reader = ValueReader();
        return reader.TryGetDateTime(out value);
    }

    public string GetRawText() => Encoding.UTF8.GetString(RawUtf8);

    /// <summary>A copy that owns its bytes: it outlives the document (definitions keep fixed and pattern values).</summary>
    public ResourceElement Clone() => _document is null ? default : _document.CloneElement(_row).RootElement;

    /// <summary>Writes the value as <see cref="JsonElement.WriteTo"/> does: names and strings re-encoded by the writer, numbers as written.</summary>
    public void WriteTo(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var document = Document;
        var rows = document.Rows;
        ref readonly var row = ref rows[_row];
        switch (row.Kind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in EnumerateObject()) property.WriteTo(writer);
                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in EnumerateArray()) item.WriteTo(writer);
                writer.WriteEndArray();
                break;
            case JsonValueKind.String:
                if (row.HasEscapes) writer.WriteStringValue(ReadString(document, row));
                else writer.WriteStringValue(document.Utf8.Slice(row.Start, row.Length));
                break;
            case JsonValueKind.Number:
                writer.WriteRawValue(document.Utf8.Slice(row.Start, row.Length), skipInputValidation: true);
                break;
            case JsonValueKind.True:
                writer.WriteBooleanValue(true);
                break;
            case JsonValueKind.False:
                writer.WriteBooleanValue(false);
                break;
            default:
                writer.WriteNullValue();
                break;
        }
    }

    /// <summary>As <see cref="JsonElement.ToString"/>: a string's value, the raw text of numbers and containers, "True"/"False", empty for null.</summary>
    public override string ToString() => ValueKind switch
    {
        JsonValueKind.Undefined or JsonValueKind.Null => string.Empty,
        JsonValueKind.String => GetString()!,
        JsonValueKind.True => bool.TrueString,
        JsonValueKind.False => bool.FalseString,
        _ => GetRawText(),
    };

    internal int Row => _row;

    private DocumentRow[] RowsOf(JsonValueKind kind)
    {
        var rows = Document.Rows;
        var actual = rows[_row].Kind;
        return actual == kind ? rows : throw WrongKind(kind, actual);
    }

    private ReadOnlySpan<byte> NumberSpan()
    {
        var document = Document;
        ref readonly var row = ref document.Rows[_row];
        if (row.Kind != JsonValueKind.Number) throw WrongKind(JsonValueKind.Number, row.Kind);
        return document.Utf8.Slice(row.Start, row.Length);
    }

    /// <summary>A reader on this one value, for the rare reads (escapes, dates, floating point) whose exact rules are the reader's.</summary>
    private Utf8JsonReader ValueReader()
    {
        var reader = new Utf8JsonReader(RawUtf8);
        reader.Read();
        return reader;
    }

    internal static string ReadString(ResourceDocument document, in DocumentRow row)
    {
        var utf8 = document.Utf8;
        if (!row.HasEscapes) return Encoding.UTF8.GetString(utf8.Slice(row.Start, row.Length));
        var reader = new Utf8JsonReader(utf8.Slice(row.Start - 1, row.Length + 2));
        reader.Read();
        return reader.GetString()!;
    }

    internal static bool UnescapedEquals(ReadOnlySpan<byte> quoted, ReadOnlySpan<byte> utf8Text)
    {
        var reader = new Utf8JsonReader(quoted);
        reader.Read();
        return reader.ValueTextEquals(utf8Text);
    }

    internal static bool NameMatches(ResourceDocument document, DocumentRow[] rows, int nameRow, ReadOnlySpan<char> text) =>
        TextMatches(document, rows[nameRow], text);

    /// <summary>A string or name against UTF-16 text: byte against char while both are ASCII, the reader's comparison otherwise.</summary>
    private static bool TextMatches(ResourceDocument document, in DocumentRow row, ReadOnlySpan<char> text)
    {
        var utf8 = document.Utf8;
        if (!row.HasEscapes)
        {
            var bytes = utf8.Slice(row.Start, row.Length);
            if (bytes.Length == text.Length)
            {
                var i = 0;
                for (; i < bytes.Length; i++)
                {
                    var b = bytes[i];
                    if (b >= 0x80 || text[i] >= 0x80) break;
                    if (b != text[i]) return false;
                }
                if (i == bytes.Length) return true;
            }
            else if (bytes.Length < text.Length || Ascii.IsValid(bytes))
            {
                // UTF-8 is never shorter than UTF-16 in code units; all-ASCII bytes of another length cannot match.
                return false;
            }
        }
        var reader = new Utf8JsonReader(utf8.Slice(row.Start - 1, row.Length + 2));
        reader.Read();
        return reader.ValueTextEquals(text);
    }

    internal static InvalidOperationException WrongKind(JsonValueKind expected, JsonValueKind actual) =>
        new($"The operation needs an element of kind '{expected}', but it is '{actual}'.");
}
