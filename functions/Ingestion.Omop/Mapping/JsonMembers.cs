using Ingestion.Fhir.Json;
using System.Text;
using System.Text.Json;

namespace Ingestion.Omop;

/// <summary>Keeps the members of a JSON object it is interested in, told one member at a time.</summary>
internal interface IMemberReader
{
    /// <summary>One member: its unescaped UTF-8 name and its value. True when the reader keeps it (a name it knows).</summary>
    bool Read(ReadOnlySpan<byte> name, ResourceElement value);
}

/// <summary>
/// One pass over an object's members, each name handed to a reader that dispatches on it. A mapper that reads many
/// elements of one object this way compares each member's name once, instead of scanning the object once per element
/// (<see cref="ResourceElement.TryGetProperty(ReadOnlySpan{byte}, out ResourceElement)"/>). A name repeated in the object
/// reaches the reader twice, so the last one wins, as with TryGetProperty.
/// </summary>
internal static class JsonMembers
{
    /// <summary>A reader of <typeparamref name="TReader"/>'s kind with every member of <paramref name="element"/> read
    /// into it; an empty one when it is not an object.</summary>
    public static TReader Read<TReader>(ResourceElement element) where TReader : struct, IMemberReader
    {
        var reader = default(TReader);
        Read(element, ref reader);
        return reader;
    }

    /// <summary>Reads every member of <paramref name="element"/> into <paramref name="reader"/>; nothing when it is not an object.</summary>
    public static void Read<TReader>(ResourceElement element, ref TReader reader) where TReader : struct, IMemberReader
    {
        if (element.ValueKind != JsonValueKind.Object) return;
        foreach (var member in element.EnumerateObject())
        {
            var name = member.Utf8Name;
            // FHIR names have no escapes; one written with them still matches by its unescaped text. An escaped name
            // never equals a known one as it stands, so only names the reader does not know are looked at for escapes.
            if (!reader.Read(name, member.Value) && name.Contains((byte)'\\')) reader.Read(Encoding.UTF8.GetBytes(member.Name), member.Value);
        }
    }
}
