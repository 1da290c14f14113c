using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Ingestion.Privacy;

/// <summary>
/// A derivation's input as <see cref="DerivationCache"/> holds it: the purpose and the id in 24 bytes, so a slot is
/// fixed-width and compared as four words. A lowercase canonical UUID (Synthea's and most servers' ids, 36 chars) is
/// packed to its 16 bytes; any other ASCII id of up to 24 chars is kept as it is; anything else is not cached. The
/// form (packed or not) and the length are part of the key, so two different ids never share one. The same id gives
/// the same key from its characters or its UTF-8.
/// </summary>
[SkipLocalsInit]
internal readonly struct DerivationCacheKey
{
    public const int MaxRawLength = 24;
    private const int UuidLength = 36;
    private const ulong RawForm = 1;
    private const ulong UuidForm = 2;

    /// <summary>Purpose (16 bits), form (8) and length (8); never 0 for a key (form is 1 or 2).</summary>
    public readonly uint Meta;
    public readonly ulong Word0, Word1, Word2;

    private DerivationCacheKey(uint meta, ulong word0, ulong word1, ulong word2) =>
        (Meta, Word0, Word1, Word2) = (meta, word0, word1, word2);

    public static bool TryCreate(int purpose, ReadOnlySpan<char> id, out DerivationCacheKey key)
    {
        Span<byte> bytes = stackalloc byte[MaxRawLength];
        if (purpose is < short.MinValue or > short.MaxValue || id.IsEmpty) return Fail(out key);
        if (id.Length == UuidLength && TryPackUuid(id, bytes))
        {
            key = Create(purpose, UuidForm, UuidLength, bytes);
            return true;
        }
        if (id.Length > MaxRawLength) return Fail(out key);
        bytes.Clear();
        for (var i = 0; i < id.Length; i++)
        {
            if (id[i] > 0x7F) return Fail(out key);
            bytes[i] = (byte)id[i];
        }
        key = Create(purpose, RawForm, id.Length, bytes);
        return true;
    }

    /// <summary>The key of UTF-8 text (the same as of its characters: only ASCII ids are cached).</summary>
    public static bool TryCreate(int purpose, ReadOnlySpan<byte> utf8Id, out DerivationCacheKey key)
    {
        Span<byte> bytes = stackalloc byte[MaxRawLength];
        if (purpose is < short.MinValue or > short.MaxValue || utf8Id.IsEmpty) return Fail(out key);
        if (utf8Id.Length == UuidLength && TryPackUuid(utf8Id, bytes))
        {
            key = Create(purpose, UuidForm, UuidLength, bytes);
            return true;
        }
        if (utf8Id.Length > MaxRawLength || !System.Text.Ascii.IsValid(utf8Id)) return Fail(out key);
        bytes.Clear();
        utf8Id.CopyTo(bytes);
        key = Create(purpose, RawForm, utf8Id.Length, bytes);
        return true;
    }

    public bool Equals(in DerivationCacheKey other) =>
        Meta == other.Meta && Word0 == other.Word0 && Word1 == other.Word1 && Word2 == other.Word2;

    private static DerivationCacheKey Create(int purpose, ulong form, int length, ReadOnlySpan<byte> bytes) =>
        new((uint)(ushort)(short)purpose << 16 | (uint)form << 8 | (uint)length,
            BinaryPrimitives.ReadUInt64LittleEndian(bytes), BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]),
            BinaryPrimitives.ReadUInt64LittleEndian(bytes[16..]));

    private static bool Fail(out DerivationCacheKey key)
    {
        key = default;
        return false;
    }

    // 8-4-4-4-12 lowercase hex digits: an uppercase or otherwise spelled UUID is another id, not cached in this form.
    private static bool TryPackUuid(ReadOnlySpan<char> text, Span<byte> packed)
    {
        packed.Clear();
        for (int i = 0, nibble = 0; i < UuidLength; i++)
        {
            if (!Pack(i, text[i], packed, ref nibble)) return false;
        }
        return true;
    }

    private static bool TryPackUuid(ReadOnlySpan<byte> text, Span<byte> packed)
    {
        packed.Clear();
        for (int i = 0, nibble = 0; i < UuidLength; i++)
        {
            if (!Pack(i, text[i], packed, ref nibble)) return false;
        }
        return true;
    }

    /// <summary>The UUID's character at <paramref name="position"/>: a hyphen where one belongs, else a lowercase hex
    /// digit packed into the next nibble.</summary>
    private static bool Pack(int position, int c, Span<byte> packed, ref int nibble)
    {
        if (position is 8 or 13 or 18 or 23) return c == '-';
        int value = c switch
        {
            >= '0' and <= '9' => c - '0',
            >= 'a' and <= 'f' => c - 'a' + 10,
            _ => -1,
        };
        if (value < 0) return false;
        packed[nibble >> 1] |= (byte)((nibble & 1) == 0 ? value << 4 : value);
        nibble++;
        return true;
    }
}
