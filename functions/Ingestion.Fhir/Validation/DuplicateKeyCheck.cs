using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Ingestion.Fhir.Validation;

/// <summary>
/// Whether JSON text the parser has accepted may have two properties of the same name in one object, anywhere in it
/// (contained resources, extensions, array items, every level). Never false when one has; true may be a false alarm (a
/// name with an escape, two different long names with the same key): the caller then reads the line with
/// <see cref="StrictJsonScanner"/>, which compares names exactly and says where.
/// <para>
/// It reads the bytes, not the document (walking the document's objects cost more than a third of the parse): 64 bytes
/// at a time it takes masks of the quotes, braces and colons, drops every byte inside a string (a running XOR of the
/// unescaped quotes), and visits what is left in order: a brace opens or closes an object, a colon ends a name (the
/// string just before it, since the text is valid JSON). Each name becomes a 64-bit key compared with its siblings'.
/// Cheaper than the runtime's own check (<c>AllowDuplicateProperties = false</c>) and than a walk of the document.
/// </para>
/// </summary>
internal static class DuplicateKeyCheck
{
    // Up to this many names an object's keys are compared pairwise as they come; beyond, sorted once (no quadratic case).
    private const int PairwiseLimit = 32;
    private const int BlockBytes = 64;

    /// <param name="json">JSON text the parser has accepted (the check relies on it being well-formed).</param>
    /// <param name="mayHaveEscapes">False when the text has no backslash: every name is then compared as written.</param>
    public static bool MayHaveDuplicate(ReadOnlySpan<byte> json, bool mayHaveEscapes)
    {
        var keys = new KeyStack(ArrayPool<ulong>.Shared.Rent(256));
        try
        {
            return Scan(json, ref keys, mayHaveEscapes);
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(keys.Items);
        }
    }

    private static bool Scan(ReadOnlySpan<byte> json, ref KeyStack keys, bool mayHaveEscapes)
    {
        // The innermost open object's names are keys[scopeStart..]; below them, the enclosing object's scopeStart.
        var scopeStart = 0;
        ulong insideCarry = 0;          // all ones when the previous block ended inside a string
        var escapeCarry = false;        // the previous block ended with a backslash that escapes the next byte
        int lastQuote = -1, quoteBeforeLast = -1;  // the last two string quotes of earlier blocks (a name can straddle blocks)
        Span<byte> padded = stackalloc byte[BlockBytes];
        for (var block = 0; block < json.Length; block += BlockBytes)
        {
            scoped ReadOnlySpan<byte> bytes;
            var left = json.Length - block;
            if (left >= BlockBytes)
            {
                bytes = json.Slice(block, BlockBytes);
            }
            else
            {
                padded.Fill((byte)' ');
                json[block..].CopyTo(padded);
                bytes = padded;
            }
            var masks = new BlockMasks(bytes);
            var quote = masks.Quote;
            if (mayHaveEscapes && (masks.Backslash != 0 || escapeCarry)) quote &= ~Escaped(bytes, ref escapeCarry);
            var inside = PrefixXor(quote) ^ insideCarry;
            insideCarry = (ulong)((long)inside >> 63);
            var structural = (masks.Open | masks.Close | masks.Colon) & ~inside;
            while (structural != 0)
            {
                var bit = BitOperations.TrailingZeroCount(structural);
                var at = 1UL << bit;
                structural &= structural - 1;
                if ((masks.Colon & at) != 0)
                {
                    // The name's quotes are the last two before its colon (only whitespace can sit between).
                    var before = quote & (at - 1);
                    int end, start;
                    if (before != 0)
                    {
                        var close = 63 - BitOperations.LeadingZeroCount(before);
                        end = block + close;
                        var earlier = before & ((1UL << close) - 1);
                        start = (earlier != 0 ? block + 63 - BitOperations.LeadingZeroCount(earlier) : lastQuote) + 1;
                    }
                    else
                    {
                        end = lastQuote;
                        start = quoteBeforeLast + 1;
                    }
                    var name = json[start..end];
                    // An escaped name means the same as others written differently ("resource\u0054ype"): left to the scanner.
                    if (mayHaveEscapes && name.Contains((byte)'\\')) return true;
                    var key = Key(name);
                    var count = keys.Count;
                    if (count - scopeStart < PairwiseLimit)
                    {
                        // A plain loop: objects are small, and the vectorized Span.Contains costs more to call than this.
                        var items = keys.Items;
                        for (var i = scopeStart; i < count; i++)
                        {
                            if (items[i] == key) return true;
                        }
                    }
                    keys.Push(key);
                }
                else if ((masks.Open & at) != 0)
                {
                    keys.Push((ulong)scopeStart);
                    scopeStart = keys.Count;
                }
                else
                {
                    var total = keys.Count - scopeStart;
                    if (total > PairwiseLimit)
                    {
                        // Names after the first PairwiseLimit were not compared as they came: all of them are, sorted.
                        var all = keys.Items.AsSpan(scopeStart, total);
                        all.Sort();
                        for (var i = 1; i < all.Length; i++)
                        {
                            if (all[i] == all[i - 1]) return true;
                        }
                    }
                    keys.Count = scopeStart - 1;
                    scopeStart = (int)keys.Items[scopeStart - 1];
                }
            }
            var quotes = BitOperations.PopCount(quote);
            if (quotes >= 2)
            {
                lastQuote = block + 63 - BitOperations.LeadingZeroCount(quote);
                quoteBeforeLast = block + 63 - BitOperations.LeadingZeroCount(quote & ~(1UL << (lastQuote - block)));
            }
            else if (quotes == 1)
            {
                quoteBeforeLast = lastQuote;
                lastQuote = block + BitOperations.TrailingZeroCount(quote);
            }
        }
        return false;
    }

