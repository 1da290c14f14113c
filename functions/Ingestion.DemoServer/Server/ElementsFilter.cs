using System.Buffers;
using System.Text.Json;

namespace Ingestion.DemoServer;

/// <summary>
/// Applies _elements: keeps resourceType, id, meta and the listed elements (plain "name" or "Type.name"),
/// and tags the resource SUBSETTED as the Bulk Data IG asks. Lines that are not JSON pass through unchanged.
/// </summary>
internal sealed class ElementsFilter(IReadOnlyList<string> elements)
{
    private static readonly string[] Always = ["resourceType", "id", "meta"];
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);

    public bool IsActive => elements.Count > 0;

    public ReadOnlyMemory<byte> Apply(string resourceType, ReadOnlyMemory<byte> line)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException)
        {
            return line;
        }
        using (document)
        {
            _buffer.ResetWrittenCount();
            using var writer = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
            writer.WriteStartObject();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.NameEquals("meta")) { WriteSubsettedMeta(writer, property.Value); continue; }
                if (Always.Contains(property.Name) || Keeps(resourceType, property.Name)) property.WriteTo(writer);
            }
            if (!document.RootElement.TryGetProperty("meta", out _)) WriteSubsettedMeta(writer, default);
            writer.WriteEndObject();
            writer.Flush();
            return _buffer.WrittenMemory;
        }
    }

    private bool Keeps(string resourceType, string name)
    {
        foreach (var element in elements)
        {
            var dot = element.IndexOf('.');
            if (dot < 0 ? element == name : element.AsSpan(0, dot).SequenceEqual(resourceType) && element.AsSpan(dot + 1).SequenceEqual(name))
                return true;
        }
        return false;
    }

    private static void WriteSubsettedMeta(Utf8JsonWriter writer, JsonElement meta)
    {
        writer.WriteStartObject("meta");
        if (meta.ValueKind == JsonValueKind.Object)
            foreach (var p in meta.EnumerateObject()) if (!p.NameEquals("tag")) p.WriteTo(writer);
        writer.WriteStartArray("tag");
        if (meta.ValueKind == JsonValueKind.Object && meta.TryGetProperty("tag", out var tags))
            foreach (var t in tags.EnumerateArray()) t.WriteTo(writer);
        writer.WriteStartObject();
        writer.WriteString("system", "http://terminology.hl7.org/CodeSystem/v3-ObservationValue");
        writer.WriteString("code", "SUBSETTED");
        writer.WriteEndObject();
        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
