using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Ingestion.Fhir.Json;

/// <summary>
/// JSON text wholly in memory → the rows of a <see cref="ResourceDocument"/>, in one loop over the bytes. It accepts
/// exactly what <see cref="Utf8JsonReader"/> accepts with default options (RFC 8259: no comments, no trailing commas,
/// no leading zeros, no raw control bytes in strings, only the valid escapes, one value with JSON whitespace around it,
/// at most <c>maxDepth</c> open containers; like the reader it does not check UTF-8 inside strings) and builds the rows
/// the reader's tokens built. What it refuses throws <see cref="JsonException"/> with a byte position and no content.
/// The reader is general (segments, rollback, per-token state); a whole line in memory needs none of that. Strings
/// (most of the bytes) end at the next bit of a 64-byte mask of stop bytes kept across strings (<see cref="StopWindow"/>).
/// </summary>
internal static class DocumentTokenizer
{
    /// <summary>
    /// The most rows an accepted text of <paramref name="length"/> bytes has: a value of b bytes has at most (b + 1) / 2
    /// rows (a number is one byte; a container adds two brackets and a comma between children; a member adds a name of
    /// at least two bytes and a colon), so rows this many never run out on a line the reader accepts.
    /// </summary>
    public static int MostRows(int length) => length / 2 + 1;

    /// <returns>
    /// The rows written to <paramref name="rows"/>, or -1 when they ran out (never with <see cref="MostRows"/> rows for
    /// accepted text): the caller grows them and calls again. Growing here would put a call in the loop, and the loop's
    /// state lives in registers only while there is none.
    /// </returns>
    public static int Fill(ReadOnlySpan<byte> utf8, int maxDepth, DocumentRow[] rows, out TextEscapes escapes)
    {
        // Or-ed into where they are read (rarely): the loop holds no register for them.
        escapes = TextEscapes.None;
        // An open container's row keeps its parent's index in Next and its depth in Length until it closes (then they
        // are the row after it and its own length), so the open containers need no stack of their own (no stackalloc,
        // rented array or finally) and the loop no depth or kind of its own: its state fits in registers.
        var container = -1;
        var count = 0;
        var length = utf8.Length;
        var pos = SkipWhitespace(utf8, 0);
        var window = default(StopWindow);

    Value:
        if ((uint)pos >= (uint)length) throw Refused(pos);
        // This compare is also the bounds check of the row writes below (the JIT drops theirs).
        if ((uint)count >= (uint)rows.Length) goto OutOfRows;
        var first = utf8[pos];
        // Strings first: most values in FHIR JSON are (codes, ids, dates, references).
        if (first == (byte)'"')
        {
            var end = ScanString(utf8, pos + 1, out var escaped, ref escapes, ref window);
            rows[count] = new DocumentRow { Start = pos + 1, Length = end - pos - 1, Next = count + 1, Kind = JsonValueKind.String, HasEscapes = escaped };
            count++;
            pos = end + 1;
            goto AfterValue;
        }
        if (first is (byte)'{' or (byte)'[')
        {
            var depth = container < 0 ? 1 : rows[container].Length + 1;
            if (depth > maxDepth) throw Refused(pos);
            var isArray = first == (byte)'[';
            rows[count] = new DocumentRow { Start = pos, Length = depth, Next = container, Kind = isArray ? JsonValueKind.Array : JsonValueKind.Object };
            container = count;
            count++;
            pos = SkipWhitespace(utf8, pos + 1);
            if ((uint)pos < (uint)length && utf8[pos] == (isArray ? (byte)']' : (byte)'}')) goto Close;
            if (!isArray) goto Name;
            rows[container].Count++;
            goto Value;
        }
        switch (first)
        {
            case (byte)'t':
                pos = Literal(utf8, pos, "true"u8, JsonValueKind.True, rows, count++);
                break;
            case (byte)'f':
                pos = Literal(utf8, pos, "false"u8, JsonValueKind.False, rows, count++);
                break;
            case (byte)'n':
                pos = Literal(utf8, pos, "null"u8, JsonValueKind.Null, rows, count++);
                break;
            case (byte)'-':
            case >= (byte)'0' and <= (byte)'9':
            {
                var end = ScanNumber(utf8, pos);
                rows[count] = new DocumentRow { Start = pos, Length = end - pos, Next = count + 1, Kind = JsonValueKind.Number };
                count++;
                pos = end;
                break;
            }
            default:
                throw Refused(pos);
        }

    AfterValue:
        pos = SkipWhitespace(utf8, pos);
        if (container < 0)
        {
            // One value only: what follows it must be whitespace.
            if (pos != length) throw Refused(pos);
            return count;
        }
        if ((uint)pos >= (uint)length) throw Refused(pos);
        if (utf8[pos] == (byte)',')
        {
            pos = SkipWhitespace(utf8, pos + 1);
            ref var open = ref rows[container];
            if (open.Kind != JsonValueKind.Array) goto Name;
            open.Count++;
            goto Value;
        }
        if (utf8[pos] != (rows[container].Kind == JsonValueKind.Array ? (byte)']' : (byte)'}')) throw Refused(pos);

    Close:
        {
            ref var closed = ref rows[container];
            container = closed.Next;
            closed.Length = pos - closed.Start + 1;
            closed.Next = count;
            pos++;
            goto AfterValue;
        }

    Name:
        {
            if ((uint)pos >= (uint)length || utf8[pos] != (byte)'"') throw Refused(pos);
            if ((uint)count >= (uint)rows.Length) goto OutOfRows;
            var end = ScanString(utf8, pos + 1, out var escaped, ref escapes, ref window);
            rows[count] = new DocumentRow { Start = pos + 1, Length = end - pos - 1, Next = count + 1, Kind = JsonValueKind.Undefined, HasEscapes = escaped };
            rows[container].Count++;
            count++;
            pos = SkipWhitespace(utf8, end + 1);
            if ((uint)pos >= (uint)length || utf8[pos] != (byte)':') throw Refused(pos);
            pos = SkipWhitespace(utf8, pos + 1);
            goto Value;
        }

    OutOfRows:
        return -1;
    }

