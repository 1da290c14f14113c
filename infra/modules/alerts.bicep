// Alert rules from the operators issue (#17): a run failed, a run stuck, a source without a success.
// All three read the Durable Functions tracking traces the host writes for every orchestration (category
// Host.Triggers.DurableTask, prop__state). A run's instance id starts with its source id ("<source>-yyyyMMddTHHmm…",
// RunIds), which is how "no success" is told per source.
param location string
param tags object
param namePrefix string

@description('Application Insights the app writes to.')
param insightsId string

@description('Action group notified by every rule (resource id; empty: rules fire without notification).')
param actionGroupId string = ''

@description('Orchestrator function name of a run.')
param orchestratorName string

@description('A run still running after this many hours is stuck.')
@minValue(1)
param stuckAfterHours int = 6

@description('Alert when a source has had no successful run for this many hours (two nightly slots by default).')
@minValue(1)
@maxValue(48) // log alert windows are at most two days
param noSuccessHours int = 48

@description('Source ids expected to succeed.')
param sourceIds string[]

var actions = empty(actionGroupId) ? {} : { actionGroups: [ actionGroupId ] }

// Orchestrator state changes, replays excluded.
var orchestrations = '''
traces
| where customDimensions.Category == "Host.Triggers.DurableTask"
| where tostring(customDimensions.prop__functionName) == "{0}"
| where tobool(tolower(tostring(customDimensions.prop__isReplay))) != true
| extend instanceId = tostring(customDimensions.prop__instanceId), state = tostring(customDimensions.prop__state)
'''

var rules = [
  {
    name: 'run-failed'
    description: 'A run (orchestration) failed.'
    severity: 1
    frequency: 'PT15M'
    window: 'PT15M'
    query: '${format(orchestrations, orchestratorName)}| where state == "Failed" | summarize count()'
  }
  {
    name: 'run-stuck'
    description: 'A run has been running for more than ${stuckAfterHours} hours.'
    severity: 2
    frequency: 'PT1H'
    window: 'P2D'
    query: '${format(orchestrations, orchestratorName)}| summarize started = minif(timestamp, state == "Started"), ended = countif(state in ("Completed", "Failed", "Terminated")) by instanceId | where isnotnull(started) and ended == 0 and started < ago(${stuckAfterHours}h) | summarize count()'
  }
  {
    name: 'source-without-success'
    description: 'A source has had no successful run for ${noSuccessHours} hours.'
    severity: 2
    frequency: 'PT1H'
    window: 'P2D'
    query: 'let succeeded = ${format(orchestrations, orchestratorName)}| where timestamp > ago(${noSuccessHours}h) and state == "Completed" | extend source = extract(@"^(.+)-[0-9]{8}T[0-9]{4}", 1, instanceId) | distinct source; print source = dynamic(${string(sourceIds)}) | mv-expand source to typeof(string) | join kind=leftanti succeeded on source | summarize count()'
  }
]

resource alerts 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [for rule in rules: {
  name: '${namePrefix}-${rule.name}'
  location: location
  tags: tags
  properties: {
    displayName: '${namePrefix} ${rule.name}'
    description: rule.description
    severity: rule.severity
    enabled: true
    scopes: [ insightsId ]
    evaluationFrequency: rule.frequency
    windowSize: rule.window
    criteria: {
      allOf: [
        {
          query: rule.query
          timeAggregation: 'Total'
          metricMeasureColumn: 'count_'
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
