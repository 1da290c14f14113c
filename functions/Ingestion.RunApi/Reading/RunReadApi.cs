using System.Globalization;
using System.Text.Json;
using Ingestion.Orchestration;
using Ingestion.Pipeline.State;
using Ingestion.Storage.Catalog;
using Microsoft.AspNetCore.Http;

namespace Ingestion.RunApi;

/// <summary>
/// The run API's read-only views for operators (the dashboard's run and sources pages), one implementation for every
/// host like <see cref="ExportRunApi"/>. Everything comes from the run catalog; nothing here reaches the EHR.
/// </summary>
public sealed class RunReadApi(IRunCatalog catalog, ManagementUrlBuilder urls, SourcesOptions sources, SourceSchedule schedule, TimeProvider time)
{
    /// <summary>How many unmapped codes the run page lists.</summary>
    public const int TopUnmappedCodes = 20;

    /// <summary>How many recent runs of a source are read to find its last success and current run.</summary>
    private const int SourceHistoryWindow = 50;

    /// <summary>Most runs the trends page charts (each costs one read of its files).</summary>
    public const int MaxTrendRuns = 200;

    /// <summary><c>GET /api/exports/{id}/detail</c>: the run, its files, its quality, the previous run and the audit trail.</summary>
    public async Task<IResult> GetDetailAsync(HttpRequest request, string id, CancellationToken cancellationToken)
    {
        var run = await catalog.GetRunAsync(id, cancellationToken);
        if (run is null) return RunApiProblem.RunNotFound().ToResult();

        var files = new List<RunFileSummary>();
        var quality = new QualityTotals();
        await foreach (var file in catalog.ListFilesAsync(id, cancellationToken))
        {
            files.Add(RunFileSummary.From(file));
            quality.Add(file);
        }
        var audit = new List<RunAuditSummary>();
        await foreach (var entry in catalog.ListAuditAsync(id, cancellationToken)) audit.Add(RunAuditSummary.From(entry));

        var previous = await PreviousCompletedAsync(run, cancellationToken);
        return Results.Ok(new RunDetailPayload(
            RunSummary.From(run, urls.StatusUri(request, run.RunId)), run.Progress, files, quality.ToQuality(TopUnmappedCodes),
            previous is null ? null : Compare(run, previous), audit));
    }

