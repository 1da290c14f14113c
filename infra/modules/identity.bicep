// The one identity the Function App runs as. User-assigned so every role assignment can be granted before the
// app exists (Flex Consumption reads its deployment package with this identity on first start).
param name string
param location string
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output principalId string = identity.properties.principalId
output clientId string = identity.properties.clientId
