using System.Text.RegularExpressions;

namespace Ingestion.RunApi;

/// <summary>What the run API accepts in ids, resource types, searches and instants (one definition for body and query).</summary>
internal static partial class RequestPatterns
{
    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    public static partial Regex SourceId();

    [GeneratedRegex("^[A-Za-z0-9.-]{1,64}$")]
    public static partial Regex FhirId();

    [GeneratedRegex("^[A-Z][A-Za-z]{1,63}$")]
    public static partial Regex ResourceType();

    // Type?query: the query part is the server's to interpret; only printable ASCII without spaces is accepted.
    [GeneratedRegex("^[A-Z][A-Za-z]{1,63}\\?[\\x21-\\x7E]{1,1024}$")]
    public static partial Regex TypeFilter();

    [GeneratedRegex("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?(Z|[+-]\\d{2}:\\d{2})$")]
    public static partial Regex Instant();
}
