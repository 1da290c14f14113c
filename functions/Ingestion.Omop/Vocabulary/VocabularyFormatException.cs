namespace Ingestion.Omop;

/// <summary>A vocabulary file or Athena table that cannot be read. <see cref="ErrorCode"/> says why; the message
/// names the file and line, never a value.</summary>
public sealed class VocabularyFormatException(string errorCode, string message) : Exception(message)
{
    public string ErrorCode { get; } = errorCode;
}
