using System.Diagnostics.CodeAnalysis;
using Azure;
using Azure.Core;

namespace Ingestion.Azure.Tests.Fixtures;

/// <summary>A canned HTTP response for pipeline tests (fault injection, header capture).</summary>
public sealed class StubResponse(int status, IReadOnlyDictionary<string, string>? headers = null) : Response
{
    private readonly Dictionary<string, string> _headers = new(headers ?? new Dictionary<string, string>(), StringComparer.OrdinalIgnoreCase);

    public override int Status => status;
    public override bool IsError => status >= 400;
    public override string ReasonPhrase => status.ToString();
    public override Stream? ContentStream { get; set; } = new MemoryStream();
    public override string ClientRequestId { get; set; } = string.Empty;
    public override void Dispose() => ContentStream?.Dispose();
    protected override bool ContainsHeader(string name) => _headers.ContainsKey(name);
    protected override IEnumerable<HttpHeader> EnumerateHeaders() => _headers.Select(h => new HttpHeader(h.Key, h.Value));
    protected override bool TryGetHeader(string name, [NotNullWhen(true)] out string? value) => _headers.TryGetValue(name, out value);
    protected override bool TryGetHeaderValues(string name, [NotNullWhen(true)] out IEnumerable<string>? values)
    {
        values = _headers.TryGetValue(name, out var value) ? [value] : null;
        return values is not null;
    }
}
