namespace Ingestion.Pipeline.State;

/// <summary>A document's value with the ETag it was read at (for optimistic concurrency).</summary>
public sealed record Versioned<T>(T Value, string ETag);
