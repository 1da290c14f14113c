namespace Ingestion.Fhir.Ndjson;

/// <summary>The reasons an NDJSON line is rejected. They describe the line, never quote it (it may hold patient data).</summary>
public static class NdjsonLineError
{
    public static string TooLong(int maxLineBytes) => $"line-too-long: the line exceeds {maxLineBytes} bytes and was not read";
    public static string InvalidJson(long bytePosition) => $"invalid-json: the line is not one valid JSON object (problem near byte {bytePosition})";
    public static string InvalidUtf8(long bytePosition) => $"invalid-utf8: the line is not valid UTF-8 (first invalid byte at {bytePosition})";
    public const string DuplicateResourceType = "duplicate-resource-type: the line's object has more than one resourceType";
    public const string MissingResourceType = "missing-resource-type: the line is a JSON object without a string resourceType";
    public static string ResourceTypeMismatch(string expected) => $"resource-type-mismatch: the resourceType is not the manifest type '{expected}'";
}
