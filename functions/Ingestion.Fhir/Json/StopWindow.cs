using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Ingestion.Fhir.Json;

/// <summary>
/// Where <see cref="DocumentTokenizer"/>'s string scans stop (<c>"</c>, <c>\</c> and control bytes below 0x20), for 64
/// bytes of the line at a time, as a bit mask kept from one string to the next. Synthea's strings are short (71 a line,
/// median 8 bytes), so one mask serves several: a string's end is a shift and a bit count, and each byte is loaded and
/// compared once, not once per string with the load and compares on the path from one token to the next.
/// </summary>
internal struct StopWindow
{
    private const int Bytes = 64;

    // Bit i of _stops is whether byte _start + i stops a scan; past the text's end every bit is set.
    private int _start;
    private ulong _stops;

    /// <summary>The first stop byte at or after <paramref name="at"/>, or the text's length when there is none.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int NextStop(ReadOnlySpan<byte> utf8, int at)
    {
        var offset = (uint)(at - _start);
        if (offset < Bytes)
        {
            var rest = _stops >> (int)offset;
            if (rest != 0) return at + BitOperations.TrailingZeroCount(rest);
        }
        return Slide(utf8, at);
    }

    /// <summary>Moves the window to start at <paramref name="at"/> (and on, 64 bytes a step) until a stop byte is in it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Slide(ReadOnlySpan<byte> utf8, int at)
    {
        var length = utf8.Length;
        while (at < length)
        {
            _start = at;
            _stops = at <= length - Bytes ? Mask(utf8, at) : TailMask(utf8, at);
            if (_stops != 0) return at + BitOperations.TrailingZeroCount(_stops);
            at += Bytes;
        }
        return length;
    }

    /// <summary>The stops among the last bytes, from <paramref name="at"/> (fewer than 64 left); the bits past the end set.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong TailMask(ReadOnlySpan<byte> utf8, int at)
    {
        var left = utf8.Length - at;
        ulong stops = 0;
        if (utf8.Length >= Bytes) stops = Mask(utf8, utf8.Length - Bytes) >> (Bytes - left);
        else
        {
            for (var i = 0; i < left; i++)
            {
                if (IsStop(utf8[at + i])) stops |= 1UL << i;
            }
        }
        return stops | ulong.MaxValue << left;
    }

    /// <summary>The stops among the 64 bytes from <paramref name="at"/>, which must all be in the text.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mask(ReadOnlySpan<byte> utf8, int at)
    {
        ref var first = ref Unsafe.Add(ref MemoryMarshal.GetReference(utf8), at);
        // Two 256-bit halves rather than one 512-bit vector: the CLI's precompiled code targets x86-64-v3 (AVX2), and a
        // Vector512 test could leave this method to the JIT on AVX-512 machines; 20-odd masks a line do not need it.
        if (Vector256.IsHardwareAccelerated)
            return Stops256(Vector256.LoadUnsafe(ref first)) | (ulong)Stops256(Vector256.LoadUnsafe(ref first, 32)) << 32;
        if (Vector128.IsHardwareAccelerated)
        {
            return Stops128(Vector128.LoadUnsafe(ref first)) | (ulong)Stops128(Vector128.LoadUnsafe(ref first, 16)) << 16
                   | (ulong)Stops128(Vector128.LoadUnsafe(ref first, 32)) << 32 | (ulong)Stops128(Vector128.LoadUnsafe(ref first, 48)) << 48;
        }
        ulong stops = 0;
        for (var i = 0; i < Bytes; i++)
        {
            if (IsStop(Unsafe.Add(ref first, i))) stops |= 1UL << i;
        }
        return stops;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Stops256(Vector256<byte> bytes) =>
        (Vector256.Equals(bytes, Vector256.Create((byte)'"')) | Vector256.Equals(bytes, Vector256.Create((byte)'\\'))
         | Vector256.LessThan(bytes, Vector256.Create((byte)0x20))).ExtractMostSignificantBits();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Stops128(Vector128<byte> bytes) =>
        (Vector128.Equals(bytes, Vector128.Create((byte)'"')) | Vector128.Equals(bytes, Vector128.Create((byte)'\\'))
         | Vector128.LessThan(bytes, Vector128.Create((byte)0x20))).ExtractMostSignificantBits();

    private static bool IsStop(byte b) => b is (byte)'"' or (byte)'\\' or < 0x20;
}
