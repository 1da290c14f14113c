using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Ingestion.Fhir.Ndjson;

/// <summary>
/// Streams the lines of an NDJSON (FHIR <c>application/fhir+ndjson</c>) stream. Memory stays bounded by the pipe's
/// buffer plus one pooled copy of a line that spans buffer segments; an over-long line is skipped without being
/// buffered. Blank lines are skipped (but counted in line numbers); <c>\r\n</c> endings are accepted; a UTF-8 byte
/// order mark at the start of the stream is skipped. A line that is not valid UTF-8 is reported as such (its bytes
/// are still returned, so they can be quarantined).
/// </summary>
public static class NdjsonReader
{
    private const byte NewLine = (byte)'\n';
    private static ReadOnlySpan<byte> ByteOrderMark => [0xEF, 0xBB, 0xBF];

    public static async IAsyncEnumerable<NdjsonLine> ReadAsync(
        Stream utf8, NdjsonReaderOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(utf8);
        ArgumentNullException.ThrowIfNull(options);
        var pipe = PipeReader.Create(utf8, new StreamPipeReaderOptions(
            bufferSize: options.BufferSize, minimumReadSize: Math.Min(options.BufferSize, 4096), leaveOpen: true));
        byte[]? joined = null;
        long lineNumber = 0;
        long scanned = 0;        // bytes of the pending partial line already searched for a newline
        var skipping = false;    // inside an over-long line: discard until its newline
        var atStart = true;      // the stream's first bytes may be a byte order mark
        try
        {
            while (true)
            {
                var result = await pipe.ReadAsync(cancellationToken).ConfigureAwait(false);
                var buffer = result.Buffer;
                if (atStart)
                {
                    // Decide only once three bytes (or the whole stream) are in: a BOM can straddle reads.
                    if (buffer.Length < ByteOrderMark.Length && !result.IsCompleted)
                    {
                        pipe.AdvanceTo(buffer.Start, buffer.End);
                        continue;
                    }
                    atStart = false;
                    if (StartsWithByteOrderMark(buffer)) buffer = buffer.Slice(ByteOrderMark.Length);
                }
                while (true)
                {
                    // Lines that end in the buffer's first segment (nearly all) are cut by offsets into it, and the
                    // buffer is sliced once after them: no sequence positions per line, no copy.
                    var first = buffer.First;
                    var cut = 0;
                    while (!skipping && cut + scanned < first.Length)
                    {
                        var end = first.Span[(cut + (int)scanned)..].IndexOf(NewLine);
                        if (end < 0) break;
                        // A buffer can hold thousands of lines: honour cancellation between them, not only between reads.
                        cancellationToken.ThrowIfCancellationRequested();
                        var raw = first.Slice(cut, (int)scanned + end);
                        cut += (int)scanned + end + 1;
                        scanned = 0;
                        lineNumber++;
                        var line = Materialize(raw, options, out var error);
                        if (line.IsEmpty && error is null) continue;
                        yield return new NdjsonLine(lineNumber, line, error) { IsValidUtf8 = error is null };
                    }
                    if (cut > 0) buffer = buffer.Slice(cut);

                    // A line across segments (or the end of an over-long one): found in the sequence, joined in a copy.
                    var newline = buffer.Slice(scanned).PositionOf(NewLine);
                    if (newline is null) break;
                    cancellationToken.ThrowIfCancellationRequested();
                    var spanning = buffer.Slice(0, newline.Value);
                    buffer = buffer.Slice(buffer.GetPosition(1, newline.Value));
                    scanned = 0;
                    lineNumber++;
                    if (skipping)
                    {
                        skipping = false;
                        yield return new NdjsonLine(lineNumber, ReadOnlyMemory<byte>.Empty, NdjsonLineError.TooLong(options.MaxLineBytes));
                        continue;
                    }
                    var joinedLine = Materialize(spanning, options, ref joined, out var joinedError);
                    if (joinedLine.IsEmpty && joinedError is null) continue;
                    yield return new NdjsonLine(lineNumber, joinedLine, joinedError) { IsValidUtf8 = joinedError is null };
                }

                if (result.IsCompleted)
                {
                    if (skipping)
                    {
                        yield return new NdjsonLine(lineNumber + 1, ReadOnlyMemory<byte>.Empty, NdjsonLineError.TooLong(options.MaxLineBytes));
                    }
                    else if (!buffer.IsEmpty)
                    {
                        var line = Materialize(buffer, options, ref joined, out var error);
                        if (!line.IsEmpty || error is not null) yield return new NdjsonLine(lineNumber + 1, line, error) { IsValidUtf8 = error is null };
                    }
                    pipe.AdvanceTo(buffer.End);
                    yield break;
                }

                if (skipping || buffer.Length > options.MaxLineBytes)
                {
                    // Never buffer an over-long line: drop what we have and keep dropping up to its newline.
                    skipping = true;
                    scanned = 0;
                    pipe.AdvanceTo(buffer.End);
                }
                else
                {
                    scanned = buffer.Length;
                    pipe.AdvanceTo(buffer.Start, buffer.End);
                }
            }
        }
        finally
        {
            await pipe.CompleteAsync().ConfigureAwait(false);
            if (joined is not null) ArrayPool<byte>.Shared.Return(joined);
        }
    }

