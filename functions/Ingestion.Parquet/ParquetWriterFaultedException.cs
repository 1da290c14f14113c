namespace Ingestion.Parquet;

/// <summary>
/// The writer cannot go on (an earlier write to the stream failed or was cancelled, or it was already completed).
/// The output has no footer and must be discarded.
/// </summary>
public sealed class ParquetWriterFaultedException : InvalidOperationException
{
    public ParquetWriterFaultedException(string errorCode, string message, Exception? innerException = null)
        : base(message, innerException) => ErrorCode = errorCode;

    /// <summary><see cref="ParquetErrorCode.WriterFaulted"/> or <see cref="ParquetErrorCode.WriterCompleted"/>.</summary>
    public string ErrorCode { get; }
}
