using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Ingestion.Fhir.Validation.FhirPath;

/// <summary>
/// An object's property names (copied as UTF-8) and values, read in one pass, for the constraints evaluated on that
/// object: an Observation's root constraints (obs-6, obs-7, us-core-2, vs-2, vs-3...) look up <c>value[x]</c>,
/// <c>component</c>, <c>hasMember</c>, <c>dataAbsentReason</c> about fifteen times, and each lookup in the
/// <see cref="JsonDocument"/> walks the object's rows again. Lookups here give what <see cref="JsonProperties.Find"/>
/// gives (a repeated name yields its last value). Only objects whose names are all plain (no escapes, ASCII) are
/// indexed; otherwise <see cref="Usable"/> is false and the caller reads the JSON. Reused: one per frame of the walk,
/// rebuilt per object, and one for the resource's root (<see cref="ValidationContext.RootMembers"/>: the validator's
/// own root lookups, the root frame's constraints and shape), cleared after the resource so no document stays reachable.
/// </summary>
internal sealed class FhirPathObjectIndex
{
    private byte[] _names = new byte[256];
    private int[] _ends = new int[16];
    private JsonElement[] _values = new JsonElement[16];

    public int Count { get; private set; }

    /// <summary>False when a name needs decoding (escapes, non-ASCII): then nothing is looked up here.</summary>
    public bool Usable { get; private set; }

    public void Build(JsonElement obj)
    {
        Clear();
        Usable = true;
        var used = 0;
        foreach (var property in obj.EnumerateObject())
        {
            var raw = JsonMarshal.GetRawUtf8PropertyName(property);
            if (!JsonProperties.IsPlain(raw))
            {
                Clear();
                Usable = false;
                return;
            }
            if (used + raw.Length > _names.Length) Array.Resize(ref _names, Math.Max(_names.Length * 2, used + raw.Length));
            if (Count == _ends.Length)
            {
                Array.Resize(ref _ends, Count * 2);
                Array.Resize(ref _values, Count * 2);
            }
            raw.CopyTo(_names.AsSpan(used));
            used += raw.Length;
            _ends[Count] = used;
            _values[Count++] = property.Value;
        }
    }

    public ReadOnlySpan<byte> Name(int index) => _names.AsSpan(index == 0 ? 0 : _ends[index - 1], _ends[index] - (index == 0 ? 0 : _ends[index - 1]));

    public JsonElement Value(int index) => _values[index];

    /// <summary>As <see cref="JsonProperties.Find"/> over the indexed object (only when <see cref="Usable"/>).</summary>
    public void Find(string name, string shadowName, out JsonElement value, out JsonElement shadow)
    {
        value = default;
        shadow = default;
        var start = 0;
        for (var i = 0; i < Count; i++)
        {
            var end = _ends[i];
            var length = end - start;
            if (length == name.Length && Ascii.Equals(_names.AsSpan(start, length), name)) value = _values[i];
            else if (length == shadowName.Length && Ascii.Equals(_names.AsSpan(start, length), shadowName)) shadow = _values[i];
            start = end;
        }
    }

    /// <summary>As <see cref="JsonElement.TryGetProperty(string, out JsonElement)"/> over the indexed object (only when <see cref="Usable"/>): the last of a repeated name.</summary>
    public bool TryGet(string name, out JsonElement value)
    {
        value = default;
        var found = false;
        var start = 0;
        for (var i = 0; i < Count; i++)
        {
            var end = _ends[i];
            if (end - start == name.Length && Ascii.Equals(_names.AsSpan(start, end - start), name))
            {
                value = _values[i];
                found = true;
            }
            start = end;
        }
        return found;
    }

    /// <summary>Drops the object (no document stays reachable through a pooled index).</summary>
    public void Clear()
    {
        Array.Clear(_values, 0, Count);
        Count = 0;
        Usable = false;
    }
}
