using System.Text.Json;

namespace Ingestion.Fhir.Validation;

/// <summary>One validated input: where it came from (file, 1-based NDJSON line; 0 for a .json file) and its result.</summary>
public sealed record ValidatedResource(string File, long Line, string ResourceType, ValidationResult Result);

/// <summary>
/// Validates a resource file (.json), an NDJSON export file (.ndjson) or a folder of them, streaming NDJSON line by line
/// (memory follows the longest line, not the file). Every non-blank line is accounted for: lines that do not parse are
/// reported and counted under "(unparsed)", never dropped. JSON is read strictly (<see cref="ResourceParser"/>); its
/// non-fatal findings (strings over the limit) are added to the resource's result as errors.
/// </summary>
public sealed class ValidationRun(IResourceValidator validator, ResourceParserOptions? parserOptions = null)
{
    public const string UnparsedType = "(unparsed)";

    public ValidationCounters Counters { get; } = new();

    public static IReadOnlyList<string> InputFiles(string path) =>
        File.Exists(path)
            ? [path]
            : Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                .Where(f => f.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".ndjson", StringComparison.OrdinalIgnoreCase))
                .Order(StringComparer.Ordinal)
                .ToList();

    public async Task RunAsync(string path, Action<ValidatedResource> onResult, CancellationToken cancellationToken = default)
    {
        foreach (var file in InputFiles(path))
        {
            if (file.EndsWith(".ndjson", StringComparison.OrdinalIgnoreCase))
            {
                await using var stream = File.OpenRead(file);
                await foreach (var (line, content) in ReadLinesAsync(stream, cancellationToken).ConfigureAwait(false))
                    Validate(file, line, content, onResult);
            }
            else
            {
                Validate(file, 0, await File.ReadAllBytesAsync(file, cancellationToken).ConfigureAwait(false), onResult);
            }
        }
    }

    private void Validate(string file, long line, ReadOnlyMemory<byte> content, Action<ValidatedResource> onResult)
    {
        var parsed = ResourceParser.Parse(content, parserOptions ?? ResourceParserOptions.Default);
        if (parsed.Error is { } error)
        {
            var failed = new ValidationResult(false, parsed.JsonIssues ?? [error]);
            Counters.Record(UnparsedType, failed);
            onResult(new ValidatedResource(file, line, UnparsedType, failed));
            return;
        }
        using var document = parsed.Document!;
        var result = validator.Validate(document.RootElement);
        if (parsed.JsonIssues is { } jsonIssues) result = result with { Issues = [.. jsonIssues, .. result.Issues] };
        Counters.Record(parsed.ResourceType!, result);
        onResult(new ValidatedResource(file, line, parsed.ResourceType!, result));
    }

    /// <summary>Non-blank lines with their 1-based numbers; a line's memory is valid until the next one is read.</summary>
    internal static async IAsyncEnumerable<(long Line, ReadOnlyMemory<byte> Content)> ReadLinesAsync(Stream stream, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        var start = 0;
        var end = 0;
        long number = 0;
        while (true)
        {
            var newline = Array.IndexOf(buffer, (byte)'\n', start, end - start);
            if (newline >= 0)
            {
                number++;
                var content = Trim(buffer.AsMemory(start, newline - start));
                start = newline + 1;
                if (content.Length > 0) yield return (number, content);
                continue;
            }
            if (start > 0)
            {
                Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                end -= start;
                start = 0;
            }
            if (end == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2); // a line longer than the buffer
            var read = await stream.ReadAsync(buffer.AsMemory(end), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                if (end > start)
                {
                    number++;
                    var last = Trim(buffer.AsMemory(start, end - start));
                    if (last.Length > 0) yield return (number, last);
                }
                yield break;
            }
            end += read;
        }
    }

    private static ReadOnlyMemory<byte> Trim(ReadOnlyMemory<byte> line)
    {
        var span = line.Span;
        var from = 0;
        var to = span.Length;
        while (from < to && span[from] is (byte)' ' or (byte)'\t' or (byte)'\r') from++;
        while (to > from && span[to - 1] is (byte)' ' or (byte)'\t' or (byte)'\r') to--;
        return line[from..to];
    }
}
