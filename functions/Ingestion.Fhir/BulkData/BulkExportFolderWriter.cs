using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ingestion.Fhir.BulkData;

/// <summary>
/// Writes a completed export into a folder: one NDJSON file per manifest output entry (valid lines only), the
/// manifest rewritten to point at the local files, the server's error[] and deleted[] files as they are, and every
/// rejected line in <c>quarantine/</c> with its reason (file, line number, reason — never the content) in
/// <c>quarantine/reasons.ndjson</c>. Files are written under a temporary name and renamed when complete, so an
/// interrupted run never leaves a file that looks finished.
/// </summary>
public sealed class BulkExportFolderWriter(BulkExportClient client, int parallelism = 4)
{
    public const string ManifestFileName = "manifest.json";
    public const string SummaryFileName = "export-summary.json";
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public async Task<BulkExportFolderSummary> WriteAsync(BulkExportManifest manifest, string folder, IProgress<BulkExportDownloadProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        Directory.CreateDirectory(folder);
        var quarantine = Path.Combine(folder, "quarantine");
        var resources = new Dictionary<string, long>(StringComparer.Ordinal);
        var invalid = new Dictionary<string, long>(StringComparer.Ordinal);
        var gate = new object();
        long bytes = 0, resourceTotal = 0, invalidTotal = 0;
        var filesDone = 0;
        var total = manifest.Output.Count + manifest.Error.Count + manifest.Deleted.Count;
        var localOutput = new BulkExportFile[manifest.Output.Count];
        await using var reasons = new ReasonLog(Path.Combine(quarantine, "reasons.ndjson"));

        void Report(long addBytes, long addResources, long addInvalid, bool fileDone)
        {
            BulkExportDownloadProgress snapshot;
            lock (gate)
            {
                bytes += addBytes;
                resourceTotal += addResources;
                invalidTotal += addInvalid;
                if (fileDone) filesDone++;
                snapshot = new BulkExportDownloadProgress(filesDone, total, bytes, resourceTotal, invalidTotal);
            }
            progress?.Report(snapshot);
        }

        var indexed = manifest.Output.Select((file, index) => (file, index));
        await Parallel.ForEachAsync(indexed, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = cancellationToken }, async (entry, ct) =>
        {
            var (file, index) = entry;
            var name = LocalName(file.Type, index);
            var target = Path.Combine(folder, name);
            var partial = target + ".partial";
            long good = 0, bad = 0, pendingBytes = 0;
            Stream? quarantined = null;
            await using (var output = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                await foreach (var line in client.ReadFileAsync(manifest, file, ct).ConfigureAwait(false))
                {
                    pendingBytes += line.Utf8.Length + 1;
                    if (line.Error is null)
                    {
                        await output.WriteAsync(line.Utf8, ct).ConfigureAwait(false);
                        output.WriteByte((byte)'\n');
                        good++;
                    }
                    else
                    {
                        bad++;
                        if (quarantined is null)
                        {
                            Directory.CreateDirectory(quarantine);
                            quarantined = new FileStream(Path.Combine(quarantine, name), FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
                        }
                        await quarantined.WriteAsync(line.Utf8, ct).ConfigureAwait(false);
                        quarantined.WriteByte((byte)'\n');
                        await reasons.AddAsync(name, line.LineNumber, line.Error, ct).ConfigureAwait(false);
                    }
                    if (pendingBytes >= 1 << 20)
                    {
                        Report(pendingBytes, 0, 0, false);
                        pendingBytes = 0;
                    }
                }
            }
            if (quarantined is not null) await quarantined.DisposeAsync().ConfigureAwait(false);
            File.Move(partial, target, overwrite: true);
            localOutput[index] = file with { Url = name, Count = good };
            lock (gate)
            {
                resources[file.Type] = resources.GetValueOrDefault(file.Type) + good;
                if (bad > 0 || !invalid.ContainsKey(file.Type)) invalid[file.Type] = invalid.GetValueOrDefault(file.Type) + bad;
            }
            Report(pendingBytes, good, bad, true);
        }).ConfigureAwait(false);

        var errors = await CopyRawAsync(manifest, manifest.Error, Path.Combine(folder, "error"), Report, cancellationToken).ConfigureAwait(false);
        var deleted = await CopyRawAsync(manifest, manifest.Deleted, Path.Combine(folder, "deleted"), Report, cancellationToken).ConfigureAwait(false);

        var local = manifest with { Output = localOutput, Error = errors, Deleted = deleted, Link = [] };
        await File.WriteAllTextAsync(Path.Combine(folder, ManifestFileName), JsonSerializer.Serialize(local, Indented), cancellationToken).ConfigureAwait(false);
        var summary = new BulkExportFolderSummary(resources, invalid, errors.Count, deleted.Count, bytes);
        await File.WriteAllTextAsync(Path.Combine(folder, SummaryFileName), JsonSerializer.Serialize(summary, Indented), cancellationToken).ConfigureAwait(false);
        return summary;
    }

    private async Task<IReadOnlyList<BulkExportFile>> CopyRawAsync(BulkExportManifest manifest, IReadOnlyList<BulkExportFile> files, string folder, Action<long, long, long, bool> report, CancellationToken cancellationToken)
    {
        var local = new List<BulkExportFile>(files.Count);
        if (files.Count > 0) Directory.CreateDirectory(folder);
        for (var i = 0; i < files.Count; i++)
        {
            var name = LocalName(files[i].Type, i);
            var target = Path.Combine(folder, name);
            await using (var source = await client.OpenFileAsync(manifest, files[i], cancellationToken).ConfigureAwait(false))
            await using (var output = new FileStream(target + ".partial", FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                await source.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
                report(output.Length, 0, 0, true);
            }
            File.Move(target + ".partial", target, overwrite: true);
            local.Add(files[i] with { Url = Path.GetFileName(folder) + "/" + name });
        }
        return local;
    }

    /// <summary>The local file name for the index-th manifest entry of a type: "Patient.0001.ndjson".</summary>
    private static string LocalName(string type, int index) =>
        $"{SafeName(type)}.{(index + 1).ToString("D4", CultureInfo.InvariantCulture)}.ndjson";

    /// <summary>A resource type from the server becomes part of a file name: keep letters and digits only.</summary>
    private static string SafeName(string type)
    {
        var safe = new string(type.Where(char.IsAsciiLetterOrDigit).ToArray());
        return safe.Length == 0 ? "Unknown" : safe;
    }

    /// <summary>quarantine/reasons.ndjson: one JSON line per rejected line, written only when there is one.</summary>
    private sealed class ReasonLog(string path) : IAsyncDisposable
    {
        private readonly SemaphoreSlim _lock = new(1, 1);
        private FileStream? _stream;

        public async Task AddAsync(string file, long lineNumber, string reason, CancellationToken cancellationToken)
        {
            var buffer = new ArrayBufferWriter<byte>();
            await using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteString("file", file);
                json.WriteNumber("line", lineNumber);
                json.WriteString("reason", reason);
                json.WriteEndObject();
            }
            await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                _stream ??= new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 4096, useAsync: true);
                await _stream.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
                _stream.WriteByte((byte)'\n');
            }
            finally
            {
                _lock.Release();
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_stream is not null) await _stream.DisposeAsync().ConfigureAwait(false);
            _lock.Dispose();
        }
    }
}
