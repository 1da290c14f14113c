// Shapes of the structured parameters, shared by main.bicep and its modules.

@export()
@description('A named FHIR source (issue #12: named sources, never free URLs). Its settings are Sources__<id>__…; its SMART private key is the Key Vault secret source-<id>-smart-key.')
type source = {
  @description('Source id: lowercase letters, digits and dashes (it is part of setting and secret names).')
  @minLength(1)
  @maxLength(40)
  id: string

  @description('FHIR base URL of the EHR (https).')
  baseUrl: string

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
  exportKind: ('system' | 'group' | 'patient')?

  @description('Group id when exportKind is group.')
  group: string?

  @description('_type: comma-separated resource types.')
  types: string?

  @description('_typeFilter: comma-separated FHIR search queries.')
  typeFilter: string?

  @description('NCRONTAB schedule (UTC) of the nightly run, six fields.')
  schedule: string

  @description('Incremental runs (_since = last successful run); default true.')
  incremental: bool?
}
