// Azure resources for the FHIR → OMOP ingestion pipeline (one resource group).
// Not compiled in CI: the Bicep compiler cannot be installed in the build environment; review with
// `az bicep build --file infra/main.bicep` before deploying (see infra/README.md).
targetScope = 'resourceGroup'

@description('Short name prefix for every resource (lowercase letters and digits).')
@minLength(3)
@maxLength(11)
param prefix string

param location string = resourceGroup().location

@description('NCRONTAB schedule of the nightly incremental export (UTC).')
param exportSchedule string = '0 0 2 * * *'

@description('FHIR base URL of the source EHR (Bulk Data $export).')
param fhirBaseUrl string

@description('SMART Backend Services client id registered with the EHR.')
param fhirClientId string

var tags = { workload: 'fhir-omop-ingestion' }
var storageName = '${prefix}lake${uniqueString(resourceGroup().id)}'
var lakeContainer = 'lake'
var quarantineContainer = 'quarantine'
var workQueue = 'ingestion-work'

resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: '${prefix}-logs'
  location: location
  tags: tags
  properties: { sku: { name: 'PerGB2018' }, retentionInDays: 30 }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: '${prefix}-insights'
  location: location
  tags: tags
  kind: 'web'
  properties: { Application_Type: 'web', WorkspaceResourceId: logs.id }
}

// The lake: ADLS Gen2 (hierarchical namespace); the pipeline talks to it through the Blob endpoint.
resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: take(storageName, 24)
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_ZRS' }
  properties: {
    isHnsEnabled: true
    minimumTlsVersion: 'TLS1_2'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    supportsHttpsTrafficOnly: true
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource lake 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: lakeContainer
}

// Quarantine holds PHI (the original lines that failed): a separate container with its own access.
resource quarantine 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: quarantineContainer
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource work 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = {
  parent: queueService
  name: workQueue
}

resource workPoison 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = {
  parent: queueService
  name: '${workQueue}-poison'
}

// Durable run state: partition key /partition = run id, so every checkpoint of a run is a single-partition write.
resource cosmos 'Microsoft.DocumentDB/databaseAccounts@2024-05-15' = {
  name: '${prefix}-state-${uniqueString(resourceGroup().id)}'
  location: location
  tags: tags
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    locations: [ { locationName: location, failoverPriority: 0 } ]
    capabilities: [ { name: 'EnableServerless' } ]
    disableLocalAuth: true
    consistencyPolicy: { defaultConsistencyLevel: 'Session' }
  }
}

resource cosmosDb 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-05-15' = {
  parent: cosmos
  name: 'ingestion'
  properties: { resource: { id: 'ingestion' } }
}

resource cosmosState 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-05-15' = {
  parent: cosmosDb
  name: 'state'
  properties: {
    resource: {
      id: 'state'
      partitionKey: { paths: [ '/partition' ], kind: 'Hash' }
    }
  }
}

// Run announcements for downstream analytics jobs; duplicate detection uses the deterministic MessageId.
resource serviceBus 'Microsoft.ServiceBus/namespaces@2022-10-01-preview' = {
  name: '${prefix}-bus-${uniqueString(resourceGroup().id)}'
  location: location
  tags: tags
  sku: { name: 'Standard', tier: 'Standard' }
  properties: { disableLocalAuth: true }
}

resource runsTopic 'Microsoft.ServiceBus/namespaces/topics@2022-10-01-preview' = {
  parent: serviceBus
  name: 'ingestion-runs'
  properties: {
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: 'P1D'
  }
}

// Secrets: the de-identification key (Deid--Key) and the SMART private key (Fhir--PrivateKeyPem), set by an operator.
resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: '${prefix}-kv-${take(uniqueString(resourceGroup().id), 6)}'
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    enablePurgeProtection: true
  }
}

resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: '${prefix}-plan'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: { name: 'EP1', tier: 'ElasticPremium' }
  properties: { reserved: true }
}

resource app 'Microsoft.Web/sites@2023-12-01' = {
  name: '${prefix}-ingestion-${uniqueString(resourceGroup().id)}'
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: { type: 'SystemAssigned' }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      linuxFxVersion: 'DOTNET-ISOLATED|10.0'
      minTlsVersion: '1.2'
      appSettings: [
        { name: 'FUNCTIONS_EXTENSION_VERSION', value: '~4' }
        { name: 'FUNCTIONS_WORKER_RUNTIME', value: 'custom' }
        { name: 'AzureWebJobsStorage__accountName', value: storage.name }
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: insights.properties.ConnectionString }
        { name: 'Host__Mode', value: 'Azure' }
        { name: 'Schedule__Cron', value: exportSchedule }
        { name: 'Fhir__BaseUrl', value: fhirBaseUrl }
        { name: 'Fhir__ClientId', value: fhirClientId }
        { name: 'Fhir__PrivateKeyPem', value: '@Microsoft.KeyVault(VaultName=${vault.name};SecretName=Fhir--PrivateKeyPem)' }
        { name: 'Deid__Key', value: '@Microsoft.KeyVault(VaultName=${vault.name};SecretName=Deid--Key)' }
        { name: 'Azure__Blob__ServiceUri', value: storage.properties.primaryEndpoints.blob }
        { name: 'Azure__Blob__LakeContainer', value: lakeContainer }
        { name: 'Azure__Blob__QuarantineContainer', value: quarantineContainer }
        { name: 'Azure__Queue__ServiceUri', value: storage.properties.primaryEndpoints.queue }
        { name: 'Azure__Queue__Name', value: workQueue }
        { name: 'Azure__Cosmos__Endpoint', value: cosmos.properties.documentEndpoint }
        { name: 'Azure__Cosmos__Database', value: 'ingestion' }
        { name: 'Azure__Cosmos__Container', value: 'state' }
        { name: 'Azure__ServiceBus__Namespace', value: '${serviceBus.name}.servicebus.windows.net' }
        { name: 'Azure__ServiceBus__Entity', value: runsTopic.name }
      ]
    }
  }
}

// Managed identity roles: data-plane access only, no keys.
var roles = {
  blobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  queueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  serviceBusDataSender: '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
}

resource blobRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: storage
  name: guid(storage.id, app.id, roles.blobDataContributor)
  properties: { principalId: app.identity.principalId, principalType: 'ServicePrincipal', roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.blobDataContributor) }
}

resource queueRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: storage
  name: guid(storage.id, app.id, roles.queueDataContributor)
  properties: { principalId: app.identity.principalId, principalType: 'ServicePrincipal', roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.queueDataContributor) }
}

resource busRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: serviceBus
  name: guid(serviceBus.id, app.id, roles.serviceBusDataSender)
  properties: { principalId: app.identity.principalId, principalType: 'ServicePrincipal', roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.serviceBusDataSender) }
}

resource vaultRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: vault
  name: guid(vault.id, app.id, roles.keyVaultSecretsUser)
  properties: { principalId: app.identity.principalId, principalType: 'ServicePrincipal', roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser) }
}

// Cosmos DB data-plane RBAC: built-in Data Contributor (00000000-0000-0000-0000-000000000002).
resource cosmosRole 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-05-15' = {
  parent: cosmos
  name: guid(cosmos.id, app.id, 'data-contributor')
  properties: {
    principalId: app.identity.principalId
    roleDefinitionId: '${cosmos.id}/sqlRoleDefinitions/00000000-0000-0000-0000-000000000002'
    scope: cosmos.id
  }
}

output functionAppName string = app.name
output lakeUri string = '${storage.properties.primaryEndpoints.blob}${lakeContainer}'
output keyVaultName string = vault.name
