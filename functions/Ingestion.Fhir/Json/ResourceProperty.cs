using System.Text;
using System.Text.Json;

namespace Ingestion.Fhir.Json;

/// <summary>
/// One member of an object in a <see cref="ResourceDocument"/>: the members of <see cref="JsonProperty"/> our code uses,
/// plus <see cref="Utf8Name"/>, the name's bytes as written (no quotes, escapes undecoded), as
/// <c>JsonMarshal.GetRawUtf8PropertyName</c> gives them.
/// </summary>
public readonly struct ResourceProperty
{
    private readonly ResourceDocument _document;
    private readonly int _nameRow;

    internal ResourceProperty(ResourceDocument document, int nameRow)
    {
        _document = document;
        _nameRow = nameRow;
    }

    /// <summary>The name, unescaped.</summary>
    public string Name => ResourceElement.ReadString(_document, _document.Rows[_nameRow]);

    public ResourceElement Value => new(_document, _nameRow + 1);

    public ReadOnlySpan<byte> Utf8Name
    {
        get
        {
            ref readonly var row = ref _document.Rows[_nameRow];
            return _document.Utf8.Slice(row.Start, row.Length);
        }
    }

    public bool NameEquals(ReadOnlySpan<byte> utf8Text)
    {
        ref readonly var row = ref _document.Rows[_nameRow];
        var utf8 = _document.Utf8;
        return row.HasEscapes
            ? ResourceElement.UnescapedEquals(utf8.Slice(row.Start - 1, row.Length + 2), utf8Text)
            : utf8.Slice(row.Start, row.Length).SequenceEqual(utf8Text);
    }

    public bool NameEquals(string? text) => NameEquals(text.AsSpan());

    public bool NameEquals(ReadOnlySpan<char> text) => ResourceElement.NameMatches(_document, _document.Rows, _nameRow, text);

    public void WriteTo(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ref readonly var row = ref _document.Rows[_nameRow];
        if (row.HasEscapes) writer.WritePropertyName(Name);
        else writer.WritePropertyName(_document.Utf8.Slice(row.Start, row.Length));
        Value.WriteTo(writer);
    }

    /// <summary>As <see cref="JsonProperty.ToString"/>: the member as written, name through value.</summary>
    public override string ToString()
    {
        var rows = _document.Rows;
        var start = rows[_nameRow].Start - 1;
        ref readonly var value = ref rows[_nameRow + 1];
        var end = value.Kind == JsonValueKind.String ? value.Start + value.Length + 1 : value.Start + value.Length;
        return Encoding.UTF8.GetString(_document.Utf8[start..end]);
    }
}
