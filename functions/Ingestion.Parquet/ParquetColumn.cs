namespace Ingestion.Parquet;

/// <summary>One column: name, type, REQUIRED (true) or OPTIONAL (false).</summary>
public sealed record ParquetColumn(string Name, ParquetType Type, bool Required);
