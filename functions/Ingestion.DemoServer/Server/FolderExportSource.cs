using System.Buffers;
using System.Runtime.CompilerServices;

namespace Ingestion.DemoServer;

/// <summary>
/// Exports the <c>{Type}.ndjson</c> files of a folder. Lines pass through byte-identical (references such as
/// <c>urn:uuid:</c> stay as they are); only the line terminator is normalised to "\n".
/// </summary>
internal sealed class FolderExportSource : IExportSource
{
    private readonly string _folder;
    private readonly Lazy<GenerationReport> _expected;

    public FolderExportSource(string folder)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"Demo server folder not found: {folder}");
        _folder = folder;
        ResourceTypes = Directory.EnumerateFiles(folder, "*.ndjson").Select(Path.GetFileNameWithoutExtension).OfType<string>()
            .Order(StringComparer.Ordinal).ToArray();
        if (ResourceTypes.Count == 0) throw new InvalidOperationException($"No *.ndjson files in {folder}");
        _expected = new(CountLines);
    }

    public IReadOnlyCollection<string> ResourceTypes { get; }
    public bool KnowsLastUpdated => false;
    public GenerationReport Expected => _expected.Value;
    public IEnumerable<GeneratedDeletion> Deletions => [];

    public async IAsyncEnumerable<ExportLine> ReadAsync(IReadOnlySet<string>? types, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var type in ResourceTypes)
        {
            if (types is not null && !types.Contains(type)) continue;
            await using var stream = new FileStream(Path.Combine(_folder, type + ".ndjson"), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
            await foreach (var line in ReadLinesAsync(stream, cancellationToken))
                yield return new ExportLine(type, line, null, null);
        }
    }

    /// <summary>Non-empty lines of a stream without their terminator (the memory is valid until the next line).</summary>
    internal static async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadLinesAsync(Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            int start = 0, end = 0;
            while (true)
            {
                var newline = Array.IndexOf(buffer, (byte)'\n', start, end - start);
                if (newline >= 0)
                {
                    var length = newline - start;
                    if (length > 0 && buffer[newline - 1] == '\r') length--;
                    if (length > 0) yield return buffer.AsMemory(start, length);
                    start = newline + 1;
                    continue;
                }
                if (start > 0)
                {
                    Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                    end -= start;
                    start = 0;
                }
                if (end == buffer.Length)
                {
                    var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    Buffer.BlockCopy(buffer, 0, bigger, 0, end);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }
                var read = await stream.ReadAsync(buffer.AsMemory(end), cancellationToken);
                if (read == 0)
                {
                    var length = end - start;
                    if (length > 0 && buffer[end - 1] == '\r') length--;
                    if (length > 0) yield return buffer.AsMemory(start, length);
                    yield break;
                }
                end += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private GenerationReport CountLines()
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var type in ResourceTypes)
        {
            long lines = 0;
            foreach (var line in File.ReadLines(Path.Combine(_folder, type + ".ndjson")))
                if (line.Length > 0) lines++;
            counts[type] = lines;
        }
        return new GenerationReport
        {
            ValidResources = counts,
            Defects = new Dictionary<string, IReadOnlyDictionary<DefectKind, long>>(),
            Deletions = new Dictionary<string, long>(),
        };
    }
}
