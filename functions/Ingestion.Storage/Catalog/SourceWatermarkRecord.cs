namespace Ingestion.Storage.Catalog;

/// <summary>A source's incremental watermark: the transactionTime of the last published run. Forward only.</summary>
public sealed record SourceWatermarkRecord(string SourceId, DateTimeOffset TransactionTime, string RunId)
{
    /// <summary>Set by the store; a concurrent advance is detected with it.</summary>
    public string? ETag { get; init; }
}
