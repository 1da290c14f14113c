namespace Ingestion.Pipeline;

/// <summary>
/// A failure that retrying cannot fix (a refused kick-off, an expired file URL, a file outside the landed folder,
/// a key mismatch): the orchestration's retry policy does not retry it. The message is shown to operators: no
/// patient data.
/// </summary>
public class NonRetryableActivityException(string message, Exception? inner = null) : Exception(message, inner);
