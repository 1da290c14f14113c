using Ingestion.Infra.Tests.Templates;
using Ingestion.RunApi;

namespace Ingestion.Infra.Tests;

/// <summary>
/// The alert rules (infra/modules/alerts.bicep) fire on what the app emits: one rule per alert kind on the AlertFired
/// log event (RunAlertLog), split by source, one on the evaluations heartbeat; thresholds are the sources' settings.
/// </summary>
[Collection(DeploymentsCollection.Name)]
public sealed class AlertRuleTests(Deployments deployments)
{
    [Fact]
    public void Every_alert_kind_the_app_fires_has_a_rule_on_its_AlertFired_event_split_by_source()
    {
        var rules = deployments.Default.OfType("Microsoft.Insights/scheduledQueryRules")
            .ToDictionary(r => r.GetProperty("name").GetString()!, r => r.GetProperty("properties"));
        string[] kinds = [RunAlert.RunOverSla, RunAlert.RunFailed, RunAlert.NoRecentSuccess, RunAlert.VolumeDrop, RunAlert.ConceptZeroSpike];
        Assert.Equal(kinds.Select(k => "ci-" + k).Append("ci-alert-evaluation-silent").Order(StringComparer.Ordinal), rules.Keys.Order(StringComparer.Ordinal));
        foreach (var kind in kinds)
        {
            var criterion = rules["ci-" + kind].GetProperty("criteria").GetProperty("allOf")[0];
            var query = criterion.GetProperty("query").GetString()!;
            // The names the app's log event carries (RunAlertLog): event name, kind, source.
            Assert.Contains("customDimensions.EventName) == \"AlertFired\"", query, StringComparison.Ordinal);
            Assert.Contains($"customDimensions.AlertKind) == \"{kind}\"", query, StringComparison.Ordinal);
            Assert.Contains("by source = tostring(customDimensions.SourceId)", query, StringComparison.Ordinal);
            Assert.Equal("source", criterion.GetProperty("dimensions")[0].GetProperty("name").GetString());
            Assert.Equal("GreaterThan", criterion.GetProperty("operator").GetString());
            Assert.Equal(0, criterion.GetProperty("threshold").GetDouble());
        }
        // The heartbeat rule reads the metric the monitor counts each evaluation with.
        var silent = rules["ci-alert-evaluation-silent"].GetProperty("criteria").GetProperty("allOf")[0];
        Assert.Contains("\"ingestion.alerts.evaluations\"", silent.GetProperty("query").GetString(), StringComparison.Ordinal);
        Assert.Equal("LessThan", silent.GetProperty("operator").GetString());
    }

    [Fact]
    public void A_sources_alert_thresholds_and_the_alert_timer_are_deployed_as_app_settings()
    {
        var settings = deployments.Default.AppSettings;
        Assert.Equal("06:00:00", settings["Sources__ehr-north__Alerts__MaxRunDuration"]);
        Assert.Equal("3", settings["Sources__ehr-north__Alerts__MissedSlots"]);
        Assert.Equal("0.3", settings["Sources__ehr-north__Alerts__MaxVolumeDrop"]);
        Assert.Equal("5", settings["Sources__ehr-north__Alerts__MaxConceptZeroIncrease"]);
        // Unset thresholds stay unset (the options' defaults apply).
        Assert.DoesNotContain(settings.Keys, k => k.StartsWith("Sources__ehr-south__Alerts__", StringComparison.Ordinal));
        Assert.Equal("0 */5 * * * *", settings["AlertTickCron"]);
    }
}
