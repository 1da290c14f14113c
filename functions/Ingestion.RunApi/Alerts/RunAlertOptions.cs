namespace Ingestion.RunApi;

/// <summary>
/// How often alerts are evaluated in the background (section <c>Alerts</c>). Under Azure Functions the timer's
/// NCRONTAB is the <c>AlertTickCron</c> app setting instead; each source's thresholds are <c>Sources__&lt;id&gt;__Alerts__…</c>.
/// </summary>
public sealed class RunAlertOptions
{
    public const string SectionName = "Alerts";

    /// <summary>Period of serve's background evaluation.</summary>
    public TimeSpan EvaluationPeriod { get; set; } = TimeSpan.FromMinutes(1);
}
