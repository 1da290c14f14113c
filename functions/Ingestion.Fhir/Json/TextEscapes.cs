namespace Ingestion.Fhir.Json;

/// <summary>
/// What <see cref="DocumentTokenizer"/> saw of backslash escapes in a document's strings and names, so the strict parse
/// (<see cref="Validation.ResourceParser"/>) decides from the one pass what it decided from searches of the whole line.
/// </summary>
[Flags]
internal enum TextEscapes : byte
{
    None = 0,

    /// <summary>Some string or name has a backslash escape (in accepted JSON: the text has a backslash at all).</summary>
    Any = 1,

    /// <summary>
    /// A backslash followed by <c>u</c>, <c>d</c> or <c>D</c>, then <c>8</c>–<c>9</c> or <c>a</c>–<c>f</c> in either case:
    /// a <c>\uD800</c>–<c>\uDFFF</c> escape, maybe unpaired, or an escaped backslash followed by such text (the byte
    /// search this replaces matched that too, and the decision stays exactly its).
    /// </summary>
    SurrogateLike = 2,
}
