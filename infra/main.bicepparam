// Parameters for `azd up` and scripts/deploy.sh, read from the environment (azd puts its environment's values there).
//   AZURE_ENV_NAME       environment name (part of every resource name)
//   AZURE_LOCATION       region
//   INGESTION_SOURCES    JSON array of sources (infra/types.bicep), e.g.
//                        [{"id":"ehr1","fhirBaseUrl":"https://ehr.example.org/fhir","clientId":"…","keyId":"…","schedule":"0 0 2 * * *"}]
//   INGESTION_ACTION_GROUP_ID, INGESTION_NETWORK_ISOLATION (true/false), INGESTION_AUTH_CLIENT_ID   optional
using 'main.bicep'

param environmentName = readEnvironmentVariable('AZURE_ENV_NAME')
param location = readEnvironmentVariable('AZURE_LOCATION', 'eastus2')
param sources = json(readEnvironmentVariable('INGESTION_SOURCES', '[]'))
param actionGroupId = readEnvironmentVariable('INGESTION_ACTION_GROUP_ID', '')
param networkIsolation = bool(readEnvironmentVariable('INGESTION_NETWORK_ISOLATION', 'false'))
param authClientId = readEnvironmentVariable('INGESTION_AUTH_CLIENT_ID', '')
