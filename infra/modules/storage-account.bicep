// One storage account, identity-only: shared keys are off, so nothing can connect with a key or a SAS signed by one.
// Used three times: host storage (Durable task hub + deployment package), the lake (ADLS Gen2) and the quarantine.
param name string
param location string
param tags object

@description('ADLS Gen2 hierarchical namespace (the lake); off for host storage, which the Functions host and Durable use.')
param isHnsEnabled bool = false

@description('Blob containers to create.')
param containers array = []

@description('Delete blobs this many days after their last modification (0 = keep). The quarantine sets it.')
@minValue(0)
param deleteAfterDays int = 0

@description('Principal id that gets the data roles below, at the scope of this account only.')
param principalId string

@description('Role definition ids (GUIDs) granted to principalId on this account.')
param dataRoleIds array

@allowed([ 'Enabled', 'Disabled' ])
param publicNetworkAccess string = 'Enabled'

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_ZRS' }
  properties: {
    isHnsEnabled: isHnsEnabled
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowCrossTenantReplication: false
    publicNetworkAccess: publicNetworkAccess
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: publicNetworkAccess == 'Disabled' ? 'Deny' : 'Allow'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: account
  name: 'default'
  properties: {
    // Soft delete keeps an accidental delete recoverable; not supported together with HNS versioning, so only soft delete.
    deleteRetentionPolicy: { enabled: true, days: 7 }
    containerDeleteRetentionPolicy: { enabled: true, days: 7 }
  }
}

resource blobContainers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [for container in containers: {
  parent: blobService
  name: container
  properties: { publicAccess: 'None' }
}]

resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2023-05-01' = if (deleteAfterDays > 0) {
  parent: account
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'expire'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: { blobTypes: [ 'blockBlob' ] }
            actions: { baseBlob: { delete: { daysAfterModificationGreaterThan: deleteAfterDays } } }
          }
        }
      ]
    }
  }
}

resource dataRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for roleId in dataRoleIds: {
  scope: account
  name: guid(account.id, principalId, roleId)
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
  }
}]

output id string = account.id
output name string = account.name
output blobEndpoint string = account.properties.primaryEndpoints.blob
