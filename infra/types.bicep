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
}
