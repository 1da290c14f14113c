using Ingestion.Omop;
using System.Text.Json;
using Ingestion.Pipeline.Activities;
using Ingestion.Pipeline.State;
using Ingestion.Storage;

namespace Ingestion.Pipeline.Publishing;

/// <summary>
/// Publishes a run to the lake (after the reduce step wrote the run-level tables): write the report and unmapped summary,
/// then the commit manifest with IfNotExists. Before committing, removes parts a previous attempt of a file
/// left beyond the ones its final attempt wrote, so the run folder holds exactly the manifest's parts.
/// </summary>
public sealed class LakeRunPublisher(ILake lake, RunProvenance provenance, PipelineOptions options, TimeProvider time) : IRunPublisher
{
    private static readonly JsonSerializerOptions Indented = new(StateJson.Options) { WriteIndented = true };

    public async Task<PublishedRun> PublishAsync(RunState run, IReadOnlyList<ActivityState> activities, IReadOnlyList<PartOutput> reduced, CancellationToken cancellationToken)
    {
        var manifestPath = LakePaths.RunManifest(run.InstanceId);
        var reportPath = LakePaths.RunReport(run.InstanceId);
        var totals = RunTotals.Of(activities);
        var existing = await lake.GetAsync(manifestPath, cancellationToken).ConfigureAwait(false);
        if (existing is not null) return new PublishedRun(manifestPath, reportPath, Counts(totals));

        // The integrity pass replaced some file parts by rewritten ones (listed among the reduced parts).
        var integrity = await PublishedRuns.ReadJsonAsync<IntegrityResult>(lake, RowKeyStaging.ResultPathOf(run.InstanceId), cancellationToken).ConfigureAwait(false);
        var replaced = (integrity?.ReplacedParts ?? []).ToHashSet(StringComparer.Ordinal);
        var parts = activities.SelectMany(a => a.Result?.Parts ?? []).Where(p => !replaced.Contains(p.Path)).Concat(reduced).ToList();
        await RemoveStrayPartsAsync(run.InstanceId, parts, cancellationToken).ConfigureAwait(false);

        var rowsByTable = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var p in parts) rowsByTable[p.Table] = rowsByTable.GetValueOrDefault(p.Table) + p.Rows;
        totals = totals with { RowsByTable = rowsByTable };

        var unmapped = MergeUnmapped(activities);
        var previous = await PreviousRunAsync(run, cancellationToken).ConfigureAwait(false);
        var unmappedRows = Sum(activities, r => r.UnmappedRowsByTable);
        var report = new RunReport
        {
            RunId = run.InstanceId,
            Totals = totals,
            QuarantinedByReason = Sum(activities, r => r.QuarantinedByReason),
            NotCoveredByResourceType = Sum(activities, r => r.NotCoveredByResourceType),
            ExcludedByReason = Sum(activities, r => r.ExcludedByReason),
            ValidationIssues = Sum(activities, r => r.ValidationIssues),
            TopUnmappedCodes = unmapped.Take(options.TopUnmappedCodes).ToList(),
            Files = activities.Select(a => new RunReportFile(a.Index, a.FileKind, a.ResourceType, a.Attempt,
                a.Result?.LinesRead ?? 0, a.Result?.ResourcesValid ?? 0, a.Result?.Quarantined ?? 0, a.Result?.NotCovered ?? 0, a.Result?.QuarantinePath) { Excluded = a.Result?.Excluded ?? 0 }).ToList(),
            SkippedFiles = run.SkippedFiles,
            DataQuality = DataQualityReportBuilder.Build(DataQualityResult.Merge(activities.Select(a => a.Result?.DataQuality ?? DataQualityResult.Empty)),
                rowsByTable, unmappedRows, unmapped, run.EffectiveSince is null, previous, integrity?.ForeignKeys),
            ReferentialIntegrity = integrity is null ? null : new IntegrityReport(integrity.Corrections, integrity.DuplicateRowsByTable),
        };
        await lake.WriteAsync(reportPath, JsonSerializer.SerializeToUtf8Bytes(report, Indented), LakeWriteCondition.None, cancellationToken).ConfigureAwait(false);
        await lake.WriteAsync(LakePaths.UnmappedSummary(run.InstanceId), JsonSerializer.SerializeToUtf8Bytes(unmapped, Indented), LakeWriteCondition.None, cancellationToken).ConfigureAwait(false);

