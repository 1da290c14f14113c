namespace Ingestion.Parquet;

/// <summary>
/// A batch value or schema does not fit the Parquet schema. Nothing of the offending batch was written; the writer stays usable.
/// The message names the column and row number only, never the value (values may be patient data).
/// </summary>
public sealed class ParquetSchemaViolationException : Exception
{
    public ParquetSchemaViolationException(string errorCode, string message, string? columnName = null, long? rowNumber = null)
        : base(message)
    {
        ErrorCode = errorCode;
        ColumnName = columnName;
        RowNumber = rowNumber;
    }

    /// <summary>One of <see cref="ParquetErrorCode"/>.</summary>
    public string ErrorCode { get; }

    public string? ColumnName { get; }

    /// <summary>Zero-based row number in the file the rejected row would have had (null when no row is concerned).</summary>
    public long? RowNumber { get; }
}
