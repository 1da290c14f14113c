namespace Ingestion.Fhir.Ndjson;

/// <summary>
/// One non-blank NDJSON line. <see cref="Utf8"/> is valid only until the next MoveNextAsync (it points into a
/// pooled buffer). <see cref="Error"/> is set (with a reason, never the line's content) for a line that is too long,
/// not valid JSON or of the wrong resourceType; such a line still has its number so it can be reported.
/// </summary>
public readonly record struct NdjsonLine(long LineNumber, ReadOnlyMemory<byte> Utf8, string? Error)
{
    public bool IsValid => Error is null;

    /// <summary>Set by <see cref="NdjsonReader"/> on a line whose bytes it found to be valid UTF-8, so the parser
    /// does not check them again (a line made elsewhere is checked).</summary>
    internal bool IsValidUtf8 { get; init; }
}
