namespace Ingestion.Storage.Catalog;

/// <summary>Filters and page of a run listing. <see cref="ContinuationToken"/> comes from the previous page.</summary>
public sealed record RunQuery
{
    public string? SourceId { get; init; }
    public RunRecordStatus? Status { get; init; }
    public DateTimeOffset? CreatedFrom { get; init; }
    public DateTimeOffset? CreatedTo { get; init; }
    public int PageSize { get; init; } = 50;
    public string? ContinuationToken { get; init; }
}

public sealed record RunPage(IReadOnlyList<RunRecord> Runs, string? ContinuationToken);

/// <summary>The catalog could not be opened or written (locked, disk full, unreachable).</summary>
public sealed class RunCatalogException(string message, Exception? inner = null) : Exception(message, inner);
