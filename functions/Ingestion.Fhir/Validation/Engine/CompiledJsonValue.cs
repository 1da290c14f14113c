using Ingestion.Fhir.Json;
using System.Text.Json;

namespace Ingestion.Fhir.Validation;

/// <summary>
/// A profile's fixed or pattern value (or a slice discriminator's), taken apart once into property names, items and
/// raw primitive bytes, so checking an instance reads only the instance: <see cref="JsonValues"/> enumerates the
/// expected value's document again for every instance (a vital sign's category pattern, every extension's url).
/// Answers exactly as the comparison over both documents did (<see cref="JsonValues.EqualsExactly"/> for fixed values). Immutable.
/// </summary>
internal sealed class CompiledJsonValue
{
    private readonly JsonValueKind _kind;
    private readonly byte[] _raw = [];                                         // a string's text as written (unquoted), a number's
    private readonly (byte[] Name, CompiledJsonValue Value)[] _properties = []; // an object's, in order, raw names
    private readonly CompiledJsonValue[] _items = [];                          // an array's

    public CompiledJsonValue(ResourceElement value)
    {
        _kind = value.ValueKind;
        switch (_kind)
        {
            case JsonValueKind.Object:
                _properties = value.EnumerateObject().Select(p => (p.Utf8Name.ToArray(), new CompiledJsonValue(p.Value))).ToArray();
                break;
            case JsonValueKind.Array:
                _items = value.EnumerateArray().Select(i => new CompiledJsonValue(i)).ToArray();
                break;
            case JsonValueKind.String:
                _raw = PrimitiveFormats.Unquote(value.RawUtf8).ToArray();
                break;
            case JsonValueKind.Number:
                _raw = value.RawUtf8.ToArray();
                break;
        }
    }

    /// <summary>Every property/array item of this value is present in the instance (FHIR pattern[x] semantics).</summary>
    public bool MatchedBy(ResourceElement instance)
    {
        switch (_kind)
        {
            case JsonValueKind.Object:
                if (instance.ValueKind != JsonValueKind.Object) return false;
                foreach (var (name, value) in _properties)
                {
                    if (!instance.TryGetProperty(name, out var found) || !value.MatchedBy(found)) return false;
                }
                return true;
            case JsonValueKind.Array:
                if (instance.ValueKind != JsonValueKind.Array) return false;
                foreach (var wanted in _items)
                {
                    var matched = false;
                    foreach (var item in instance.EnumerateArray())
                    {
                        if (wanted.MatchedBy(item))
                        {
                            matched = true;
                            break;
                        }
                    }
                    if (!matched) return false;
                }
                return true;
            default:
                return PrimitiveEquals(instance);
        }
    }

    /// <summary>Exact equality (FHIR fixed[x] semantics): same properties, same array items in order.</summary>
    public bool EqualTo(ResourceElement instance)
    {
        switch (_kind)
        {
            case JsonValueKind.Object:
                if (instance.ValueKind != JsonValueKind.Object) return false;
                foreach (var (name, value) in _properties)
                {
                    if (!instance.TryGetProperty(name, out var found) || !value.EqualTo(found)) return false;
                }
                var count = 0;
                foreach (var _ in instance.EnumerateObject()) count++;
                return count == _properties.Length;
            case JsonValueKind.Array:
                if (instance.ValueKind != JsonValueKind.Array || instance.GetArrayLength() != _items.Length) return false;
                var i = 0;
                foreach (var item in instance.EnumerateArray())
                {
                    if (!_items[i++].EqualTo(item)) return false;
                }
                return true;
            default:
                return PrimitiveEquals(instance);
        }
    }

    private bool PrimitiveEquals(ResourceElement instance)
    {
        var kind = instance.ValueKind;
        if (kind != _kind) return false;
        if (kind is JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null) return true;
        // The instance's text unescaped, compared with the expected text as written (as JsonValues compares them).
        if (kind == JsonValueKind.String) return instance.ValueEquals(_raw);
        return instance.RawUtf8.SequenceEqual(_raw);
    }
}
