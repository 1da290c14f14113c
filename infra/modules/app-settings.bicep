// THE list of app settings: every name here is a setting the app binds (or the Functions host reads), generated from
// the deployment's resources. Nothing else writes app settings. tests/Ingestion.Infra.Tests compares these names with
// the options classes and local.settings.sample.json, and checks that no value is a connection string or a key.
import { source } from '../types.bicep'

param hostStorageName string
param identityClientId string
param insightsConnectionString string
param lakeServiceUri string
param lakeContainer string
param quarantineServiceUri string
param quarantineContainer string
param serviceBusNamespace string
param serviceBusTopic string
param cosmosEndpoint string
param cosmosDatabase string
param cosmosContainer string
param vaultName string

@description('Key Vault URI (https://<name>.vault.azure.net/).')
param vaultUri string
param taskHubName string

@description('NCRONTAB of the schedule timer tick (it starts every source whose own schedule is due).')
param scheduleTick string

@description('NCRONTAB of the alert timer tick (it evaluates every source\'s alert rules).')
param alertTick string
param sources source[]

@description('Key Vault secret that holds the de-identification key.')
param deidKeySecretName string = 'deid-key'

// A Key Vault reference: App Service resolves it with the app's identity (keyVaultReferenceIdentity); the value
// never appears in the deployment or the settings.
func vaultRef(vaultName string, secretName string) string =>
  '@Microsoft.KeyVault(VaultName=${vaultName};SecretName=${secretName})'

// Secret holding a source's SMART private key (PEM); documented in docs/azure.md.
@export()
func sourceKeySecretName(id string) string => 'source-${id}-smart-key'

// Optional members become settings only when set, so the options' defaults apply otherwise.
func optional(name string, value string?) object => empty(value) ? {} : { '${name}': value }

// A list member as Name__0, Name__1, … (how configuration binds a list).
func list(name string, values string[]?) object =>
  toObject(range(0, length(values ?? [])), i => '${name}__${i}', i => values![i])

// Sources__<id>__… as SourceDefinition binds them. KeyReference names the Key Vault secret (not its value): the app
// reads the key with its identity when it signs a client assertion.
func sourceSettings(s source, vaultUri string) object => union(
  {
    'Sources__${s.id}__FhirBaseUrl': s.fhirBaseUrl
    'Sources__${s.id}__Schedule': s.schedule
    'Sources__${s.id}__Incremental': (s.?incremental ?? true) ? 'true' : 'false'
    'Sources__${s.id}__Level': s.?level ?? 'system'
    'Sources__${s.id}__ClientId': s.clientId
    'Sources__${s.id}__KeyId': s.keyId
    'Sources__${s.id}__KeyReference': '${vaultUri}secrets/${sourceKeySecretName(s.id)}'
    'Sources__${s.id}__Algorithm': s.?algorithm ?? 'RS384'
    'Sources__${s.id}__Scope': s.?scope ?? 'system/*.read'
  },
  optional('Sources__${s.id}__GroupId', s.?groupId),
  list('Sources__${s.id}__AllowedFileHosts', s.?allowedFileHosts),
  list('Sources__${s.id}__Types', s.?types),
  list('Sources__${s.id}__TypeFilters', s.?typeFilters),
  optional('Sources__${s.id}__Alerts__MaxRunDuration', s.?alerts.?maxRunDuration),
  s.?alerts.?missedSlots == null ? {} : { 'Sources__${s.id}__Alerts__MissedSlots': string(s.?alerts.?missedSlots) },
  optional('Sources__${s.id}__Alerts__MaxVolumeDrop', s.?alerts.?maxVolumeDrop),
  optional('Sources__${s.id}__Alerts__MaxConceptZeroIncrease', s.?alerts.?maxConceptZeroIncrease)
)

// Names are literal keys (the infra test reads them from the compiled template). Identity-based connections follow
// the Azure Functions convention: <connection>__credential = managedidentity, <connection>__clientId = the identity.
var settings = {
  // Functions host storage (Durable task hub, timers, leases).
  AzureWebJobsStorage__accountName: hostStorageName
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  // Telemetry; ingestion authenticated with the identity because local auth is off on Application Insights.
  APPLICATIONINSIGHTS_CONNECTION_STRING: insightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD;ClientId=${identityClientId}'

  // Durable task hub on the host storage account: host.json names the hub %Durable:TaskHubName% and the
  // connection "Durable:StorageConnection" (identity-based, like AzureWebJobsStorage).
  Durable__TaskHubName: taskHubName
  Durable__StorageConnection__accountName: hostStorageName
  Durable__StorageConnection__credential: 'managedidentity'
  Durable__StorageConnection__clientId: identityClientId
  // The timer trigger's schedule (%ScheduleTickCron%).
  ScheduleTickCron: scheduleTick
  // The alert timer trigger's schedule (%AlertTickCron%).
  AlertTickCron: alertTick

  RunApi__RequireHttps: 'true'

  Lake__ServiceUri: lakeServiceUri
  Lake__Container: lakeContainer
  Lake__credential: 'managedidentity'
  Lake__clientId: identityClientId

  Quarantine__ServiceUri: quarantineServiceUri
  Quarantine__Container: quarantineContainer
  Quarantine__credential: 'managedidentity'
  Quarantine__clientId: identityClientId

  ServiceBus__fullyQualifiedNamespace: serviceBusNamespace
  ServiceBus__Topic: serviceBusTopic
  ServiceBus__credential: 'managedidentity'
  ServiceBus__clientId: identityClientId

  Cosmos__accountEndpoint: cosmosEndpoint
  Cosmos__Database: cosmosDatabase
  Cosmos__Container: cosmosContainer
  Cosmos__credential: 'managedidentity'
  Cosmos__clientId: identityClientId

  Deid__Key: vaultRef(vaultName, deidKeySecretName)
}

output settings object = union(settings, reduce(sources, {}, (all, s) => union(all, sourceSettings(s, vaultUri))))
