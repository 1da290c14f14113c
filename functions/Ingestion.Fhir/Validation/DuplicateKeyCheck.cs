using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Ingestion.Fhir.Validation;

/// <summary>
/// Whether a parsed document may have two properties of the same name in one object, anywhere in it (contained
/// resources, extensions, array items, every level). Never false when one has; true may be a false alarm (a name with
/// an escape, two different long names with the same key): the caller then reads the line with
/// <see cref="StrictJsonScanner"/>, which compares names exactly and says where. Cheaper than the runtime's own check
/// (<c>AllowDuplicateProperties = false</c>, about 60 % of a lenient parse on Synthea): one enumeration of each
/// object, each name reduced to a 64-bit key compared with its siblings', nothing allocated.
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
            return root.ValueKind switch
            {
                JsonValueKind.Object => Object(root, ref keys, mayHaveEscapes),
                JsonValueKind.Array => Array(root, ref keys, mayHaveEscapes),
                _ => false,
            };
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
            if (keys.Count - first < PairwiseLimit && keys.Items.AsSpan(first, keys.Count - first).Contains(key)) return true;
            keys.Push(key);
            var value = property.Value;
            switch (value.ValueKind)
            {
                case JsonValueKind.Object:
                    if (Object(value, ref keys, mayHaveEscapes)) return true;
                    break;
                case JsonValueKind.Array:
                    if (Array(value, ref keys, mayHaveEscapes)) return true;
                    break;
            }
        }
        var count = keys.Count - first;
        if (count > PairwiseLimit)
        {
            // Names after the first PairwiseLimit were not compared as they came: all of them are, sorted.
            var all = keys.Items.AsSpan(first, count);
            all.Sort();
            for (var i = 1; i < all.Length; i++)
            {
                if (all[i] == all[i - 1]) return true;
            }
        }
        keys.Count = first;
        return false;
    }

    private static bool Array(JsonElement array, ref KeyStack keys, bool mayHaveEscapes)
    {
        foreach (var item in array.EnumerateArray())
        {
            switch (item.ValueKind)
            {
                case JsonValueKind.Object:
                    if (Object(item, ref keys, mayHaveEscapes)) return true;
                    break;
                case JsonValueKind.Array:
                    if (Array(item, ref keys, mayHaveEscapes)) return true;
                    break;
            }
        }
        return false;
    }

    /// <summary>
    /// Equal names give equal keys. A name of up to 7 bytes is its own key (bytes and length packed: no two differ
    /// yet share one); a longer one is mixed from its length and its first and last 8 bytes (a shared key is a false
    /// alarm, settled by the scanner).
    /// </summary>
    private static ulong Key(ReadOnlySpan<byte> name)
    {
        if (name.Length < 8)
        {
            var packed = (ulong)name.Length << 56;
            for (var i = 0; i < name.Length; i++) packed |= (ulong)name[i] << (8 * i);
            return packed;
        }
        var head = BinaryPrimitives.ReadUInt64LittleEndian(name);
        var tail = BinaryPrimitives.ReadUInt64LittleEndian(name[^8..]);
        return (head * 0x9E3779B97F4A7C15UL) ^ BitOperations.RotateLeft(tail * 0xC2B2AE3D27D4EB4FUL, 31) ^ (ulong)name.Length;
    }

    private struct KeyStack(ulong[] items)
    {
        public ulong[] Items = items;
        public int Count;

        public void Push(ulong key)
        {
            if (Count == Items.Length)
            {
                var grown = ArrayPool<ulong>.Shared.Rent(Items.Length * 2);
                Items.AsSpan().CopyTo(grown);
                ArrayPool<ulong>.Shared.Return(Items);
                Items = grown;
            }
            Items[Count++] = key;
        }
    }
}
