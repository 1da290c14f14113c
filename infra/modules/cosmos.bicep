// Run catalog: Cosmos DB for NoSQL, serverless, Entra ID only (local auth off).
param name string
param location string
param tags object

param databaseName string = 'ingestion'

@description('Run catalog container: run, file and audit items live in the partition of their run id; watermarks and the runs list in the partition "source:<id>".')
param containerName string = 'runs'

@description('The property every catalog item carries its partition value in.')
param partitionKeyPath string = '/partition'

@description('Principal id that gets the built-in Cosmos DB Data Contributor role on the database.')
param principalId string

@allowed([ 'Enabled', 'Disabled' ])
param publicNetworkAccess string = 'Enabled'

// Built-in data-plane role "Cosmos DB Built-in Data Contributor" (read/write items, no account or key management).
var dataContributor = '00000000-0000-0000-0000-000000000002'

resource account 'Microsoft.DocumentDB/databaseAccounts@2024-11-15' = {
  name: name
  location: location
  tags: tags
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    locations: [ { locationName: location, failoverPriority: 0, isZoneRedundant: false } ]
    capabilities: [ { name: 'EnableServerless' } ]
    consistencyPolicy: { defaultConsistencyLevel: 'Session' }
    disableLocalAuth: true
    disableKeyBasedMetadataWriteAccess: true
    minimalTlsVersion: 'Tls12'
    publicNetworkAccess: publicNetworkAccess
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-11-15' = {
  parent: account
  name: databaseName
  properties: { resource: { id: databaseName } }
}

resource container 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-11-15' = {
  parent: database
  name: containerName
  properties: {
    resource: {
      id: containerName
      partitionKey: { paths: [ partitionKeyPath ], kind: 'Hash', version: 2 }
      // -1: TTL is on but nothing expires unless the item sets its own "ttl" (the catalog sets it on file and audit
      // items; runs and watermarks live until deleted).
      defaultTtl: -1
      indexingPolicy: {
        indexingMode: 'consistent'
        includedPaths: [ { path: '/*' } ]
        excludedPaths: [ { path: '/"_etag"/?' } ]
      }
    }
  }
}

resource dataRole 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-11-15' = {
  parent: account
  name: guid(database.id, principalId, dataContributor)
  properties: {
    principalId: principalId
    roleDefinitionId: '${account.id}/sqlRoleDefinitions/${dataContributor}'
    scope: '${account.id}/dbs/${databaseName}'
  }
}

output id string = account.id
output endpoint string = account.properties.documentEndpoint
output databaseName string = databaseName
output containerName string = containerName
