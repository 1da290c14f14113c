using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Ingestion.DemoServer;

/// <summary>Kick-off parameters, from the query string (GET) or a FHIR Parameters body (POST).</summary>
internal sealed record ExportParameters
{
    public IReadOnlySet<string>? Types { get; init; }
    public DateTimeOffset? Since { get; init; }
    public DateTimeOffset? Until { get; init; }
    public IReadOnlyList<string> Elements { get; init; } = [];
    public IReadOnlySet<string>? Patients { get; init; }

    private static readonly string[] OutputFormats = ["application/fhir+ndjson", "application/ndjson", "ndjson"];

    /// <summary>Parses and validates; returns an error message (no request data echoed beyond parameter names) when invalid.</summary>
    public static async Task<(ExportParameters? Parameters, string? Error)> ReadAsync(HttpRequest request, IExportSource source, CancellationToken cancellationToken)
    {
        var values = new List<(string Name, string Value)>();
        foreach (var (key, vals) in request.Query)
            foreach (var v in vals) if (v is not null) values.Add((key, v));
        if (HttpMethods.IsPost(request.Method))
        {
            if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
            {
                var error = await ReadParametersBodyAsync(request, values, cancellationToken);
                if (error is not null) return (null, error);
            }
        }
        else if (values.Any(v => v.Name == "patient"))
        {
            return (null, "The 'patient' parameter is only supported with POST.");
        }

        var lenient = request.Headers["Prefer"].ToString().Contains("handling=lenient", StringComparison.OrdinalIgnoreCase);
        HashSet<string>? types = null;
        DateTimeOffset? since = null, until = null;
        var elements = new List<string>();
        HashSet<string>? patients = null;
        foreach (var (name, value) in values)
        {
            switch (name)
            {
                case "_outputFormat":
                    if (!OutputFormats.Contains(value)) return (null, $"Unsupported _outputFormat; supported: {string.Join(", ", OutputFormats)}.");
                    break;
                case "_type":
                    types ??= new(StringComparer.Ordinal);
                    foreach (var t in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    {
                        if (source.ResourceTypes.Contains(t)) types.Add(t);
                        else if (!lenient) return (null, $"Unsupported resource type in _type: {t}.");
                    }
                    break;
                case "_since" or "_until":
                    // An unencoded "+01:00" arrives as " 01:00" after query decoding: read it as meant.
                    if (!DateTimeOffset.TryParse(value.Replace(' ', '+'), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant))
                        return (null, $"{name} is not a valid FHIR instant.");
                    if (!source.KnowsLastUpdated) return (null, $"{name} is not supported in folder mode (the files carry no reliable lastUpdated).");
                    if (name == "_since") since = instant; else until = instant;
                    break;
                case "_elements":
                    elements.AddRange(value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                    break;
                case "patient":
                    if (!source.KnowsLastUpdated) return (null, "The 'patient' parameter is not supported in folder mode.");
                    patients ??= new(StringComparer.Ordinal);
                    patients.Add(value.StartsWith("Patient/", StringComparison.Ordinal) ? value["Patient/".Length..] : value);
                    break;
                case "_typeFilter" or "organizeOutputBy":
                    if (!lenient) return (null, $"The '{name}' parameter is not supported by this server.");
                    break;
                case "includeAssociatedData" or "allowPartialManifests":
                    break; // optional features: the complete manifest is always returned
                default:
                    if (!lenient) return (null, $"Unknown kick-off parameter '{name}'.");
                    break;
            }
        }
        return (new ExportParameters { Types = types, Since = since, Until = until, Elements = elements, Patients = patients }, null);
    }

    private static async Task<string?> ReadParametersBodyAsync(HttpRequest request, List<(string, string)> values, CancellationToken cancellationToken)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, default, cancellationToken);
        }
        catch (JsonException)
        {
            return "The POST body is not a JSON Parameters resource.";
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("resourceType", out var rt) || rt.GetString() != "Parameters")
                return "The POST body must be a FHIR Parameters resource.";
            if (!root.TryGetProperty("parameter", out var parameters)) return null;
            foreach (var p in parameters.EnumerateArray())
            {
                var name = p.TryGetProperty("name", out var n) ? n.GetString() : null;
                if (name is null) return "A Parameters.parameter has no name.";
                string? value = null;
                foreach (var property in p.EnumerateObject())
                {
                    if (!property.Name.StartsWith("value", StringComparison.Ordinal)) continue;
                    value = property.Value.ValueKind switch
                    {
                        JsonValueKind.String => property.Value.GetString(),
                        JsonValueKind.Object when property.Value.TryGetProperty("reference", out var reference) => reference.GetString(),
                        _ => property.Value.GetRawText(),
                    };
                }
                if (value is null) return $"Parameter '{name}' has no value.";
                values.Add((name, value));
            }
        }
        return null;
    }
}
