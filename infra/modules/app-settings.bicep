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
param taskHubName string
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

func sourceSettings(s source, vaultName string) object => union(
  {
    'Sources__${s.id}__BaseUrl': s.baseUrl
    'Sources__${s.id}__Schedule': s.schedule
    'Sources__${s.id}__Incremental': (s.?incremental ?? true) ? 'true' : 'false'
    'Sources__${s.id}__ExportKind': s.?exportKind ?? 'system'
    'Sources__${s.id}__Smart__ClientId': s.clientId
    'Sources__${s.id}__Smart__KeyId': s.keyId
    'Sources__${s.id}__Smart__Algorithm': s.?algorithm ?? 'RS384'
    'Sources__${s.id}__Smart__Scope': s.?scope ?? 'system/*.read'
    'Sources__${s.id}__Smart__PrivateKeyPem': vaultRef(vaultName, sourceKeySecretName(s.id))
  },
  optional('Sources__${s.id}__Group', s.?group),
  optional('Sources__${s.id}__Types', s.?types),
  optional('Sources__${s.id}__TypeFilter', s.?typeFilter),
  toObject(range(0, length(s.?allowedFileHosts ?? [])), i => 'Sources__${s.id}__AllowedFileHosts__${i}', i => s.allowedFileHosts![i])
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

  Durable__TaskHub: taskHubName

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

output settings object = union(settings, reduce(sources, {}, (all, s) => union(all, sourceSettings(s, vaultName))))
