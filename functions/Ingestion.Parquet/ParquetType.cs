namespace Ingestion.Parquet;

/// <summary>Logical column types supported for flat schemas.</summary>
/// <remarks>
/// Physical mapping: Boolean BOOLEAN; Int32 INT32; Int64 INT64; Double DOUBLE; String BYTE_ARRAY (STRING);
/// Date INT32 (DATE, days since 1970-01-01); Timestamp INT64 (TIMESTAMP, MICROS, isAdjustedToUTC = true).
/// </remarks>
public enum ParquetType { Boolean, Int32, Int64, Double, String, Date, Timestamp }
