using System.Text.Json;

namespace Ingestion.DemoServer;

/// <summary>
/// Writes an export's lines to per-type NDJSON files in the job folder, starting a new file every
/// ResourcesPerFile lines. One line in memory at a time: memory does not grow with the export.
/// </summary>
internal sealed class ExportSpooler(IExportSource source, int resourcesPerFile, bool errorFile)
{
    public async Task<ExportSpoolResult> SpoolAsync(ExportParameters parameters, string directory, Action<long> reportLines, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var outputs = new List<ExportFile>();
        var open = new Dictionary<string, OpenFile>(StringComparer.Ordinal);
        var elements = new ElementsFilter(parameters.Elements);
        long written = 0;
        try
        {
            await foreach (var line in source.ReadAsync(parameters.Types, cancellationToken))
            {
                if (!Includes(parameters, line)) continue;
                if (!open.TryGetValue(line.ResourceType, out var file))
                    open[line.ResourceType] = file = OpenFile.Create(directory, line.ResourceType, 1);
                else if (file.Count == resourcesPerFile)
                {
                    outputs.Add(await file.CloseAsync());
                    open[line.ResourceType] = file = OpenFile.Create(directory, line.ResourceType, file.Index + 1);
                }
                var bytes = elements.IsActive ? elements.Apply(line.ResourceType, line.Bytes) : line.Bytes;
                await file.WriteLineAsync(bytes, cancellationToken);
                if (++written % 10_000 == 0) reportLines(written);
            }
            reportLines(written);
            foreach (var file in open.Values) outputs.Add(await file.CloseAsync());
        }
        finally
        {
            foreach (var file in open.Values) await file.DisposeAsync();
        }
        // Stable: files of one type stay in index order.
        var ordered = outputs.OrderBy(f => f.Type, StringComparer.Ordinal).ToList();
        var deleted = parameters.Since is null ? [] : await WriteDeletedAsync(parameters, directory, cancellationToken);
        var errors = errorFile ? await WriteErrorFileAsync(directory, cancellationToken) : [];
        return new ExportSpoolResult(ordered, deleted, errors);
    }

    private static bool Includes(ExportParameters parameters, ExportLine line)
    {
        if (parameters.Since is { } since && line.LastUpdated is { } updated && updated <= since) return false;
        if (parameters.Until is { } until && line.LastUpdated is { } updated2 && updated2 > until) return false;
        // patient=: that patient's compartment (shared Organization/Practitioner/Location lines are kept).
        if (parameters.Patients is { } patients && line.PatientId is { } owner && !patients.Contains(owner)) return false;
        return true;
    }

    /// <summary>deleted[]: one transaction Bundle per line, each with one DELETE entry (Bulk Data IG 2.0.0).</summary>
    private async Task<IReadOnlyList<ExportFile>> WriteDeletedAsync(ExportParameters parameters, string directory, CancellationToken cancellationToken)
    {
        const string name = "deleted-Bundle-1.ndjson";
        long count = 0;
        await using (var stream = new FileStream(Path.Combine(directory, name), FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
        {
            var buffer = new System.Buffers.ArrayBufferWriter<byte>(512);
            foreach (var deletion in source.Deletions)
            {
                if (deletion.DeletedAt <= parameters.Since) continue;
                if (parameters.Until is { } until && deletion.DeletedAt > until) continue;
                if (parameters.Types is { } types && !types.Contains(deletion.ResourceType)) continue;
                buffer.ResetWrittenCount();
                using (var json = new Utf8JsonWriter(buffer))
                {
                    json.WriteStartObject();
                    json.WriteString("resourceType", "Bundle");
                    json.WriteString("type", "transaction");
                    json.WriteStartArray("entry");
                    json.WriteStartObject();
                    json.WriteStartObject("request");
                    json.WriteString("method", "DELETE");
                    json.WriteString("url", $"{deletion.ResourceType}/{deletion.Id}");
                    json.WriteEndObject();
                    json.WriteEndObject();
                    json.WriteEndArray();
                    json.WriteEndObject();
                }
                await stream.WriteAsync(buffer.WrittenMemory, cancellationToken);
                stream.WriteByte((byte)'\n');
                count++;
            }
        }
        return [new ExportFile("Bundle", name, count)];
    }

    private static async Task<IReadOnlyList<ExportFile>> WriteErrorFileAsync(string directory, CancellationToken cancellationToken)
    {
        const string name = "error-OperationOutcome-1.ndjson";
        const string line = """{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"processing","diagnostics":"Demo fault: one resource could not be exported (simulated)."}]}""";
        await File.WriteAllTextAsync(Path.Combine(directory, name), line + "\n", cancellationToken);
        return [new ExportFile("OperationOutcome", name, 1)];
    }

    private sealed class OpenFile : IAsyncDisposable
    {
        private readonly FileStream _stream;
        public string Type { get; }
        public string Name { get; }
        public int Index { get; }
        public long Count { get; private set; }

        private OpenFile(FileStream stream, string type, string name, int index) => (_stream, Type, Name, Index) = (stream, type, name, index);

        public static OpenFile Create(string directory, string type, int index)
        {
            var name = $"{type}-{index}.ndjson";
            var stream = new FileStream(Path.Combine(directory, name), FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
            return new OpenFile(stream, type, name, index);
        }

        public async Task WriteLineAsync(ReadOnlyMemory<byte> line, CancellationToken cancellationToken)
        {
            await _stream.WriteAsync(line, cancellationToken);
            _stream.WriteByte((byte)'\n');
            Count++;
        }

        public async Task<ExportFile> CloseAsync()
        {
            await _stream.DisposeAsync();
            return new ExportFile(Type, Name, Count);
        }

        public ValueTask DisposeAsync() => _stream.DisposeAsync();
    }
}
