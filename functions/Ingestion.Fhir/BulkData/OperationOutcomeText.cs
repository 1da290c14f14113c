using System.Text;
using System.Text.Json;

namespace Ingestion.Fhir.BulkData;

/// <summary>
/// The human text of an OperationOutcome error body (issue diagnostics or details.text) and whether all its issues
/// are transient. This text is server-authored, so it may go into exception messages.
/// </summary>
internal sealed record OperationOutcomeText(string? Text, bool IsTransient)
{
    private const int MaxBodyBytes = 64 * 1024;
    private const int MaxTextChars = 1000;
    private static readonly HashSet<string> TransientCodes = new(StringComparer.Ordinal) { "transient", "throttled", "timeout", "lock-error", "incomplete", "no-store" };

    public static readonly OperationOutcomeText None = new(null, true);

    public static async Task<OperationOutcomeText> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        byte[] body;
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            body = new byte[MaxBodyBytes];
            var read = 0;
            int n;
            while (read < body.Length && (n = await stream.ReadAsync(body.AsMemory(read), cancellationToken).ConfigureAwait(false)) > 0) read += n;
            Array.Resize(ref body, read);
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            return None;
        }
        return Parse(body);
    }

    public static OperationOutcomeText Parse(ReadOnlySpan<byte> body)
    {
        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("resourceType", out var type) || type.GetString() != "OperationOutcome"
                || !root.TryGetProperty("issue", out var issues) || issues.ValueKind != JsonValueKind.Array)
                return None;
            var text = new StringBuilder();
            var transient = true;
            foreach (var issue in issues.EnumerateArray())
            {
                var code = issue.TryGetProperty("code", out var c) ? c.GetString() : null;
                if (code is null || !TransientCodes.Contains(code)) transient = false;
                var message = issue.TryGetProperty("diagnostics", out var d) ? d.GetString()
                    : issue.TryGetProperty("details", out var details) && details.TryGetProperty("text", out var t) ? t.GetString()
                    : code;
                if (string.IsNullOrWhiteSpace(message)) continue;
                if (text.Length > 0) text.Append("; ");
                text.Append(message);
            }
            var result = text.Length > MaxTextChars ? text.ToString(0, MaxTextChars) + "…" : text.ToString();
            return new OperationOutcomeText(result.Length == 0 ? null : result, transient);
        }
        catch (JsonException)
        {
            return None;
        }
    }
}
