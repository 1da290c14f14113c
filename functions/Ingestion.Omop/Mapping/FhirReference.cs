namespace Ingestion.Omop;

/// <summary>
/// The logical id a FHIR reference points at, whether written relative (<c>Patient/123</c>), as a bundle-local
/// <c>urn:uuid:123</c>, or as an absolute URL (<c>https://server/fhir/Patient/123/_history/2</c>).
/// </summary>
public static class FhirReference
{
    /// <summary>The referenced logical id, or null when the reference is absent, contained (#...) or unparseable.
    /// When <paramref name="expectedType"/> is given, a typed reference to another type yields null.</summary>
    public static string? LogicalId(string? reference, string? expectedType = null) =>
        reference is null ? null : LogicalId(reference.AsSpan(), expectedType);

    /// <inheritdoc cref="LogicalId(string?, string?)"/>
    /// <remarks>The mapper passes the reference's characters from a stack buffer: only the id becomes a string.</remarks>
    public static string? LogicalId(ReadOnlySpan<char> reference, string? expectedType = null)
    {
        if (reference.IsEmpty || reference[0] == '#') return null;
        var span = reference;
        if (span.StartsWith("urn:uuid:", StringComparison.OrdinalIgnoreCase) || span.StartsWith("urn:oid:", StringComparison.OrdinalIgnoreCase))
        {
            var id = span[(span[4..].IndexOf(':') + 5)..];
            return id.IsEmpty ? null : id.ToString();
        }
        var query = span.IndexOfAny('?', '#');
        if (query >= 0) span = span[..query];
        var history = span.IndexOf("/_history/", StringComparison.Ordinal);
        if (history >= 0) span = span[..history];
        span = span.TrimEnd('/');
        var lastSlash = span.LastIndexOf('/');
        if (lastSlash <= 0 || lastSlash == span.Length - 1) return null;
        var type = span[..lastSlash];
        var typeSlash = type.LastIndexOf('/');
        if (typeSlash >= 0) type = type[(typeSlash + 1)..];
        if (expectedType is not null && !type.SequenceEqual(expectedType)) return null;
        return span[(lastSlash + 1)..].ToString();
    }
}
