using System.Globalization;
using System.Runtime.CompilerServices;
using Ingestion.Privacy;

namespace Ingestion.Omop;

/// <summary>
/// What a clinical event's row key derives from: <c>Type/id</c>, plus <c>#component/i</c> for the i-th component of
/// an Observation, plus <c>#map/k</c> for the k-th standard concept of a code that maps to several (k ≥ 1). The text
/// is composed on the stack when the key is derived, so no string is built per row.
/// </summary>
// The key text on the stack is written before it is read: not zeroed per row.
[SkipLocalsInit]
internal readonly record struct EventKeySource(string Type, string Id, int Component = -1)
{
    private const int StackChars = 256;

    public long Derive(IDeidentifier deidentifier, OmopKeyDomain domain, int map)
    {
        Span<char> text = stackalloc char[StackChars];
        if (TryFormat(text, map, out var length)) return deidentifier.PseudonymousId(domain, text[..length]);
        // An id too long for the stack buffer (bad data): the same text on the heap.
        var chars = new char[Type.Length + Id.Length + 64];
        TryFormat(chars, map, out length);
        return deidentifier.PseudonymousId(domain, chars.AsSpan(0, length));
    }

    private bool TryFormat(Span<char> destination, int map, out int length)
    {
        // Piece by piece (no interpolation handler): this runs once per clinical row.
        length = 0;
        return Append(destination, Type, ref length) && Append(destination, "/", ref length) && Append(destination, Id, ref length)
            && (Component < 0 || (Append(destination, "#component/", ref length) && Append(destination, Component, ref length)))
            && (map <= 0 || (Append(destination, "#map/", ref length) && Append(destination, map, ref length)));
    }

    private static bool Append(Span<char> destination, ReadOnlySpan<char> text, ref int length)
    {
        if (!text.TryCopyTo(destination[length..])) return false;
        length += text.Length;
        return true;
    }

    private static bool Append(Span<char> destination, int value, ref int length)
    {
        if (!value.TryFormat(destination[length..], out var written, default, CultureInfo.InvariantCulture)) return false;
        length += written;
        return true;
    }
}
