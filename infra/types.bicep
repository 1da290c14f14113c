// Shapes of the structured parameters, shared by main.bicep and its modules.

@export()
@description('A named FHIR source (issue #12: named sources, never free URLs). Its settings are Sources__<id>__… (SourceDefinition); its SMART private key is the Key Vault secret source-<id>-smart-key.')
type source = {
  @description('Source id: lowercase letters, digits and dashes (it is part of setting names, secret names and run ids).')
  @minLength(1)
  @maxLength(40)
  id: string

  @description('FHIR base URL of the EHR (https).')
  fhirBaseUrl: string

  @description('SMART Backend Services client id registered with the EHR.')
  clientId: string

  @description('kid of the public key registered with the EHR.')
  keyId: string

  @description('JWT signing algorithm (default RS384).')
  algorithm: ('RS384' | 'ES384')?

  @description('SMART scopes (default system/*.read).')
  scope: string?

  @description('Hosts the EHR may serve export files from, besides its own.')
  allowedFileHosts: string[]?

  @description('Bulk Data export level (default system).')
  level: ('system' | 'group' | 'patient')?

  @description('Group id when level is group.')
  groupId: string?

  @description('_type: resource types.')
  types: string[]?

  @description('_typeFilter: FHIR search queries.')
  typeFilters: string[]?

  @description('NCRONTAB schedule (UTC, six fields) of the source\'s runs.')
  schedule: string

  @description('Incremental runs (_since = the last published run); default true.')
  incremental: bool?

  @description('Alert thresholds of the source (SourceAlertOptions, docs/operations.md); an unset one raises nothing.')
  alerts: sourceAlerts?
}

@export()
@description('A source\'s alert thresholds: Sources__<id>__Alerts__… The app evaluates them (alert timer) and logs an AlertFired event that the alert rules in modules/alerts.bicep query.')
type sourceAlerts = {
  @description('SLA of a run (TimeSpan, e.g. 06:00:00): a run still going after this long raises run-over-sla.')
  maxRunDuration: string?

  @description('Schedule slots in a row without a successful run before no-recent-success (default 2).')
  @minValue(1)
  missedSlots: int?

  @description('Largest accepted drop of resources read against the previous completed run, a fraction as text (e.g. \'0.3\').')
  maxVolumeDrop: string?

  @description('Largest accepted rise of the concept-0 rate against the previous completed run, in percentage points as text (e.g. \'5\').')
  maxConceptZeroIncrease: string?
}
