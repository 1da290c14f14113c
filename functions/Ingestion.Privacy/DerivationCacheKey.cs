using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace Ingestion.Privacy;

/// <summary>
/// A derivation's input as <see cref="DerivationCache"/> holds it: the purpose, the length and the id's ASCII text
/// zero-padded to 40 bytes, so a slot is fixed-width and compared as six words. Ids of up to 40 ASCII characters
/// (UUIDs are 36) are cached; any other is derived every time. The length is part of the key, so an id never matches
/// itself with trailing NULs. The same id gives the same key from its characters or its UTF-8.
/// </summary>
[SkipLocalsInit]
internal readonly struct DerivationCacheKey
{
    public const int MaxLength = 40;

    /// <summary>Purpose (16 bits) and length (8); never 0 for a key (the length is at least 1).</summary>
    public readonly ulong Meta;
    public readonly ulong Word0, Word1, Word2, Word3, Word4;

    private DerivationCacheKey(ulong meta, ReadOnlySpan<byte> text)
    {
        Meta = meta;
        Word0 = BinaryPrimitives.ReadUInt64LittleEndian(text);
        Word1 = BinaryPrimitives.ReadUInt64LittleEndian(text[8..]);
        Word2 = BinaryPrimitives.ReadUInt64LittleEndian(text[16..]);
        Word3 = BinaryPrimitives.ReadUInt64LittleEndian(text[24..]);
        Word4 = BinaryPrimitives.ReadUInt64LittleEndian(text[32..]);
    }

    public static bool TryCreate(int purpose, ReadOnlySpan<char> id, out DerivationCacheKey key)
    {
        Span<byte> text = stackalloc byte[MaxLength];
        if (purpose is < short.MinValue or > short.MaxValue || id.IsEmpty || id.Length > MaxLength
            || Ascii.FromUtf16(id, text, out _) != OperationStatus.Done)
            return Fail(out key);
        text[id.Length..].Clear();
        key = new DerivationCacheKey(MetaOf(purpose, id.Length), text);
        return true;
    }

    /// <summary>The key of UTF-8 text (the same as of its characters: only ASCII ids are cached).</summary>
    public static bool TryCreate(int purpose, ReadOnlySpan<byte> utf8Id, out DerivationCacheKey key)
    {
        Span<byte> text = stackalloc byte[MaxLength];
        if (purpose is < short.MinValue or > short.MaxValue || utf8Id.IsEmpty || utf8Id.Length > MaxLength || !Ascii.IsValid(utf8Id))
            return Fail(out key);
        utf8Id.CopyTo(text);
        text[utf8Id.Length..].Clear();
        key = new DerivationCacheKey(MetaOf(purpose, utf8Id.Length), text);
        return true;
    }

    public bool Equals(in DerivationCacheKey other) =>
        Meta == other.Meta && Word0 == other.Word0 && Word1 == other.Word1 && Word2 == other.Word2 && Word3 == other.Word3
        && Word4 == other.Word4;

    private static ulong MetaOf(int purpose, int length) => (ulong)(ushort)(short)purpose << 8 | (uint)length;

    private static bool Fail(out DerivationCacheKey key)
    {
        key = default;
        return false;
    }
}