    /// <summary><c>GET /api/sources</c>: every configured source with its schedule, watermark, last success and current run.</summary>
    public async Task<IResult> ListSourcesAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var result = new List<SourceStatusPayload>();
        foreach (var source in sources.Sources.Values.OrderBy(s => s.Id, StringComparer.Ordinal))
        {
            var watermark = await catalog.GetWatermarkAsync(source.Id, cancellationToken);
            var recent = await catalog.ListRunsAsync(new RunQuery { SourceId = source.Id, PageSize = SourceHistoryWindow }, cancellationToken);
            var lastSuccess = recent.Runs.FirstOrDefault(r => r.Status == RunRecordStatus.Completed);
            var current = recent.Runs.FirstOrDefault(r => !r.IsTerminal);
            result.Add(new SourceStatusPayload(
                source.Id, source.Kind.ToString(), source.Schedule, schedule.Next(source.Id, now), source.Incremental, watermark?.TransactionTime,
                lastSuccess is null ? null : RunSummary.From(lastSuccess, urls.StatusUri(request, lastSuccess.RunId)),
                current is null ? null : RunSummary.From(current, urls.StatusUri(request, current.RunId))));
        }
        return Results.Ok(new SourceListPayload(result));
    }

    /// <summary>
    /// <c>GET /api/trends?runs=N[&amp;source=id]</c>: the last N runs (default 20), newest first, with rows and concept-0
    /// rows by OMOP table from their files' results.
    /// </summary>
    public async Task<IResult> ListTrendsAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var count = 20;
        string? sourceId = null;
        foreach (var (key, value) in request.Query)
        {
            if (value.Count > 1) return RunApiProblem.Invalid(key, $"'{key}' is given more than once.").ToResult();
            if (key == "runs")
            {
                if (!int.TryParse(value.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out count) || count < 1 || count > MaxTrendRuns)
                    return RunApiProblem.Invalid("runs", $"'runs' must be 1 to {MaxTrendRuns}.").ToResult();
            }
            else if (key == "source")
            {
                if (!RequestPatterns.SourceId().IsMatch(value.ToString())) return RunApiProblem.Invalid("source", "'source' must be a source id.").ToResult();
                sourceId = value.ToString();
            }
            else if (key != "code") // the Functions key travels in the query string
            {
                return RunApiProblem.Invalid("query", "Unknown query parameter (allowed: runs, source).").ToResult();
            }
        }
        var page = await catalog.ListRunsAsync(new RunQuery { SourceId = sourceId, PageSize = count }, cancellationToken);
        var points = new List<RunTrendPoint>(page.Runs.Count);
        foreach (var run in page.Runs)
        {
            var totals = new QualityTotals();
            await foreach (var file in catalog.ListFilesAsync(run.RunId, cancellationToken)) totals.Add(file);
            var quality = totals.ToQuality(topCodes: 0);
            points.Add(new RunTrendPoint(RunSummary.From(run, urls.StatusUri(request, run.RunId)), quality.RowsByTable, quality.UnmappedRowsByTable));
        }
        return Results.Ok(new RunTrendsPayload(points));
    }

    private async Task<RunRecord?> PreviousCompletedAsync(RunRecord run, CancellationToken cancellationToken)
    {
        var page = await catalog.ListRunsAsync(
            new RunQuery { SourceId = run.SourceId, Status = RunRecordStatus.Completed, CreatedTo = run.CreatedAt, PageSize = 2 }, cancellationToken);
        return page.Runs.FirstOrDefault(r => r.RunId != run.RunId && r.CreatedAt <= run.CreatedAt);
    }

    private static RunComparison Compare(RunRecord run, RunRecord previous)
    {
        double? volume = previous.Counters.ResourcesRead == 0 ? null
            : (run.Counters.ResourcesRead - previous.Counters.ResourcesRead) / (double)previous.Counters.ResourcesRead;
        var rate = ConceptZeroRate.Of(run.Counters);
        var previousRate = ConceptZeroRate.Of(previous.Counters);
        return new RunComparison(previous.RunId, previous.Counters.ResourcesRead, volume, previousRate,
            rate is null || previousRate is null ? null : (rate.Value - previousRate.Value) * 100);
    }

    /// <summary>Sums of the file results' counts by code; a result that does not parse is left out (its counters still show).</summary>
    private sealed class QualityTotals
    {
        private readonly Dictionary<string, long> _quarantined = new(StringComparer.Ordinal);
        private readonly Dictionary<string, long> _rows = new(StringComparer.Ordinal);
        private readonly Dictionary<string, long> _unmappedRows = new(StringComparer.Ordinal);
        private readonly Dictionary<(string, string, string), long> _codes = [];

        public void Add(RunFileRecord file)
        {
            if (file.ResultJson is null) return;
            FileResult? result;
            try
            {
                result = JsonSerializer.Deserialize<FileResult>(file.ResultJson, StateJson.Options);
            }
            catch (JsonException)
            {
                return;
            }
            if (result is null) return;
            AddAll(_quarantined, result.QuarantinedByReason);
            AddAll(_rows, result.RowsByTable);
            AddAll(_unmappedRows, result.UnmappedRowsByTable);
            foreach (var code in result.UnmappedCodes)
            {
                var key = (code.Table, code.Vocabulary, code.Code);
                _codes[key] = _codes.GetValueOrDefault(key) + code.Count;
            }
        }

        public RunQuality ToQuality(int topCodes) => new(
            _quarantined, _rows, _unmappedRows,
            _codes.OrderByDescending(c => c.Value).ThenBy(c => c.Key.Item3, StringComparer.Ordinal).Take(topCodes)
                .Select(c => new UnmappedCodeCount(c.Key.Item1, c.Key.Item2, c.Key.Item3, c.Value)).ToList());

        private static void AddAll(Dictionary<string, long> totals, IReadOnlyDictionary<string, long> counts)
        {
            foreach (var (key, count) in counts) totals[key] = totals.GetValueOrDefault(key) + count;
        }
    }
}
