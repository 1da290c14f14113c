using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Ingestion.Fhir.Validation;

/// <summary>
/// Whether a parsed document may have two properties of the same name in one object, anywhere in it (contained
/// resources, extensions, array items, every level). Never false when one has; true may be a false alarm (a name with
/// an escape, two different long names with the same key): the caller then reads the line with
/// <see cref="StrictJsonScanner"/>, which compares names exactly and says where. Cheaper than the runtime's own check
/// (<c>AllowDuplicateProperties = false</c>, which enumerates each object twice and keeps a set of names): one
/// enumeration of each object, each name reduced to a 64-bit key compared with its siblings', nothing allocated.
/// </summary>
internal static class DuplicateKeyCheck
{
    // Up to this many names an object's keys are compared pairwise as they come; beyond, sorted once (no quadratic case).
    private const int PairwiseLimit = 32;

    /// <param name="root">The document's root (any kind).</param>
    /// <param name="mayHaveEscapes">False when the line has no backslash: every name is then compared as written.</param>
    public static bool MayHaveDuplicate(JsonElement root, bool mayHaveEscapes)
    {
        var keys = new KeyStack(ArrayPool<ulong>.Shared.Rent(256));
        try
        {
            return Value(root, ref keys, mayHaveEscapes);
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(keys.Items);
        }
    }

    private static bool Object(JsonElement obj, ref KeyStack keys, bool mayHaveEscapes)
    {
        // This object's keys sit above its ancestors' on the shared stack; its children's come and go above them.
        var first = keys.Count;
        foreach (var property in obj.EnumerateObject())
        {
            var name = JsonMarshal.GetRawUtf8PropertyName(property);
            // An escaped name means the same as others written differently ("resource\u0054ype"): left to the scanner.
            if (mayHaveEscapes && name.Contains((byte)'\\')) return true;
            var key = Key(name);
            var count = keys.Count;
            if (count - first < PairwiseLimit)
            {
                // A plain loop: objects are small, and the vectorized Span.Contains costs more to call than this.
                var items = keys.Items;
                for (var i = first; i < count; i++)
                {
                    if (items[i] == key) return true;
                }
            }
            keys.Push(key);
            if (Value(property.Value, ref keys, mayHaveEscapes)) return true;
        }
        var total = keys.Count - first;
        if (total > PairwiseLimit)
        {
            // Names after the first PairwiseLimit were not compared as they came: all of them are, sorted.
            var all = keys.Items.AsSpan(first, total);
            all.Sort();
            for (var i = 1; i < all.Length; i++)
            {
                if (all[i] == all[i - 1]) return true;
            }
        }
        keys.Count = first;
        return false;
    }

    private static bool Value(JsonElement value, ref KeyStack keys, bool mayHaveEscapes) => value.ValueKind switch
    {
        JsonValueKind.Object => Object(value, ref keys, mayHaveEscapes),
        JsonValueKind.Array => Array(value, ref keys, mayHaveEscapes),
        _ => false,
    };

    private static bool Array(JsonElement array, ref KeyStack keys, bool mayHaveEscapes)
    {
        foreach (var item in array.EnumerateArray())
        {
            if (Value(item, ref keys, mayHaveEscapes)) return true;
        }
        return false;
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

    private struct KeyStack(ulong[] items)
    {
        public ulong[] Items = items;
        public int Count;

        // Inlined into the walk (it ran as a call per name); growing, which nearly never happens, stays out of line.
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
