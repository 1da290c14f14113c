using Ingestion.Fhir.Json;
using System.Text;
using System.Text.Json;

namespace Ingestion.Fhir.Validation.FhirPath;

/// <summary>
/// A property and its <c>_name</c> primitive-extension object found in one pass over an object, comparing the raw
/// UTF-8 names with the ASCII element names: two <c>TryGetProperty</c> calls scan the object twice (the <c>_name</c>
/// one to its end, since it is nearly always absent) and transcode each name first. As there, a repeated name
/// yields its last value.
/// </summary>
internal static class JsonProperties
{
    public static void Find(ResourceElement obj, string name, string shadowName, out ResourceElement value, out ResourceElement shadow) =>
        Find(obj, null, name, shadowName, out value, out shadow);

    /// <summary>The same, from <paramref name="members"/> (<paramref name="obj"/>'s names read once) when it could index them.</summary>
    public static void Find(ResourceElement obj, FhirPathObjectIndex? members, string name, string shadowName, out ResourceElement value, out ResourceElement shadow)
    {
        if (members is { Usable: true })
        {
            members.Find(name, shadowName, out value, out shadow);
            return;
        }
        value = default;
        shadow = default;
        foreach (var property in obj.EnumerateObject())
        {
            var raw = property.Utf8Name;
            if (!IsPlain(raw))
            {
                if (property.NameEquals(name)) value = property.Value;
                else if (property.NameEquals(shadowName)) shadow = property.Value;
            }
            else if (raw.Length == name.Length && Ascii.Equals(raw, name)) value = property.Value;
            else if (raw.Length == shadowName.Length && Ascii.Equals(raw, shadowName)) shadow = property.Value;
        }
    }

    /// <summary>
    /// As <see cref="Find(ResourceElement, string, string, out ResourceElement, out ResourceElement)"/> for a plain name
    /// given as UTF-8 (the natives' fixed names), without checking every name for escapes: a name written with escapes
    /// is longer than the text it spells, so only a longer one with a backslash is decoded to compare; an unescaped
    /// non-ASCII name equals no plain name either way.
    /// </summary>
    public static void Find(ResourceElement obj, ReadOnlySpan<byte> name, ReadOnlySpan<byte> shadowName, out ResourceElement value, out ResourceElement shadow)
    {
        value = default;
        shadow = default;
        foreach (var property in obj.EnumerateObject())
        {
            var raw = property.Utf8Name;
            if (raw.SequenceEqual(name)) value = property.Value;
            else if (raw.SequenceEqual(shadowName)) shadow = property.Value;
            else if (raw.Length > name.Length && raw.IndexOf((byte)'\\') >= 0)
            {
                if (property.NameEquals(name)) value = property.Value;
                else if (property.NameEquals(shadowName)) shadow = property.Value;
            }
        }
    }

    /// <summary>A raw name without escapes or non-ASCII bytes: its bytes are its characters.</summary>
    public static bool IsPlain(ReadOnlySpan<byte> raw)
    {
        // Element names are a few bytes: a plain loop beats a vectorised search here.
        foreach (var b in raw)
        {
            if (b is >= 0x80 or (byte)'\\') return false;
        }
        return true;
    }
}
