using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Ingestion.Fhir.Validation;

/// <summary>
/// A name's length and its first and last eight (or four) bytes, or for one to three bytes all of them: every byte of a
/// name up to 16 bytes long, so two such names are equal exactly when their keys are.
/// </summary>
internal readonly record struct NameKey(ulong Head, ulong Tail, int Length)
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static NameKey Of(ReadOnlySpan<byte> name)
    {
        ulong head, tail;
        if (name.Length >= 8)
        {
            head = BinaryPrimitives.ReadUInt64LittleEndian(name);
            tail = BinaryPrimitives.ReadUInt64LittleEndian(name[^8..]);
        }
        else if (name.Length >= 4)
        {
            // Two overlapping four-byte reads cover the name (most element names are this short): no loop per byte.
            head = BinaryPrimitives.ReadUInt32LittleEndian(name);
            tail = BinaryPrimitives.ReadUInt32LittleEndian(name[^4..]);
        }
        else
        {
            head = name.Length == 0 ? 0 : name[0] | (ulong)name[name.Length >> 1] << 8 | (ulong)name[^1] << 16;
            tail = 0;
        }
        return new NameKey(head, tail, name.Length);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Hash()
    {
        var h = (Head * 0x9E3779B97F4A7C15UL) ^ (Tail * 0xC2B2AE3D27D4EB4FUL) ^ (ulong)Length;
        return (int)(h ^ (h >> 29) ^ (h >> 47)) & int.MaxValue;
    }
}