    /// <summary>Bit i set when byte i is inside a string or is its opening quote (a running XOR of the quote bits).</summary>
    private static ulong PrefixXor(ulong quote)
    {
        quote ^= quote << 1;
        quote ^= quote << 2;
        quote ^= quote << 4;
        quote ^= quote << 8;
        quote ^= quote << 16;
        quote ^= quote << 32;
        return quote;
    }

    /// <summary>The bytes of a block that a backslash escapes (rare: only blocks with a backslash get here).</summary>
    private static ulong Escaped(ReadOnlySpan<byte> bytes, ref bool carry)
    {
        ulong escaped = 0;
        var pending = carry;
        for (var i = 0; i < bytes.Length; i++)
        {
            if (pending)
            {
                escaped |= 1UL << i;
                pending = false;
            }
            else if (bytes[i] == (byte)'\\')
            {
                pending = true;
            }
        }
        carry = pending;
        return escaped;
    }

    /// <summary>
    /// Equal names give equal keys (different names rarely do: a shared key is a false alarm, settled by the scanner).
    /// Most names are short: up to 8 bytes they are read whole, in at most two overlapping reads.
    /// </summary>
    private static ulong Key(ReadOnlySpan<byte> name)
    {
        ulong mixed;
        if (name.Length >= 8)
            mixed = BinaryPrimitives.ReadUInt64LittleEndian(name) * 0x9E3779B97F4A7C15UL ^ BinaryPrimitives.ReadUInt64LittleEndian(name[^8..]);
        else if (name.Length >= 4)
            mixed = BinaryPrimitives.ReadUInt32LittleEndian(name) | (ulong)BinaryPrimitives.ReadUInt32LittleEndian(name[^4..]) << 32;
        else
        {
            mixed = 0;
            foreach (var b in name) mixed = mixed << 8 | b;
        }
        return mixed ^ (ulong)name.Length << 59;
    }

    /// <summary>One bit per byte of a 64-byte block for each character the scan looks at.</summary>
    private readonly ref struct BlockMasks
    {
        public readonly ulong Quote;
        public readonly ulong Open;
        public readonly ulong Close;
        public readonly ulong Colon;
        public readonly ulong Backslash;

        public BlockMasks(ReadOnlySpan<byte> block)
        {
            if (Vector512.IsHardwareAccelerated)
            {
                var v = Vector512.Create(block);
                Quote = Vector512.Equals(v, Vector512.Create((byte)'"')).ExtractMostSignificantBits();
                Open = Vector512.Equals(v, Vector512.Create((byte)'{')).ExtractMostSignificantBits();
                Close = Vector512.Equals(v, Vector512.Create((byte)'}')).ExtractMostSignificantBits();
                Colon = Vector512.Equals(v, Vector512.Create((byte)':')).ExtractMostSignificantBits();
                Backslash = Vector512.Equals(v, Vector512.Create((byte)'\\')).ExtractMostSignificantBits();
            }
            else if (Vector256.IsHardwareAccelerated)
            {
                var low = Vector256.Create(block);
                var high = Vector256.Create(block[32..]);
                Quote = Mask(low, high, (byte)'"');
                Open = Mask(low, high, (byte)'{');
                Close = Mask(low, high, (byte)'}');
                Colon = Mask(low, high, (byte)':');
                Backslash = Mask(low, high, (byte)'\\');
            }
            else
            {
                Quote = Open = Close = Colon = Backslash = 0;
                for (var i = 0; i < BlockBytes; i += 16)
                {
                    var v = Vector128.Create(block[i..]);
                    Quote |= (ulong)Vector128.Equals(v, Vector128.Create((byte)'"')).ExtractMostSignificantBits() << i;
                    Open |= (ulong)Vector128.Equals(v, Vector128.Create((byte)'{')).ExtractMostSignificantBits() << i;
                    Close |= (ulong)Vector128.Equals(v, Vector128.Create((byte)'}')).ExtractMostSignificantBits() << i;
                    Colon |= (ulong)Vector128.Equals(v, Vector128.Create((byte)':')).ExtractMostSignificantBits() << i;
                    Backslash |= (ulong)Vector128.Equals(v, Vector128.Create((byte)'\\')).ExtractMostSignificantBits() << i;
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static ulong Mask(Vector256<byte> low, Vector256<byte> high, byte c) =>
            Vector256.Equals(low, Vector256.Create(c)).ExtractMostSignificantBits() | (ulong)Vector256.Equals(high, Vector256.Create(c)).ExtractMostSignificantBits() << 32;
    }

    private struct KeyStack(ulong[] items)
    {
        public ulong[] Items = items;
        public int Count;

        // Inlined into the scan (it ran as a call per name); growing, which nearly never happens, stays out of line.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Push(ulong key)
        {
            var items = Items;
            var count = Count;
            if ((uint)count < (uint)items.Length)
            {
                items[count] = key;
                Count = count + 1;
                return;
            }
            Grow(key);
        }

        private void Grow(ulong key)
        {
            var grown = ArrayPool<ulong>.Shared.Rent(Items.Length * 2);
            Items.AsSpan().CopyTo(grown);
            ArrayPool<ulong>.Shared.Return(Items);
            Items = grown;
            Items[Count++] = key;
        }
    }
}
