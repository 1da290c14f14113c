using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Ingestion.RunApi;

/// <summary>
/// Reads and checks a <see cref="StartExportRequest"/> before anything else happens: JSON only, bounded size, known
/// members only, every field checked. Problems name the field and never echo the value.
/// </summary>
public sealed class StartExportRequestReader(RunApiOptions options, TimeProvider time)
{
    /// <summary>The request, or the problem to answer with.</summary>
    public async Task<(StartExportRequest? Request, RunApiProblem? Problem)> ReadAsync(HttpRequest http, CancellationToken cancellationToken)
    {
        if (!IsJson(http.ContentType)) return (null, RunApiProblem.UnsupportedMediaType());
        var limit = options.MaxRequestBodyBytes;
        if (http.ContentLength > limit) return (null, RunApiProblem.TooLarge(limit));

        var buffer = ArrayPool<byte>.Shared.Rent(limit + 1);
        try
        {
            // Read at most limit + 1 bytes: a chunked body without Content-Length is bounded the same way.
            var length = 0;
            int read;
            while (length <= limit && (read = await http.Body.ReadAsync(buffer.AsMemory(length, limit + 1 - length), cancellationToken)) > 0) length += read;
            if (length > limit) return (null, RunApiProblem.TooLarge(limit));
            return Parse(buffer.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media)
        && string.Equals(media.MediaType.Value, "application/json", StringComparison.OrdinalIgnoreCase)
        && (media.Charset.Length == 0 || string.Equals(media.Charset.Value, "utf-8", StringComparison.OrdinalIgnoreCase));

    private (StartExportRequest?, RunApiProblem?) Parse(ReadOnlySpan<byte> body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.ToArray(), new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            // Line and position only: JsonException's message can quote the input.
            return (null, RunApiProblem.Invalid("$", $"The body is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})."));
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return (null, RunApiProblem.Invalid("$", "The body must be a JSON object."));

            string? source = null, group = null;
            DateTimeOffset? since = null;
            IReadOnlyList<string> types = [], typeFilters = [];
            foreach (var member in root.EnumerateObject())
            {
                RunApiProblem? problem;
                switch (member.Name)
                {
                    case "source":
                        (source, problem) = ReadId(member, RequestPatterns.SourceId(), "source", "a configured source id (letters, digits, '-', '_')");
                        break;
                    case "group":
                        (group, problem) = ReadId(member, RequestPatterns.FhirId(), "group", "a FHIR id (letters, digits, '-', '.'; up to 64)");
                        break;
                    case "since":
                        (since, problem) = ReadSince(member);
                        break;
                    case "types":
                        (types, problem) = ReadStrings(member, "types", RequestPatterns.ResourceType(), "a FHIR resource type name");
                        break;
                    case "typeFilter":
                        (typeFilters, problem) = ReadStrings(member, "typeFilter", RequestPatterns.TypeFilter(), "a FHIR search of the form Type?name=value");
                        break;
                    default:
                        // The member's name is the client's text too: say where it is, not what it says.
                        return (null, RunApiProblem.Invalid("$", "The body has a member this request does not define (allowed: source, since, types, typeFilter, group)."));
                }
                if (problem is not null) return (null, problem);
            }
            if (source is null) return (null, RunApiProblem.Invalid("source", "'source' is required."));
            return (new StartExportRequest { Source = source, Since = since, Types = types, TypeFilters = typeFilters, Group = group }, null);
        }
    }

    private static (string?, RunApiProblem?) ReadId(JsonProperty member, Regex pattern, string field, string expected) =>
        member.Value.ValueKind == JsonValueKind.String && member.Value.GetString() is { } value && pattern.IsMatch(value)
            ? (value, null)
            : (null, RunApiProblem.Invalid(field, $"'{field}' must be {expected}."));

    private (DateTimeOffset?, RunApiProblem?) ReadSince(JsonProperty member)
    {
        if (member.Value.ValueKind == JsonValueKind.Null) return (null, null);
        // A FHIR instant: date, time and zone are all required, so "since" never depends on the server's time zone.
        if (member.Value.ValueKind != JsonValueKind.String || member.Value.GetString() is not { } text || !RequestPatterns.Instant().IsMatch(text)
            || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var since))
        {
            return (null, RunApiProblem.Invalid("since", "'since' must be a FHIR instant with a time zone, e.g. 2026-01-31T00:00:00Z."));
        }
        return since > time.GetUtcNow()
            ? (null, RunApiProblem.Invalid("since", "'since' is in the future."))
            : (since, null);
    }

    private static (IReadOnlyList<string>, RunApiProblem?) ReadStrings(JsonProperty member, string field, Regex pattern, string expected)
    {
        if (member.Value.ValueKind == JsonValueKind.Null) return ([], null);
        if (member.Value.ValueKind != JsonValueKind.Array || member.Value.GetArrayLength() > MaxListLength)
        {
            return ([], RunApiProblem.Invalid(field, $"'{field}' must be an array of at most {MaxListLength} strings."));
        }
        var values = new List<string>(member.Value.GetArrayLength());
        var index = 0;
        foreach (var item in member.Value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || item.GetString() is not { } value || !pattern.IsMatch(value))
            {
                return ([], RunApiProblem.Invalid($"{field}[{index}]", $"Each of '{field}' must be {expected}."));
            }
            values.Add(value);
            index++;
        }
        return (values, null);
    }

    private const int MaxListLength = 200;
}
