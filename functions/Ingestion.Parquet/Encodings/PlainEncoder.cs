using System.Runtime.InteropServices;

namespace Ingestion.Parquet.Encodings;

/// <summary>PLAIN encoding (Encodings.md): fixed-width values little endian back to back, booleans bit-packed LSB first.</summary>
internal static class PlainEncoder
{
    static PlainEncoder()
    {
        // Fixed-width values are copied as memory; Parquet is little endian.
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("The Parquet writer needs a little-endian machine.");
    }

    public static void WriteFixedWidth<T>(ReadOnlySpan<T> values, ByteBuffer output)
        where T : unmanaged => output.Write(MemoryMarshal.AsBytes(values));

    public static void WriteBooleans(ReadOnlySpan<bool> values, ByteBuffer output)
    {
        var byteCount = (values.Length + 7) / 8;
        var span = output.GetSpan(byteCount)[..byteCount];
        span.Clear();
        for (var i = 0; i < values.Length; i++)
            if (values[i]) span[i >> 3] |= (byte)(1 << (i & 7));
        output.Advance(byteCount);
    }
}
