using System.Globalization;
using Ingestion.Storage.Catalog;
using Microsoft.AspNetCore.Http;

namespace Ingestion.RunApi;

/// <summary>Reads a run listing's filters from the query string; unknown parameters and bad values are 400 naming the parameter.</summary>
public sealed class RunListQueryReader(RunApiOptions options)
{
    private static readonly string[] Known = ["source", "status", "from", "to", "pageSize", "continuationToken"];

    /// <summary>The Functions host's function key, which the dashboard sends on every call under Functions: not a filter.</summary>
    private const string FunctionKey = "code";

    public (RunQuery? Query, RunApiProblem? Problem) Read(IQueryCollection query)
    {
        foreach (var key in query.Keys)
        {
            if (key == FunctionKey) continue;
            if (!Known.Contains(key, StringComparer.Ordinal)) return (null, RunApiProblem.Invalid("query", $"Unknown query parameter (allowed: {string.Join(", ", Known)})."));
            if (query[key].Count > 1) return (null, RunApiProblem.Invalid(key, $"'{key}' is given more than once."));
        }
        var result = new RunQuery { PageSize = Math.Min(50, options.MaxPageSize) };
        if (query.TryGetValue("source", out var source))
        {
            if (!RequestPatterns.SourceId().IsMatch(source.ToString())) return (null, RunApiProblem.Invalid("source", "'source' must be a source id."));
            result = result with { SourceId = source.ToString() };
        }
        if (query.TryGetValue("status", out var status))
        {
            if (!Enum.TryParse<RunRecordStatus>(status.ToString(), ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed))
                return (null, RunApiProblem.Invalid("status", $"'status' must be one of {string.Join(", ", Enum.GetNames<RunRecordStatus>())}."));
            result = result with { Status = parsed };
        }
        foreach (var (name, apply) in new (string, Func<RunQuery, DateTimeOffset, RunQuery>)[] { ("from", (q, t) => q with { CreatedFrom = t }), ("to", (q, t) => q with { CreatedTo = t }) })
        {
            if (!query.TryGetValue(name, out var text)) continue;
            if (!DateTimeOffset.TryParse(text.ToString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
                return (null, RunApiProblem.Invalid(name, $"'{name}' must be a date-time, e.g. 2026-12-01T00:00:00Z."));
            result = apply(result, at);
        }
        if (query.TryGetValue("pageSize", out var size))
        {
            if (!int.TryParse(size.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var pageSize) || pageSize < 1 || pageSize > options.MaxPageSize)
                return (null, RunApiProblem.Invalid("pageSize", $"'pageSize' must be 1 to {options.MaxPageSize}."));
            result = result with { PageSize = pageSize };
        }
        if (query.TryGetValue("continuationToken", out var token))
        {
            if (token.ToString().Length is 0 or > 2048) return (null, RunApiProblem.Invalid("continuationToken", "'continuationToken' must be the value from the previous page."));
            result = result with { ContinuationToken = token.ToString() };
        }
        return (result, null);
    }
}
