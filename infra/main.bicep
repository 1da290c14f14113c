// FHIR → OMOP ingestion: everything one environment needs, in one resource group (docs/azure.md).
// Identity only: no account keys, connection strings or SAS anywhere; every data role is granted to the app's
// user-assigned identity on exactly the resource it needs.
targetScope = 'resourceGroup'

import { source } from 'types.bicep'
import { sourceKeySecretName } from 'modules/app-settings.bicep'

@description('Environment name (azd sets it); part of every resource name.')
@minLength(2)
@maxLength(12)
param environmentName string

param location string = resourceGroup().location

@description('Named FHIR sources (see infra/types.bicep). Each needs its SMART private key in Key Vault as source-<id>-smart-key.')
param sources source[]

@description('Action group that alert rules notify (resource id; empty: alerts fire without notification).')
param actionGroupId string = ''

@description('Network isolation: VNet integration for the app, private endpoints for every data service, public network access off on all of them (and Service Bus on Premium, which private endpoints need).')
param networkIsolation bool = false

@description('Entra ID app registration (client id) for App Service authentication in front of the API (empty: off; function keys still apply).')
param authClientId string = ''

@description('Days a quarantined file (PHI: the original lines that failed) is kept.')
@minValue(1)
param quarantineRetentionDays int = 30

@description('Durable task hub name (one per environment sharing a host storage account).')
param taskHubName string = 'ingestion'

@description('NCRONTAB of the schedule timer: each tick starts the sources whose own schedule is due.')
param scheduleTick string = '0 * * * * *'

@description('NCRONTAB of the alert timer: each tick evaluates every source\'s alert rules (thresholds: sources[].alerts).')
param alertTick string = '0 */5 * * * *'

var suffix = uniqueString(subscription().id, resourceGroup().id, environmentName)
var env = toLower(replace(environmentName, '_', '-'))
var base = replace(env, '-', '') // storage and vault names: letters and digits only
var tags = { workload: 'fhir-omop-ingestion', 'azd-env-name': environmentName }
var publicNetworkAccess = networkIsolation ? 'Disabled' : 'Enabled'

// Built-in roles (docs/azure.md says why each is needed).
var roles = {
  blobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  blobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  queueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  tableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
}
var names = {
  hostStorage: take('sthost${base}${suffix}', 24)
  lakeStorage: take('stlake${base}${suffix}', 24)
  quarantineStorage: take('stqrn${base}${suffix}', 24)
  cosmos: 'cosmos-${env}-${suffix}'
  serviceBus: 'sb-${env}-${suffix}'
  vault: take('kv-${base}-${suffix}', 24)
}
var containers = {
  deployment: 'app-package'
  lake: 'lake'
  quarantine: 'quarantine'
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: { name: 'id-${env}-${suffix}', location: location, tags: tags }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    workspaceName: 'log-${env}-${suffix}'
    insightsName: 'appi-${env}-${suffix}'
    location: location
    tags: tags
    principalId: identity.outputs.principalId
  }
}

// Host storage: the Functions host and the Durable task hub (queues, tables, blob leases) and the deployment
// package. Blob Data Owner because the host manages containers and blob leases; never the lake.
module hostStorage 'modules/storage-account.bicep' = {
  name: 'host-storage'
  params: {
    name: names.hostStorage
    location: location
    tags: tags
    containers: [ containers.deployment ]
    principalId: identity.outputs.principalId
    dataRoleIds: [ roles.blobDataOwner, roles.queueDataContributor, roles.tableDataContributor ]
    publicNetworkAccess: publicNetworkAccess
  }
}

// The lake (ADLS Gen2): published, de-identified Parquet.
module lakeStorage 'modules/storage-account.bicep' = {
  name: 'lake-storage'
  params: {
    name: names.lakeStorage
    location: location
    tags: tags
    isHnsEnabled: true
    containers: [ containers.lake ]
    principalId: identity.outputs.principalId
    dataRoleIds: [ roles.blobDataContributor ]
    publicNetworkAccess: publicNetworkAccess
  }
}

// The quarantine holds PHI (lines that failed, verbatim): its own account, so its access, network rules and
// retention are set apart from the de-identified lake; blobs expire after quarantineRetentionDays.
module quarantineStorage 'modules/storage-account.bicep' = {
  name: 'quarantine-storage'
  params: {
    name: names.quarantineStorage
    location: location
    tags: tags
    containers: [ containers.quarantine ]
    deleteAfterDays: quarantineRetentionDays
    principalId: identity.outputs.principalId
    dataRoleIds: [ roles.blobDataContributor ]
    publicNetworkAccess: publicNetworkAccess
  }
}

module cosmos 'modules/cosmos.bicep' = {
  name: 'cosmos'
  params: {
    name: names.cosmos
    location: location
    tags: tags
    principalId: identity.outputs.principalId
    publicNetworkAccess: publicNetworkAccess
  }
}

module serviceBus 'modules/service-bus.bicep' = {
  name: 'service-bus'
  params: {
    name: names.serviceBus
    location: location
    tags: tags
    sku: networkIsolation ? 'Premium' : 'Standard'
    principalId: identity.outputs.principalId
    publicNetworkAccess: publicNetworkAccess
  }
}

