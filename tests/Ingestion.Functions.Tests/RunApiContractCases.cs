using System.Text.Json;

namespace Ingestion.Functions.Tests;

/// <summary>
/// The run API's request cases every host must answer alike (the Functions triggers on a test server, serve in
/// process and serve as its own process): one list, used by each host's tests.
/// </summary>
public static class RunApiContractCases
{
    /// <summary>Bodies that must be 400 problem+json naming the field (second value) without echoing what was sent.</summary>
    public static TheoryData<string, string> BadRequests => new()
    {
        { """{"source":"ehr1","fhirBaseUrl":"https://attacker.example/fhir"}""", "$" },
        { """{"source":"ehr1","since":"yesterday 123-45-6789"}""", "since" },
        { """{"source":"ehr1","since":"2026-11-01"}""", "since" },
        { """{"source":"ehr1","since":"2999-01-01T00:00:00Z"}""", "since" },
        { """{"source":"ehr1","types":["Patient","123-45-6789"]}""", "types[1]" },
        { """{"source":"ehr1","types":"Patient"}""", "types" },
        { """{"source":"ehr1","typeFilter":["not a search 123-45-6789"]}""", "typeFilter[0]" },
        { """{"source":"ehr1","group":"../123-45-6789/x"}""", "group" },
        { """{"source":"../123-45-6789"}""", "source" },
        { """{"since":"2026-11-01T00:00:00Z"}""", "source" },
        { """["ehr1"]""", "$" },
        { """{"source":"ehr1", "types":["123-45-6789" """, "$" },
    };

    /// <summary>Values from <see cref="BadRequests"/> that must never come back in an answer.</summary>
    public static readonly string[] NeverEchoed = ["123-45-6789", "attacker", "fhirBaseUrl"];

    /// <summary>Every state-changing route (method, path) of the run API.</summary>
    public static readonly (HttpMethod Method, string Path)[] StateChangingRoutes =
    [
        (HttpMethod.Post, "/api/exports"),
        (HttpMethod.Post, "/api/exports/x/events/Cancel"),
        (HttpMethod.Post, "/api/exports/x/terminate"),
        (HttpMethod.Post, "/api/exports/x/restart"),
        (HttpMethod.Post, "/api/exports/x/retry-failed"),
        (HttpMethod.Delete, "/api/exports/x"),
    ];

    /// <summary>A start's answer: the Durable management payload for the run at <paramref name="statusUrl"/>, and Location to poll.</summary>
    public static void AssertManagementPayload(JsonElement root, HttpResponseMessage response, string statusUrl)
    {
        Assert.Equal(statusUrl, root.GetProperty("statusQueryGetUri").GetString());
        Assert.Equal(statusUrl + "/events/{eventName}", root.GetProperty("sendEventPostUri").GetString());
        Assert.Equal(statusUrl + "/terminate", root.GetProperty("terminatePostUri").GetString());
        Assert.Equal(statusUrl, root.GetProperty("purgeHistoryDeleteUri").GetString());
        Assert.Equal(statusUrl + "/restart", root.GetProperty("restartPostUri").GetString());
        Assert.Equal(new Uri(statusUrl), response.Headers.Location);
    }
}
