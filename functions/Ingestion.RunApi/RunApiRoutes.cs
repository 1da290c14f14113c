namespace Ingestion.RunApi;

/// <summary>
/// The run API's routes, relative to <c>/api</c> (the Functions host's HTTP prefix; <c>serve</c> uses the same).
/// One list, so the Functions triggers, the standalone endpoints and the management URLs cannot drift apart.
/// </summary>
public static class RunApiRoutes
{
    public const string Prefix = "api";
    public const string Exports = "exports";
    public const string Export = "exports/{id}";
    public const string Event = "exports/{id}/events/{eventName}";
    public const string Terminate = "exports/{id}/terminate";
    public const string Restart = "exports/{id}/restart";
    public const string RetryFailed = "exports/{id}/retry-failed";
    public const string Detail = "exports/{id}/detail";
    public const string Sources = "sources";
    public const string Alerts = "alerts";
    public const string Trends = "trends";
    public const string Health = "health";
    /// <summary>The operator dashboard's static files (anonymous: the page holds no data; its API calls carry the key).</summary>
    public const string Dashboard = "dashboard";
}
