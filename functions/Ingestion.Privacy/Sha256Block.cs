using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Ingestion.Privacy;

/// <summary>
/// SHA-256's compression function (FIPS 180-4, 6.2.2) over one 64-byte block from a caller-set state: the one place
/// that chooses how it runs. .NET has no x86 SHA intrinsics, but the OpenSSL the runtime already uses on Linux exports
/// <c>SHA256_Transform</c>, which runs on the CPU's SHA extensions where there are any (several times the managed
/// rounds). Where that library or symbol is absent (Windows, macOS, an OpenSSL without it) or fails the known-answer
/// check at start, the managed rounds below run. Both give the same state for the same input (tests compare them).
/// </summary>
// Every stack buffer is written before it is read: the runtime need not zero them on each compression.
[SkipLocalsInit]
internal static unsafe partial class Sha256Block
{
    /// <summary>Bytes in a block.</summary>
    public const int Size = 64;

    /// <summary>Words (uint) of the chaining value, the first words of a <see cref="Sha256Context"/>.</summary>
    public const int StateWords = 8;

    // OpenSSL 3's soname; 1.1 (end of life) and other platforms take the managed rounds.
    private const string LibCrypto = "libcrypto.so.3";

    // The only static state: decided once, never changed.
    private static readonly bool NativeWorks = ProbeNative();

    private static ReadOnlySpan<uint> RoundConstants =>
    [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ];

