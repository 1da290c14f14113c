using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Ingestion.Fhir.Tests.DemoServer;

/// <summary>Raw-HTTP steps of a Bulk Data export, so the server tests exercise the wire format directly.</summary>
internal sealed class DemoServerClient(Uri baseUrl, string? bearer = null) : IDisposable
{
    private readonly HttpClient _http = new(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.None });

    public HttpClient Http => _http;

    public HttpRequestMessage Request(HttpMethod method, string url, bool bulkHeaders = true)
    {
        var request = new HttpRequestMessage(method, url.StartsWith("http", StringComparison.Ordinal) ? url : baseUrl + url);
        if (bulkHeaders)
        {
            request.Headers.TryAddWithoutValidation("Accept", "application/fhir+json");
            request.Headers.TryAddWithoutValidation("Prefer", "respond-async");
        }
        if (bearer is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return request;
    }

    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request) => _http.SendAsync(request);

    /// <summary>Kick-off (expects 202) and returns the status URL.</summary>
    public async Task<string> KickOffAsync(string path = "/$export")
    {
        using var response = await SendAsync(Request(HttpMethod.Get, path));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return response.Content.Headers.ContentLocation?.ToString() ?? response.Headers.GetValues("Content-Location").Single();
    }

    /// <summary>Polls until 200 and returns the manifest.</summary>
    public async Task<JsonElement> WaitForManifestAsync(string statusUrl)
    {
        for (var i = 0; i < 200; i++)
        {
            using var response = await SendAsync(Request(HttpMethod.Get, statusUrl, bulkHeaders: false));
            if (response.StatusCode == HttpStatusCode.OK)
                return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            await Task.Delay(50);
        }
        throw new TimeoutException("export did not complete");
    }

    /// <summary>Downloads every output file of a manifest: lines per type, in manifest order.</summary>
    public async Task<Dictionary<string, List<string>>> DownloadAllAsync(JsonElement manifest, string array = "output")
    {
        var lines = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var file in manifest.GetProperty(array).EnumerateArray())
        {
            var type = file.GetProperty("type").GetString()!;
            using var response = await SendAsync(Request(HttpMethod.Get, file.GetProperty("url").GetString()!, bulkHeaders: false));
            response.EnsureSuccessStatusCode();
            var text = await response.Content.ReadAsStringAsync();
            var fileLines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(file.GetProperty("count").GetInt64(), fileLines.Length);
            if (!lines.TryGetValue(type, out var list)) lines[type] = list = [];
            list.AddRange(fileLines);
        }
        return lines;
    }

    public void Dispose() => _http.Dispose();
}
