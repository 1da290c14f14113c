using System.Text;

namespace Ingestion.Fhir.Ndjson;

/// <summary>How <see cref="NdjsonReader"/> reads and checks lines.</summary>
public sealed class NdjsonReaderOptions
{
    private string? _expectedResourceType;

    /// <summary>Lines longer than this are reported as errors and skipped without being buffered whole.</summary>
    public int MaxLineBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>Check that each line is exactly one JSON object (one pass with Utf8JsonReader).</summary>
    public bool ValidateJson { get; init; } = true;

    /// <summary>When set, each line's top-level resourceType must equal it (the manifest's <c>type</c>).</summary>
    public string? ExpectedResourceType
    {
        get => _expectedResourceType;
        init
        {
            _expectedResourceType = value;
            ExpectedResourceTypeUtf8 = value is null ? null : Encoding.UTF8.GetBytes(value);
        }
    }

    internal byte[]? ExpectedResourceTypeUtf8 { get; private init; }

    /// <summary>Size of the pipe's read buffer.</summary>
    public int BufferSize { get; init; } = 64 * 1024;

    public static NdjsonReaderOptions Default { get; } = new();
}