    /// <summary>The initial hash value H(0).</summary>
    public static ReadOnlySpan<uint> InitialState =>
        [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

    /// <summary>True when compressions run in OpenSSL's <c>SHA256_Transform</c>.</summary>
    public static bool IsNativeAvailable => NativeWorks;

    /// <summary>Compresses <paramref name="block"/> (64 bytes) into the chaining value of <paramref name="context"/>,
    /// natively when <paramref name="native"/> (which requires <see cref="IsNativeAvailable"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Compress(ref Sha256Context context, ReadOnlySpan<byte> block, bool native)
    {
        if (native) CompressNative(ref context, block);
        else CompressManaged(context[..StateWords], block);
    }

    /// <summary>The compression in OpenSSL (the caller checked <see cref="IsNativeAvailable"/>).</summary>
    // Not inlined, and nothing but the call here: OpenSSL's SHA-NI code is legacy-SSE encoded, and with the upper
    // halves of the vector registers dirty (any 256-bit instruction before it) it runs at a quarter of its speed
    // (measured: 204 against 49 ns a block). The JIT clears them in the prolog of a method with a P/Invoke, not
    // between a 256-bit move in its body and the call. The context is handed over as it is: copying the chaining
    // value in and out cost another ~20 ns a block (store-forwarding stalls).
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void CompressNative(ref Sha256Context context, ReadOnlySpan<byte> block)
    {
        // Checked here: the native code reads 64 bytes whatever it is given.
        if (block.Length < Size) throw new ArgumentException("The block must hold 64 bytes.", nameof(block));
        if (!NativeWorks) throw new PlatformNotSupportedException("OpenSSL's SHA256_Transform is not available.");
        fixed (Sha256Context* c = &context)
        fixed (byte* data = block) Sha256Transform(c, data);
    }

    /// <summary>The compression in managed code (FIPS 180-4 6.2.2, the rounds eight a step).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void CompressManaged(Span<uint> state, ReadOnlySpan<byte> block)
    {
        if (state.Length < StateWords) throw new ArgumentException("The state must hold 8 words.", nameof(state));
        if (block.Length < Size) throw new ArgumentException("The block must hold 64 bytes.", nameof(block));

        Span<uint> w = stackalloc uint[64];
        for (var i = 0; i < 16; i++) w[i] = BinaryPrimitives.ReadUInt32BigEndian(block[(i * 4)..]);
        for (var i = 16; i < 64; i++)
        {
            uint w15 = w[i - 15], w2 = w[i - 2];
            var s0 = BitOperations.RotateRight(w15, 7) ^ BitOperations.RotateRight(w15, 18) ^ (w15 >> 3);
            var s1 = BitOperations.RotateRight(w2, 17) ^ BitOperations.RotateRight(w2, 19) ^ (w2 >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }

        uint a = state[0], b = state[1], c = state[2], d = state[3], e = state[4], f = state[5], g = state[6], h = state[7];
        var k = RoundConstants;
        // Eight rounds a step, the variables' roles rotating through the calls: no value is moved from one to the next.
        for (var i = 0; i < 64; i += 8)
        {
            Round(a, b, c, ref d, e, f, g, ref h, k[i] + w[i]);
            Round(h, a, b, ref c, d, e, f, ref g, k[i + 1] + w[i + 1]);
            Round(g, h, a, ref b, c, d, e, ref f, k[i + 2] + w[i + 2]);
            Round(f, g, h, ref a, b, c, d, ref e, k[i + 3] + w[i + 3]);
            Round(e, f, g, ref h, a, b, c, ref d, k[i + 4] + w[i + 4]);
            Round(d, e, f, ref g, h, a, b, ref c, k[i + 5] + w[i + 5]);
            Round(c, d, e, ref f, g, h, a, ref b, k[i + 6] + w[i + 6]);
            Round(b, c, d, ref e, f, g, h, ref a, k[i + 7] + w[i + 7]);
        }

        state[0] += a; state[1] += b; state[2] += c; state[3] += d;
        state[4] += e; state[5] += f; state[6] += g; state[7] += h;
    }

    /// <summary>One SHA-256 round (FIPS 180-4, 6.2.2 step 3) in the form where only d and h change.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Round(uint a, uint b, uint c, ref uint d, uint e, uint f, uint g, ref uint h, uint kw)
    {
        var t1 = h + (BitOperations.RotateRight(e, 6) ^ BitOperations.RotateRight(e, 11) ^ BitOperations.RotateRight(e, 25))
                   + ((e & f) ^ (~e & g)) + kw;
        d += t1;
        h = t1 + (BitOperations.RotateRight(a, 2) ^ BitOperations.RotateRight(a, 13) ^ BitOperations.RotateRight(a, 22))
              + ((a & b) ^ (a & c) ^ (b & c));
    }

    /// <summary>
    /// OpenSSL's <c>void SHA256_Transform(SHA256_CTX *c, const unsigned char *data)</c> (deprecated in 3.0, still
    /// exported). A P/Invoke, not a function pointer from <see cref="NativeLibrary.GetExport"/>: the JIT clears the
    /// vector registers' upper halves in the prolog of a method with a P/Invoke, not of one with an unmanaged
    /// function-pointer call (see <see cref="CompressNative"/> for why that matters).
    /// <see cref="SuppressGCTransitionAttribute"/> is safe here: the function runs for well under a microsecond, never
    /// blocks, never calls back into the runtime, and touches only the two buffers.
    /// </summary>
    [LibraryImport(LibCrypto, EntryPoint = "SHA256_Transform")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    [SuppressGCTransition]
    private static partial void Sha256Transform(Sha256Context* context, byte* data);

    /// <summary>
    /// Whether <see cref="Sha256Transform"/> can be called: Linux, the library and its export present (probed first,
    /// so the P/Invoke never throws), and the known answer for one block, so a library that does something else falls
    /// back rather than changing a single pseudonym.
    /// </summary>
    private static bool ProbeNative()
    {
        if (!OperatingSystem.IsLinux()) return false;
        // The handle is not freed: the runtime's own crypto keeps the library loaded for the process's life anyway.
        if (!NativeLibrary.TryLoad(LibCrypto, out var library) || !NativeLibrary.TryGetExport(library, "SHA256_Transform", out _)) return false;

        Span<byte> block = stackalloc byte[Size];
        block.Clear();
        "abc"u8.CopyTo(block);
        block[3] = 0x80;
        block[Size - 1] = 24;
        Unsafe.SkipInit(out Sha256Context context);
        InitialState.CopyTo(context);
        try
        {
            fixed (byte* data = block) Sha256Transform(&context, data);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }

        // SHA-256("abc"), FIPS 180-4's first example: one padded block from H(0).
        ReadOnlySpan<uint> expected = [0xba7816bf, 0x8f01cfea, 0x414140de, 0x5dae2223, 0xb00361a3, 0x96177a9c, 0xb410ff61, 0xf20015ad];
        return ((ReadOnlySpan<uint>)context)[..StateWords].SequenceEqual(expected);
    }
}