        var manifest = new RunManifest
        {
            RunId = run.InstanceId,
            CommittedAt = time.GetUtcNow(),
            SourceId = run.Input.SourceId,
            SourceKind = run.Input.Kind,
            TransactionTime = run.TransactionTime,
            Since = run.EffectiveSince,
            CdmVersion = provenance.CdmVersion,
            VocabularyVersion = provenance.VocabularyVersion,
            DeidentificationKeyFingerprint = provenance.DeidentificationKeyFingerprint,
            EphemeralKey = provenance.EphemeralKey,
            Report = reportPath,
            Tables = parts.GroupBy(p => p.Table, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(
                g => g.Key,
                g => new ManifestTable(g.Sum(p => p.Rows), g.OrderBy(p => p.Path, StringComparer.Ordinal).Select(p => new ManifestPart(p.Path, p.Rows, p.Bytes)).ToList())),
        };
        try
        {
            await lake.WriteAsync(manifestPath, JsonSerializer.SerializeToUtf8Bytes(manifest, Indented), LakeWriteCondition.NotExists, cancellationToken).ConfigureAwait(false);
        }
        catch (LakeConditionFailedException)
        {
            // A concurrent finalize of the same run committed first; its manifest describes the same parts.
        }
        return new PublishedRun(manifestPath, reportPath, Counts(totals));
    }

    /// <summary>The latest earlier published run of the same source (by commit time), with its report.</summary>
    private async Task<PreviousRun?> PreviousRunAsync(RunState run, CancellationToken cancellationToken)
    {
        var latest = await PublishedRuns.LatestAsync(lake, run.Input.SourceId, run.InstanceId, cancellationToken).ConfigureAwait(false);
        if (latest is null) return null;
        var report = await PublishedRuns.ReadJsonAsync<RunReport>(lake, latest.Report, cancellationToken).ConfigureAwait(false);
        return report is null ? null : new PreviousRun(report, latest.Since is null);
    }

    private async Task RemoveStrayPartsAsync(string runId, IReadOnlyList<PartOutput> parts, CancellationToken cancellationToken)
    {
        var keep = parts.Select(p => p.Path).ToHashSet(StringComparer.Ordinal);
        var stray = new List<string>();
        await foreach (var item in lake.ListAsync("omop/", cancellationToken).ConfigureAwait(false))
        {
            if (item.Path.Contains($"/run={runId}/", StringComparison.Ordinal) && !keep.Contains(item.Path)) stray.Add(item.Path);
        }
        foreach (var path in stray) await lake.DeleteAsync(path, cancellationToken).ConfigureAwait(false);
    }

    private static List<UnmappedCode> MergeUnmapped(IReadOnlyList<ActivityState> activities) =>
        activities.SelectMany(a => a.Result?.UnmappedCodes ?? [])
            .GroupBy(u => (u.Table, u.Vocabulary, u.Code))
            .Select(g => new UnmappedCode(g.Key.Table, g.Key.Vocabulary, g.Key.Code, g.Sum(u => u.Count)))
            .OrderByDescending(u => u.Count).ThenBy(u => u.Vocabulary, StringComparer.Ordinal).ThenBy(u => u.Code, StringComparer.Ordinal)
            .ToList();

    private static SortedDictionary<string, long> Sum(IReadOnlyList<ActivityState> activities, Func<FileResult, IReadOnlyDictionary<string, long>> select)
    {
        var sum = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var a in activities)
        {
            if (a.Result is null) continue;
            foreach (var (k, v) in select(a.Result)) sum[k] = sum.GetValueOrDefault(k) + v;
        }
        return sum;
    }

    internal static Dictionary<string, long> Counts(RunTotals totals)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal)
        {
            ["resourcesRead"] = totals.ResourcesRead,
            ["resourcesValid"] = totals.ResourcesValid,
            ["resourcesQuarantined"] = totals.ResourcesQuarantined,
            ["resourcesNotCovered"] = totals.ResourcesNotCovered,
            ["resourcesExcluded"] = totals.ResourcesExcluded,
            ["deletions"] = totals.Deletions,
            ["unmappedRows"] = totals.UnmappedRows,
        };
        foreach (var (table, rows) in totals.RowsByTable) counts["rows." + table] = rows;
        return counts;
    }
}
