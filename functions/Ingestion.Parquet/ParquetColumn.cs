namespace Ingestion.Parquet;

/// <summary>One column: name, type, REQUIRED (true) or OPTIONAL (false).</summary>
public sealed record ParquetColumn(string Name, ParquetType Type, bool Required)
{
    /// <summary>
    /// The values are expected to be distinct (a row key): the writer encodes the column PLAIN without building a
    /// dictionary first. A dictionary of distinct values is never smaller than PLAIN, so the writer would have chosen
    /// PLAIN anyway, after a hash insert per value and a copy back. Repeated values are still written correctly, only
    /// without the dictionary they might have paid for. Not part of the file's schema.
    /// </summary>
    public bool DistinctValues { get; init; }
}