    /// <summary>Returns the line's bytes (without <c>\r</c>), empty for a blank line, and the reason it is rejected, if it is.</summary>
    private static ReadOnlyMemory<byte> Materialize(ReadOnlySequence<byte> raw, NdjsonReaderOptions options, ref byte[]? joined, out string? error)
    {
        if (raw.IsSingleSegment || raw.Length > options.MaxLineBytes) return Materialize(raw.First, raw.Length, options, out error);
        var length = (int)raw.Length;
        if (joined is null || joined.Length < length)
        {
            if (joined is not null) ArrayPool<byte>.Shared.Return(joined);
            joined = ArrayPool<byte>.Shared.Rent(Math.Max(length, 4096));
        }
        raw.CopyTo(joined);
        return Materialize(joined.AsMemory(0, length), options, out error);
    }

    private static ReadOnlyMemory<byte> Materialize(ReadOnlyMemory<byte> raw, NdjsonReaderOptions options, out string? error) =>
        Materialize(raw, raw.Length, options, out error);

    /// <summary>The line's bytes when they are in one piece (<paramref name="length"/> is the whole line's, to refuse an over-long one).</summary>
    private static ReadOnlyMemory<byte> Materialize(ReadOnlyMemory<byte> line, long length, NdjsonReaderOptions options, out string? error)
    {
        error = null;
        if (length > options.MaxLineBytes)
        {
            error = NdjsonLineError.TooLong(options.MaxLineBytes);
            return ReadOnlyMemory<byte>.Empty;
        }
        if (!line.IsEmpty && line.Span[^1] == (byte)'\r') line = line[..^1];
        if (IsBlank(line.Span)) return ReadOnlyMemory<byte>.Empty;
        error = Inspect(line.Span, options);
        return line;
    }

    private static bool StartsWithByteOrderMark(ReadOnlySequence<byte> buffer)
    {
        if (buffer.Length < ByteOrderMark.Length) return false;
        Span<byte> head = stackalloc byte[3];
        buffer.Slice(0, head.Length).CopyTo(head);
        return head.SequenceEqual(ByteOrderMark);
    }

    private static bool IsBlank(ReadOnlySpan<byte> line)
    {
        foreach (var b in line)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r')) return false;
        }
        return true;
    }

    /// <summary>One Utf8JsonReader pass: the line must be a single JSON object; its top-level resourceType is checked.
    /// UTF-8 is checked first, always: a line without an error is valid UTF-8 (<see cref="NdjsonLine.IsValidUtf8"/>).</summary>
    internal static string? Inspect(ReadOnlySpan<byte> line, NdjsonReaderOptions options)
    {
        // Checked first and always: every later stage (JSON strings, Parquet, the quarantine file) needs valid UTF-8.
        if (!Utf8.IsValid(line)) return NdjsonLineError.InvalidUtf8(FirstInvalidUtf8(line));
        var expected = options.ExpectedResourceTypeUtf8;
        if (!options.ValidateJson && expected is null) return null;
        var reader = new Utf8JsonReader(line, isFinalBlock: true, state: default);
        var sawType = false;
        var typeMatches = true;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return NdjsonLineError.InvalidJson(reader.TokenStartIndex);
            // Walk the top-level properties only; Skip() validates nested values faster than token-by-token reads.
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isType = reader.ValueTextEquals("resourceType"u8);
                reader.Read();
                if (isType)
                {
                    if (reader.TokenType != JsonTokenType.String) return NdjsonLineError.MissingResourceType;
                    // FHIR JSON has no duplicate keys; a second resourceType must not silently win.
                    if (sawType) return NdjsonLineError.DuplicateResourceType;
                    sawType = true;
                    typeMatches = expected is null || reader.ValueTextEquals(expected);
                    // Without JSON validation there is nothing left to learn from the rest of the line.
                    if (!options.ValidateJson) break;
                }
                else if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    reader.Skip();
                }
            }
            // Trailing content after the object (a second value, garbage) throws here.
            if (options.ValidateJson) while (reader.Read()) { }
        }
        catch (JsonException)
        {
            return NdjsonLineError.InvalidJson(reader.BytesConsumed);
        }
        if (!sawType) return expected is null ? null : NdjsonLineError.MissingResourceType;
        return typeMatches ? null : NdjsonLineError.ResourceTypeMismatch(options.ExpectedResourceType!);
    }

    /// <summary>Offset of the first byte that does not start a valid UTF-8 sequence (off the hot path: the line is invalid).</summary>
    private static int FirstInvalidUtf8(ReadOnlySpan<byte> line)
    {
        var offset = 0;
        while (offset < line.Length && Rune.DecodeFromUtf8(line[offset..], out _, out var consumed) == OperationStatus.Done) offset += consumed;
        return offset;
    }
}
