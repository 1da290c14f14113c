using System.Buffers;

namespace Ingestion.Omop;

/// <summary>
/// Streams rows of an Athena table: tab-delimited without quoting (as Athena ships them) or comma-separated with
/// RFC 4180 quoting (as exported by databases). The delimiter is detected from the header line. Fields are byte
/// spans valid until the next <see cref="ReadRow"/>; no allocation per row.
/// </summary>
internal sealed class DelimitedRowReader : IDisposable
{
    private readonly Stream _stream;
    private readonly string _name;
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
    private byte[] _unquoted = ArrayPool<byte>.Shared.Rent(4096);
    private int _start, _end;
    private bool _eof;
    private readonly List<(int Start, int Length, bool Unquoted)> _fields = [];
    private int _unquotedUsed;

    public byte Delimiter { get; private set; }
    public long LineNumber { get; private set; }
    public IReadOnlyList<string> Header { get; }

    public DelimitedRowReader(Stream stream, string name)
    {
        _stream = stream;
        _name = name;
        if (!ReadLine(out var line)) throw new VocabularyFormatException("EmptyTable", $"{name} is empty (no header line).");
        if (line.Length >= 3 && line[0] == 0xEF && line[1] == 0xBB && line[2] == 0xBF) line = line[3..];
        Delimiter = line.IndexOf((byte)'\t') >= 0 ? (byte)'\t' : (byte)',';
        Split(line);
        var header = new string[_fields.Count];
        for (var i = 0; i < header.Length; i++) header[i] = System.Text.Encoding.UTF8.GetString(Field(i, line)).Trim().ToLowerInvariant();
        Header = header;
    }

    public int ColumnIndex(string column)
    {
        for (var i = 0; i < Header.Count; i++)
        {
            if (Header[i] == column) return i;
        }
        throw new VocabularyFormatException("MissingColumn", $"{_name} has no column '{column}'.");
    }

    private ReadOnlyMemory<byte> _currentLine;

    /// <summary>Reads the next non-empty row; false at end of file.</summary>
    public bool ReadRow()
    {
        while (ReadLine(out var line))
        {
            if (line.IsEmpty) continue;
            Split(line);
            _currentLine = _buffer.AsMemory(_lineStart, line.Length);
            return true;
        }
        return false;
    }

    public int FieldCount => _fields.Count;

    public ReadOnlySpan<byte> this[int index] =>
        index < _fields.Count ? Field(index, _currentLine.Span) : throw new VocabularyFormatException("ShortRow", $"{_name} line {LineNumber} has {_fields.Count} fields, column {index + 1} expected.");

    public int Int32(int index)
    {
        var field = this[index];
        if (!System.Buffers.Text.Utf8Parser.TryParse(field, out int value, out var consumed) || consumed != field.Length)
            throw new VocabularyFormatException("BadInteger", $"{_name} line {LineNumber} column {index + 1} is not an integer.");
        return value;
    }

    private ReadOnlySpan<byte> Field(int index, ReadOnlySpan<byte> line)
    {
        var (start, length, unquoted) = _fields[index];
        return unquoted ? _unquoted.AsSpan(start, length) : line.Slice(start, length);
    }

    private void Split(ReadOnlySpan<byte> line)
    {
        _fields.Clear();
        _unquotedUsed = 0;
        var position = 0;
        while (true)
        {
            if (Delimiter == ',' && position < line.Length && line[position] == '"')
            {
                // Quoted field: copy out with "" → " so the field is one contiguous span.
                var i = position + 1;
                var outStart = _unquotedUsed;
                while (i < line.Length)
                {
                    if (line[i] == '"')
                    {
                        if (i + 1 < line.Length && line[i + 1] == '"') { Append((byte)'"'); i += 2; continue; }
                        i++;
                        break;
                    }
                    Append(line[i++]);
                }
                _fields.Add((outStart, _unquotedUsed - outStart, true));
                position = i;
                var next = position < line.Length ? line[position..].IndexOf(Delimiter) : -1;
                if (next < 0) return;
                position += next + 1;
                continue;
            }
            var end = line[position..].IndexOf(Delimiter);
            if (end < 0)
            {
                _fields.Add((position, line.Length - position, false));
                return;
            }
            _fields.Add((position, end, false));
            position += end + 1;
        }
    }

    private void Append(byte b)
    {
        if (_unquotedUsed == _unquoted.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(_unquoted.Length * 2);
            _unquoted.AsSpan(0, _unquotedUsed).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_unquoted);
            _unquoted = bigger;
        }
        _unquoted[_unquotedUsed++] = b;
    }

    private int _lineStart;

    private bool ReadLine(out ReadOnlySpan<byte> line)
    {
        var scanFrom = _start;
        while (true)
        {
            var newline = _buffer.AsSpan(scanFrom, _end - scanFrom).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var lineEnd = scanFrom + newline;
                // A quoted comma-separated field may hold a newline: keep reading while the quotes are unbalanced.
                if (Delimiter == ',' && _buffer.AsSpan(_start, lineEnd - _start).Count((byte)'"') % 2 == 1)
                {
                    scanFrom = lineEnd + 1;
                    continue;
                }
                _lineStart = _start;
                var length = lineEnd - _start;
                if (length > 0 && _buffer[_start + length - 1] == '\r') length--;
                line = _buffer.AsSpan(_start, length);
                _start = lineEnd + 1;
                LineNumber++;
                return true;
            }
            if (_eof)
            {
                if (_start == _end) { line = default; return false; }
                _lineStart = _start;
                var length = _end - _start;
                if (_buffer[_start + length - 1] == '\r') length--;
                line = _buffer.AsSpan(_start, length);
                _start = _end;
                LineNumber++;
                return true;
            }
            // Refill: move the partial line to the front, growing the buffer for very long lines.
            var pending = _end - _start;
            var scanned = scanFrom - _start;
            if (pending == _buffer.Length)
            {
                var bigger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
                _buffer.AsSpan(_start, pending).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = bigger;
            }
            else
            {
                _buffer.AsSpan(_start, pending).CopyTo(_buffer);
            }
            _start = 0;
            _end = pending;
            scanFrom = scanned;
            var read = _stream.Read(_buffer, _end, _buffer.Length - _end);
            if (read == 0) _eof = true;
            _end += read;
        }
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        ArrayPool<byte>.Shared.Return(_unquoted);
        _stream.Dispose();
    }
}
