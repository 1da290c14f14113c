namespace Ingestion.Pipeline.State;

/// <summary>The transactionTime of the source's last Completed run: partition "source:&lt;id&gt;", id "watermark".</summary>
public sealed record SourceWatermark(string SourceId, DateTimeOffset TransactionTime, string RunId);
