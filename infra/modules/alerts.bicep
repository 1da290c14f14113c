// Alert rules of the operators issue (#17). The app evaluates each source's rules itself (the EvaluateAlerts timer,
// thresholds Sources__<id>__Alerts__…, docs/operations.md) and writes one AlertFired log event per condition when it
// begins (EventId 1701; AlertKind, SourceId, RunId in customDimensions), so a run that ends Failed in its files, a
// per-source SLA or a data-quality drift is seen here exactly as the dashboard sees it. One rule per alert kind,
// split by source; and one that fires when the evaluations stop (the ingestion.alerts.evaluations metric), since a
// silent evaluator would otherwise look like a healthy one.
param location string
param tags object
param namePrefix string

@description('Application Insights the app writes to.')
param insightsId string

@description('Action group notified by every rule (resource id; empty: rules fire without notification).')
param actionGroupId string = ''

@description('How long without an alert evaluation before the evaluation-silent rule fires (longer than the AlertTickCron period; a log alert window).')
@allowed([ 'PT30M', 'PT45M', 'PT1H', 'PT2H' ])
param silentAfter string = 'PT30M'

var actions = empty(actionGroupId) ? {} : { actionGroups: [ actionGroupId ] }

// AlertFired events of one kind, by source. The window is three evaluation periods long so that ingestion delay
// cannot make an event fall between two windows; a stateful rule (autoMitigate) notifies once per firing.
func fired(kind string) string =>
  'traces | where tostring(customDimensions.EventName) == "AlertFired" and tostring(customDimensions.AlertKind) == "${kind}" | summarize count() by source = tostring(customDimensions.SourceId)'

var kinds = [
  { kind: 'run-over-sla', severity: 2, description: 'A run is still going after its source\'s SLA (Sources__<id>__Alerts__MaxRunDuration).' }
  { kind: 'run-failed', severity: 1, description: 'A run failed or was terminated (also a run whose files failed).' }
  { kind: 'no-recent-success', severity: 2, description: 'A source has had no successful run for N schedule slots (Sources__<id>__Alerts__MissedSlots).' }
  { kind: 'volume-drop', severity: 2, description: 'A completed run read much less than the one before (Sources__<id>__Alerts__MaxVolumeDrop).' }
  { kind: 'concept-zero-spike', severity: 3, description: 'The concept-0 rate rose against the previous completed run (Sources__<id>__Alerts__MaxConceptZeroIncrease).' }
]

resource firedRules 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [for k in kinds: {
  name: '${namePrefix}-${k.kind}'
  location: location
  tags: tags
  properties: {
    displayName: '${namePrefix} ${k.kind}'
    description: k.description
    severity: k.severity
    enabled: true
    scopes: [ insightsId ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: fired(k.kind)
          timeAggregation: 'Total'
          metricMeasureColumn: 'count_'
          dimensions: [ { name: 'source', operator: 'Include', values: [ '*' ] } ]
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 }
        }
      ]
    }
    actions: actions
    autoMitigate: true
  }
}]

resource silent 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: '${namePrefix}-alert-evaluation-silent'
  location: location
  tags: tags
  properties: {
    displayName: '${namePrefix} alert-evaluation-silent'
    description: 'No alert evaluation within ${silentAfter}: the EvaluateAlerts timer is not running, so no other rule here can fire.'
    severity: 1
    enabled: true
    scopes: [ insightsId ]
    evaluationFrequency: 'PT15M'
    windowSize: silentAfter
    criteria: {
      allOf: [
        {
          query: 'customMetrics | where name == "ingestion.alerts.evaluations" | summarize count()'
          timeAggregation: 'Total'
          metricMeasureColumn: 'count_'
          operator: 'LessThan'
          threshold: 1
          failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 }
        }
      ]
    }
    actions: actions
    autoMitigate: true
  }
}
