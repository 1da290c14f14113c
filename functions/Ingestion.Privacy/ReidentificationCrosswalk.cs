using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace Ingestion.Privacy;

/// <summary>One crosswalk row: which logical id a pseudonymous key stands for.</summary>
public sealed record CrosswalkEntry(OmopKeyDomain Domain, string LogicalId, long PseudonymousId);

/// <summary>
/// The optional re-identification crosswalk (off by default): CSV rows <c>domain,logical_id,pseudonymous_id</c>
/// (domain = OMOP table name) written to a caller-supplied stream, which the pipeline opens at the separately
/// configured protected location (<see cref="DeidentificationOptions.CrosswalkLocation"/>), never in the lake.
/// Rows are a set: the caller records each key when it mints it for a resource's own id, and the same row may
/// appear again in another file or run. Thread-safe; rows stream out, nothing accumulates in memory.
/// </summary>
public sealed class ReidentificationCrosswalk : IAsyncDisposable
{
    public const string Header = "domain,logical_id,pseudonymous_id";

    private readonly StreamWriter _writer;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _headerWritten;

    public ReidentificationCrosswalk(Stream destination, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(destination);
        _writer = new StreamWriter(destination, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 64 * 1024, leaveOpen) { NewLine = "\n" };
    }

    /// <summary>Rows written so far (header excluded).</summary>
    public long Count { get; private set; }

    /// <summary>Appends one row.</summary>
    public async Task RecordAsync(OmopKeyDomain domain, string logicalId, long pseudonymousId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(logicalId);
        if (logicalId.AsSpan().ContainsAny('\r', '\n'))
            throw new ArgumentException("A logical id for the crosswalk contains a line break.", nameof(logicalId));
        var line = OmopKeyDomainNames.TableName(domain) + "," + Quote(logicalId) + "," + pseudonymousId.ToString(CultureInfo.InvariantCulture);

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_headerWritten)
            {
                await _writer.WriteLineAsync(Header.AsMemory(), cancellationToken).ConfigureAwait(false);
                _headerWritten = true;
            }

            await _writer.WriteLineAsync(line.AsMemory(), cancellationToken).ConfigureAwait(false);
            Count++;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Reads a crosswalk back (for re-identification by the data steward, and tests).</summary>
    /// <exception cref="FormatException">a row is malformed; the message gives the line number only.</exception>
    public static async IAsyncEnumerable<CrosswalkEntry> ReadAsync(Stream source, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(source, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, 64 * 1024, leaveOpen: true);
        var lineNumber = 0;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            lineNumber++;
            if (lineNumber == 1 && line == Header) continue;
            if (line.Length == 0) continue;
            yield return ParseRow(line, lineNumber);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _writer.DisposeAsync().ConfigureAwait(false);
        _gate.Dispose();
    }

    private static CrosswalkEntry ParseRow(string line, int lineNumber)
    {
        var first = line.IndexOf(',');
        var last = line.LastIndexOf(',');
        if (first <= 0 || last <= first
            || !OmopKeyDomainNames.TryParse(line.AsSpan(0, first), out var domain)
            || !long.TryParse(line.AsSpan(last + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            || !TryUnquote(line.AsSpan(first + 1, last - first - 1), out var logicalId))
            throw new FormatException($"Crosswalk line {lineNumber} is not 'domain,logical_id,pseudonymous_id'.");
        return new CrosswalkEntry(domain, logicalId, id);
    }

    // RFC 4180: quote a field holding a comma or a quote, doubling the quotes.
    private static string Quote(string field) =>
        field.AsSpan().ContainsAny(',', '"') ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;

    private static bool TryUnquote(ReadOnlySpan<char> field, out string value)
    {
        value = "";
        if (field.Length == 0) return false;
        if (field[0] != '"')
        {
            if (field.Contains('"')) return false;
            value = field.ToString();
            return true;
        }

        if (field.Length < 2 || field[^1] != '"') return false;
        value = field[1..^1].ToString().Replace("\"\"", "\"", StringComparison.Ordinal);
        return true;
    }
}
