namespace Ingestion.Parquet;

/// <summary>Stable codes carried by <see cref="ParquetSchemaViolationException"/> and <see cref="ParquetWriterFaultedException"/>.</summary>
public static class ParquetErrorCode
{
    public const string InvalidSchema = "InvalidSchema";
    public const string NullInRequiredColumn = "NullInRequiredColumn";
    public const string WrongValueType = "WrongValueType";
    public const string InvalidUtf8 = "InvalidUtf8";
    public const string LocalTimestamp = "LocalTimestamp";
    public const string BatchSchemaMismatch = "BatchSchemaMismatch";
    public const string WriterFaulted = "WriterFaulted";
    public const string WriterCompleted = "WriterCompleted";
}
