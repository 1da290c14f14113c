using Ingestion.Fhir.Json;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Ingestion.Privacy;

namespace Ingestion.Omop;

/// <summary>
/// What a clinical event's row key derives from: <c>Type/id</c>, plus <c>#component/i</c> for the i-th component of
/// an Observation, plus <c>#map/k</c> for the k-th standard concept of a code that maps to several (k ≥ 1). The text
/// is composed as UTF-8 on the stack when the key is derived, so no string is built per row; a resource's own id is
/// taken as its JSON value's bytes (no id string per resource, nothing decoded and encoded again for the hash).
/// </summary>
// The key text on the stack is written before it is read: not zeroed per row.
[SkipLocalsInit]
internal readonly record struct EventKeySource
{
    private const int StackBytes = 256;

    private readonly string? _id;
    private readonly ResourceElement _idValue;

    /// <param name="type">The resource type.</param>
    /// <param name="id">The logical id.</param>
    public EventKeySource(string type, string id)
    {
        Type = type;
        _id = id;
    }

    /// <param name="type">The resource type.</param>
    /// <param name="id">The resource's <c>id</c> as found: a string value (the mapper checked it).</param>
    public EventKeySource(string type, ResourceElement id)
    {
        Type = type;
        _idValue = id;
    }

    public string Type { get; }

    /// <summary>The component's index, or -1 for the resource itself.</summary>
    public int Component { get; init; } = -1;

    public long Derive(IDeidentifier deidentifier, OmopKeyDomain domain, int map)
    {
        Span<byte> text = stackalloc byte[StackBytes];
        if (TryFormat(text, map, out var length)) return deidentifier.PseudonymousId(domain, (ReadOnlySpan<byte>)text[..length]);
        // An id too long for the stack buffer (bad data): the same text on the heap.
        var id = _id ?? _idValue.GetString()!;
        var heap = new byte[Encoding.UTF8.GetMaxByteCount(Type.Length + id.Length) + 64];
        new EventKeySource(Type, id) { Component = Component }.TryFormat(heap, map, out length);
        return deidentifier.PseudonymousId(domain, (ReadOnlySpan<byte>)heap.AsSpan(0, length));
    }

    private bool TryFormat(Span<byte> destination, int map, out int length)
    {
        // Piece by piece (no interpolation handler): this runs once per clinical row.
        length = 0;
        return Append(destination, Type, ref length) && Append(destination, "/"u8, ref length) && AppendId(destination, ref length)
            && (Component < 0 || (Append(destination, "#component/"u8, ref length) && Append(destination, Component, ref length)))
            && (map <= 0 || (Append(destination, "#map/"u8, ref length) && Append(destination, map, ref length)));
    }

    private bool AppendId(Span<byte> destination, ref int length)
    {
        if (_id is not null) return Append(destination, _id, ref length);
        var raw = _idValue.RawUtf8[1..^1];
        // Escaped text (never seen in ids) is taken as the string it stands for.
        if (raw.Contains((byte)'\\')) return Append(destination, _idValue.GetString(), ref length);
        // The document's text is valid UTF-8 (the parser checked it): the bytes GetString decodes, as they are.
        return Append(destination, raw, ref length);
    }

    private static bool Append(Span<byte> destination, ReadOnlySpan<char> text, ref int length)
    {
        if (!Encoding.UTF8.TryGetBytes(text, destination[length..], out var written)) return false;
        length += written;
        return true;
    }

    private static bool Append(Span<byte> destination, ReadOnlySpan<byte> utf8, ref int length)
    {
        if (!utf8.TryCopyTo(destination[length..])) return false;
        length += utf8.Length;
        return true;
    }

    private static bool Append(Span<byte> destination, int value, ref int length)
    {
        if (!value.TryFormat(destination[length..], out var written, default, CultureInfo.InvariantCulture)) return false;
        length += written;
        return true;
    }
}
