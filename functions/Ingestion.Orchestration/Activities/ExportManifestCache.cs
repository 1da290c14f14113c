using System.Collections.Concurrent;
using Ingestion.Fhir.BulkData;
using Ingestion.Fhir.Net;
using Ingestion.Pipeline;
using Ingestion.Pipeline.Sources;
using Ingestion.Storage.Catalog;

namespace Ingestion.Orchestration;

/// <summary>
/// Where the file activity gets a file's download URL. Manifest file URLs may be signed (<c>?sig=</c>, a SAS): a
/// credential to PHI, so the run catalog and Durable history keep them redacted (<see cref="UrlRedaction"/>) and the
/// activity re-reads the manifest from the export's status URL instead (the Bulk Data spec: the server keeps answering
/// it with the complete manifest until the export is deleted or expires). The manifest is cached per status URL in
/// this worker process for a short time, so a run's files cost one status read per process, not one per file.
/// Files are addressed by manifest index; the catalog row's redacted URL and type prove the entry is the same file.
/// </summary>
public sealed class ExportManifestCache(TimeProvider time)
{
    // Short: servers sign file URLs for an hour or more, and a re-read brings fresh signatures anyway.
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);
    private const int MaxEntries = 32;
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>The complete (possibly signed) URL of the run's file <paramref name="file"/>, from the server's manifest.</summary>
    public async Task<string> DownloadUrlAsync(IExportSource source, string statusUrl, RunFileRecord file, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(file);
        var manifest = await GetAsync(source, statusUrl, cancellationToken).ConfigureAwait(false);
        var entry = ManifestFiles.At(manifest, file.Index);
        if (entry is null || !string.Equals(entry.Type, file.ResourceType, StringComparison.Ordinal)
            || !string.Equals(UrlRedaction.Redact(entry.Url), UrlRedaction.Redact(file.Url), StringComparison.Ordinal))
        {
            Forget(statusUrl);
            throw new NonRetryableActivityException($"File {file.Index} ({file.ResourceType}): the server's manifest no longer lists this file at this position; run a new export.");
        }
        return entry.Url;
    }

    /// <summary>Drops the cached manifest (a download was refused: a re-read may bring fresh signatures).</summary>
    public void Forget(string statusUrl) => _entries.TryRemove(statusUrl, out _);

    private Task<BulkExportManifest> GetAsync(IExportSource source, string statusUrl, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_entries.TryGetValue(statusUrl, out var cached) && cached.ReadAt + Lifetime > now && !cached.Manifest.IsFaulted && !cached.Manifest.IsCanceled)
            return cached.Manifest;
        foreach (var old in _entries.Where(e => e.Value.ReadAt + Lifetime <= now || e.Value.Manifest.IsFaulted).Select(e => e.Key).ToList()) _entries.TryRemove(old, out _);
        if (_entries.Count >= MaxEntries)
            foreach (var oldest in _entries.OrderBy(e => e.Value.ReadAt).Take(_entries.Count - MaxEntries + 1).Select(e => e.Key).ToList()) _entries.TryRemove(oldest, out _);
        // Two activities missing at once may both read; both get the same manifest, so the race costs one request.
        var entry = new Entry(now, ReadAsync(source, statusUrl, cancellationToken));
        _entries[statusUrl] = entry;
        return entry.Manifest;
    }

    /// <summary>Status requests until the manifest (every page of a partial one) is back; transient answers wait as the client says.</summary>
    private async Task<BulkExportManifest> ReadAsync(IExportSource source, string statusUrl, CancellationToken cancellationToken)
    {
        var job = new BulkExportJob(statusUrl, time.GetUtcNow());
        while (true)
        {
            var poll = await source.PollAsync(job, cancellationToken).ConfigureAwait(false);
            if (poll.Manifest is { } manifest) return manifest;
            if (poll.Job.ManifestPageUrl is null && poll.Job.ConsecutiveFailures == 0)
                throw new InvalidOperationException("The export's status URL answers 'in progress' instead of its manifest; the file is tried again.");
            job = poll.Job;
            var wait = (job.NextPollAt ?? time.GetUtcNow()) - time.GetUtcNow();
            if (wait > TimeSpan.Zero) await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
        }
    }

    private sealed record Entry(DateTimeOffset ReadAt, Task<BulkExportManifest> Manifest);
}