    /// <summary>JSON whitespace (space, tab, line feed, carriage return) from <paramref name="pos"/>; compact lines have none.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int SkipWhitespace(ReadOnlySpan<byte> utf8, int pos)
    {
        // One compare when the byte is above the space (every byte that may follow a token in compact JSON), a bit test when not.
        while ((uint)pos < (uint)utf8.Length)
        {
            var b = utf8[pos];
            if (b > (byte)' ' || ((1UL << b) & WhitespaceBits) == 0) break;
            pos++;
        }
        return pos;
    }

    private const ulong WhitespaceBits = 1UL << ' ' | 1UL << '\t' | 1UL << '\n' | 1UL << '\r';

    /// <summary>The closing quote of the string whose text starts at <paramref name="at"/>; escapes are checked as they come.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ScanString(ReadOnlySpan<byte> utf8, int at, out bool escaped, ref TextEscapes escapes, ref StopWindow window)
    {
        escaped = false;
        while (true)
        {
            var found = window.NextStop(utf8, at);
            if (found >= utf8.Length) throw Refused(utf8.Length);
            var b = utf8[found];
            if (b == (byte)'"') return found;
            if (b != (byte)'\\') throw Refused(found);
            escaped = true;
            at = AfterEscape(utf8, found, ref escapes);
        }
    }

    /// <summary>
    /// The position after the escape whose backslash is at <paramref name="backslash"/>: one of <c>"\/bfnrt</c> or
    /// <c>u</c> and four hex digits. Escapes are rare (a few Synthea resource types have any), but a call out of line
    /// would be a call in <see cref="Fill"/>'s loop: its state would be spilled around it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int AfterEscape(ReadOnlySpan<byte> utf8, int backslash, ref TextEscapes escapes)
    {
        escapes |= TextEscapes.Any;
        var at = backslash + 1;
        if (at >= utf8.Length) throw Refused(at);
        switch (utf8[at])
        {
            case (byte)'\\':
                // The escaped backslash may be followed by "uD8..": a backslash-u-D8 in the bytes all the same.
                if (IsSurrogateLike(utf8, at)) escapes |= TextEscapes.SurrogateLike;
                return at + 1;
            case (byte)'"' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t':
                return at + 1;
            case (byte)'u':
                for (var i = 1; i <= 4; i++)
                {
                    if (at + i >= utf8.Length || !char.IsAsciiHexDigit((char)utf8[at + i])) throw Refused(at + i);
                }
                if (IsSurrogateLike(utf8, backslash)) escapes |= TextEscapes.SurrogateLike;
                return at + 5;
            default:
                throw Refused(at);
        }
    }

    /// <summary>Whether the backslash at <paramref name="backslash"/> starts <c>\u</c>, <c>d</c>/<c>D</c>, <c>8</c>–<c>9</c>/<c>a</c>–<c>f</c>/<c>A</c>–<c>F</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsSurrogateLike(ReadOnlySpan<byte> utf8, int backslash) =>
        backslash + 3 < utf8.Length && utf8[backslash + 1] == (byte)'u' && (utf8[backslash + 2] | 0x20) == (byte)'d'
        && utf8[backslash + 3] is >= (byte)'8' and <= (byte)'9' or >= (byte)'a' and <= (byte)'f' or >= (byte)'A' and <= (byte)'F';

    /// <summary>The end of the number starting at <paramref name="at"/>: <c>-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ScanNumber(ReadOnlySpan<byte> utf8, int at)
    {
        var length = utf8.Length;
        var i = at;
        if (utf8[i] == (byte)'-' && ++i >= length) throw Refused(i);
        if (utf8[i] == (byte)'0') i++;
        else if (IsDigit(utf8[i])) i = SkipDigits(utf8, i + 1);
        else throw Refused(i);
        if (i < length && utf8[i] == (byte)'.')
        {
            if (++i >= length || !IsDigit(utf8[i])) throw Refused(i);
            i = SkipDigits(utf8, i + 1);
        }
        if (i < length && (utf8[i] | 0x20) == (byte)'e')
        {
            if (++i < length && utf8[i] is (byte)'+' or (byte)'-') i++;
            if (i >= length || !IsDigit(utf8[i])) throw Refused(i);
            i = SkipDigits(utf8, i + 1);
        }
        // A leading zero followed by a digit ("01") ends here and is refused by what must follow a value.
        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int SkipDigits(ReadOnlySpan<byte> utf8, int i)
    {
        while (i < utf8.Length && IsDigit(utf8[i])) i++;
        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    /// <summary>The position only: the bytes may be patient data.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static JsonException Refused(int position) =>
        new($"Malformed JSON at byte {position}.", path: null, lineNumber: 0, bytePositionInLine: position);

    /// <summary>Writes the literal's row at <paramref name="row"/>; the position after it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Literal(ReadOnlySpan<byte> utf8, int pos, ReadOnlySpan<byte> literal, JsonValueKind kind, DocumentRow[] table, int row)
    {
        if (!utf8[pos..].StartsWith(literal)) throw Refused(pos);
        table[row] = new DocumentRow { Start = pos, Length = literal.Length, Next = row + 1, Kind = kind };
        return pos + literal.Length;
    }
}
