namespace Ingestion.Parquet;

/// <summary>A flat schema: the leaf columns in file order.</summary>
public sealed record ParquetSchema(IReadOnlyList<ParquetColumn> Columns);
