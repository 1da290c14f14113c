using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Ingestion.Fhir.Json;

/// <summary>
/// A parsed JSON value (a FHIR resource, usually) over the caller's UTF-8 memory, which it does not copy: keep that
/// memory alive while the document is used. Built in one pass of <see cref="DocumentTokenizer"/> into a pooled row table
/// with each kind stored, containers knowing their end and child count, names kept as spans: the shape the validator
/// and the mapper read through, cheaper to build and to read than <see cref="JsonDocument"/>'s, with its semantics
/// (what <see cref="Utf8JsonReader"/> refuses throws <see cref="JsonException"/>; a repeated name's last value wins).
/// Dispose returns the rows to the pool; elements must not be used after that.
/// </summary>
public sealed class ResourceDocument : IDisposable
{
    /// <summary>The nesting limit when none is given, as <see cref="JsonDocument"/>'s.</summary>
    public const int DefaultMaxDepth = 64;

    /// <summary>Rows for lines up to 128 KB (Synthea's longest is 49 KB): 1.3 MB; longer lines start here and grow.</summary>
    private const int MaxRowsUpFront = 65_536;

    private readonly ReadOnlyMemory<byte> _utf8;
    private readonly bool _pooled;
    private readonly int _maxDepth;
    private DocumentRow[] _rows;

    private ResourceDocument(ReadOnlyMemory<byte> utf8, DocumentRow[] rows, bool pooled, int maxDepth, TextEscapes escapes)
    {
        _utf8 = utf8;
        _rows = rows;
        _pooled = pooled;
        _maxDepth = maxDepth;
        Escapes = escapes;
    }

    public ResourceElement RootElement => new(this, 0);

    /// <summary>Read on every member access: kept small enough to inline (the throw is out of line).</summary>
    internal DocumentRow[] Rows
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            var rows = _rows;
            if (rows is null) ThrowDisposed();
            return rows;
        }
    }

    internal ReadOnlySpan<byte> Utf8 => _utf8.Span;

    internal int MaxDepth => _maxDepth;

    /// <summary>What the parse saw of backslash escapes: the strict parse's decisions that used to search the line.</summary>
    internal TextEscapes Escapes { get; }

    public static ResourceDocument Parse(ReadOnlyMemory<byte> utf8, int maxDepth = DefaultMaxDepth) => Build(utf8, maxDepth, pooled: true);

    /// <summary>Reads the whole stream (an embedded rule set), then parses it: for streams that are not I/O-bound.</summary>
    public static ResourceDocument Parse(Stream utf8Json, int maxDepth = DefaultMaxDepth)
    {
        ArgumentNullException.ThrowIfNull(utf8Json);
        using var buffer = new MemoryStream();
        utf8Json.CopyTo(buffer);
        return Build(WithoutByteOrderMark(buffer.GetBuffer().AsMemory(0, (int)buffer.Length)), maxDepth, pooled: false);
    }

    public static ResourceDocument Parse(string json, int maxDepth = DefaultMaxDepth)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Parse(Encoding.UTF8.GetBytes(json), maxDepth);
    }

    /// <summary>Reads the whole stream (a definition file, a package entry), then parses it.</summary>
    public static async Task<ResourceDocument> ParseAsync(Stream utf8Json, int maxDepth, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(utf8Json);
        using var buffer = new MemoryStream();
        await utf8Json.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return Build(WithoutByteOrderMark(buffer.GetBuffer().AsMemory(0, (int)buffer.Length)), maxDepth, pooled: false);
    }

    /// <summary>A .json file saved with a byte order mark, as JsonDocument's stream parsing reads it.</summary>
    private static ReadOnlyMemory<byte> WithoutByteOrderMark(ReadOnlyMemory<byte> bytes) =>
        bytes.Span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? bytes[3..] : bytes;

    /// <summary>A document of its own for one element: it outlives this document and its memory (definitions keep these).</summary>
    internal ResourceDocument CloneElement(int row)
    {
        var raw = ValueSpan(row, includeQuotes: true).ToArray();
        return Build(raw, _maxDepth, pooled: false);
    }

    public void Dispose()
    {
        var rows = _rows;
        if (rows is null) return;
        _rows = null!;
        if (_pooled) ArrayPool<DocumentRow>.Shared.Return(rows);
    }

    /// <summary>The value's bytes as written: strings with their quotes, containers with their brackets.</summary>
    internal ReadOnlySpan<byte> ValueSpan(int row, bool includeQuotes)
    {
        ref readonly var r = ref Rows[row];
        return includeQuotes && r.Kind is JsonValueKind.String or JsonValueKind.Undefined
            ? _utf8.Span.Slice(r.Start - 1, r.Length + 2)
            : _utf8.Span.Slice(r.Start, r.Length);
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowDisposed() => throw new ObjectDisposedException(nameof(ResourceDocument));

    private static ResourceDocument Build(ReadOnlyMemory<byte> utf8, int maxDepth, bool pooled)
    {
        if (maxDepth <= 0) maxDepth = DefaultMaxDepth;
        // Pooled (a line): as many rows as accepted text of this length can have, so the tokenizer never runs out, up
        // to a bound on what one line may hold for long; not pooled (a definition, kept): a guess, trimmed after.
        var capacity = pooled ? Math.Min(DocumentTokenizer.MostRows(utf8.Length), MaxRowsUpFront) : Math.Max(4, utf8.Length / 8);
        while (true)
        {
            var rows = pooled ? ArrayPool<DocumentRow>.Shared.Rent(capacity) : new DocumentRow[capacity];
            int count;
            TextEscapes escapes;
            try
            {
                count = DocumentTokenizer.Fill(utf8.Span, maxDepth, rows, out escapes);
            }
            catch
            {
                if (pooled) ArrayPool<DocumentRow>.Shared.Return(rows);
                throw;
            }
            if (count >= 0)
            {
                if (!pooled && rows.Length != count) Array.Resize(ref rows, count);
                return new ResourceDocument(utf8, rows, pooled, maxDepth, escapes);
            }
            // Ran out: the text again with twice the rows (a row starts at a byte of its own: this ends).
            if (pooled) ArrayPool<DocumentRow>.Shared.Return(rows);
            capacity = checked(rows.Length * 2);
        }
    }
}