module vault 'modules/key-vault.bicep' = {
  name: 'key-vault'
  params: {
    name: names.vault
    location: location
    tags: tags
    principalId: identity.outputs.principalId
    publicNetworkAccess: publicNetworkAccess
  }
}

module network 'modules/network.bicep' = if (networkIsolation) {
  name: 'network'
  params: { name: 'vnet-${env}-${suffix}', location: location, tags: tags }
}

// Private endpoints: every sub-resource the app reaches.
var endpoints = [
  { name: 'host-blob', target: resourceId('Microsoft.Storage/storageAccounts', names.hostStorage), groupId: 'blob', zone: 'blob' }
  { name: 'host-queue', target: resourceId('Microsoft.Storage/storageAccounts', names.hostStorage), groupId: 'queue', zone: 'queue' }
  { name: 'host-table', target: resourceId('Microsoft.Storage/storageAccounts', names.hostStorage), groupId: 'table', zone: 'table' }
  { name: 'lake-blob', target: resourceId('Microsoft.Storage/storageAccounts', names.lakeStorage), groupId: 'blob', zone: 'blob' }
  { name: 'lake-dfs', target: resourceId('Microsoft.Storage/storageAccounts', names.lakeStorage), groupId: 'dfs', zone: 'dfs' }
  { name: 'quarantine-blob', target: resourceId('Microsoft.Storage/storageAccounts', names.quarantineStorage), groupId: 'blob', zone: 'blob' }
  { name: 'cosmos', target: resourceId('Microsoft.DocumentDB/databaseAccounts', names.cosmos), groupId: 'Sql', zone: 'cosmos' }
  { name: 'service-bus', target: resourceId('Microsoft.ServiceBus/namespaces', names.serviceBus), groupId: 'namespace', zone: 'serviceBus' }
  { name: 'key-vault', target: resourceId('Microsoft.KeyVault/vaults', names.vault), groupId: 'vault', zone: 'vault' }
]

module privateEndpoints 'modules/private-endpoint.bicep' = [for endpoint in endpoints: if (networkIsolation) {
  name: 'pe-${endpoint.name}'
  params: {
    name: 'pe-${endpoint.name}-${suffix}'
    location: location
    tags: tags
    subnetId: network!.outputs.endpointSubnetId
    targetId: endpoint.target
    groupId: endpoint.groupId
    dnsZoneId: network!.outputs.zoneIds[endpoint.zone]
  }
  dependsOn: [ hostStorage, lakeStorage, quarantineStorage, cosmos, serviceBus, vault ]
}]

module settings 'modules/app-settings.bicep' = {
  name: 'app-settings'
  params: {
    hostStorageName: hostStorage.outputs.name
    identityClientId: identity.outputs.clientId
    insightsConnectionString: monitoring.outputs.connectionString
    lakeServiceUri: lakeStorage.outputs.blobEndpoint
    lakeContainer: containers.lake
    quarantineServiceUri: quarantineStorage.outputs.blobEndpoint
    quarantineContainer: containers.quarantine
    serviceBusNamespace: serviceBus.outputs.fullyQualifiedNamespace
    serviceBusTopic: serviceBus.outputs.topicName
    cosmosEndpoint: cosmos.outputs.endpoint
    cosmosDatabase: cosmos.outputs.databaseName
    cosmosContainer: cosmos.outputs.containerName
    vaultName: vault.outputs.name
    vaultUri: 'https://${names.vault}${environment().suffixes.keyvaultDns}/'
    taskHubName: taskHubName
    scheduleTick: scheduleTick
    alertTick: alertTick
    sources: sources
  }
}

module app 'modules/function-app.bicep' = {
  name: 'function-app'
  params: {
    name: 'func-${env}-${suffix}'
    planName: 'plan-${env}-${suffix}'
    location: location
    tags: union(tags, { 'azd-service-name': 'ingestion' })
    identityId: identity.outputs.id
    deploymentContainerUrl: '${hostStorage.outputs.blobEndpoint}${containers.deployment}'
    appSettings: settings.outputs.settings
    subnetId: networkIsolation ? network!.outputs.appSubnetId : ''
    authClientId: authClientId
    publicNetworkAccess: 'Enabled' // the API stays reachable (behind keys / Entra ID); its data paths are private
  }
}

module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  params: {
    location: location
    tags: tags
    namePrefix: environmentName
    insightsId: monitoring.outputs.insightsId
    actionGroupId: actionGroupId
  }
}

output AZURE_FUNCTION_APP_NAME string = app.outputs.name
output AZURE_FUNCTION_APP_URL string = 'https://${app.outputs.defaultHostName}'
output AZURE_KEY_VAULT_NAME string = vault.outputs.name
output DEID_KEY_SECRET_NAME string = 'deid-key'
output SOURCE_KEY_SECRET_NAMES array = map(sources, s => sourceKeySecretName(s.id))
output LAKE_URI string = '${lakeStorage.outputs.blobEndpoint}${containers.lake}'
