#!/usr/bin/env bash
# Provisions infra/main.bicep and deploys the Functions app with the Azure CLI (for azd users: `azd up`).
# See docs/azure.md. Needs: az (logged in; Owner or User Access Administrator + Contributor on the resource group,
# because the template assigns roles) and the .NET 10 SDK.
#
#   AZURE_ENV_NAME=prod AZURE_LOCATION=eastus2 AZURE_RESOURCE_GROUP=rg-ingestion-prod \
#   INGESTION_SOURCES='[{"id":"ehr1","fhirBaseUrl":"https://ehr.example.org/fhir","clientId":"…","keyId":"…","schedule":"0 0 2 * * *"}]' \
#   scripts/deploy.sh [--what-if] [--secrets DIR]
#
# --what-if      show what the deployment would change, deploy nothing.
# --secrets DIR  upload DIR/deid-key (base64, ≥ 32 bytes) and DIR/source-<id>-smart-key.pem for every source to Key
#                Vault first-time (needs Key Vault Secrets Officer on the vault). Without it, missing secrets are listed.
set -euo pipefail
cd "$(dirname "$0")/.."

what_if=false
secrets_dir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --what-if) what_if=true ;;
    --secrets) secrets_dir="${2:?--secrets needs a directory}"; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

: "${AZURE_ENV_NAME:?set AZURE_ENV_NAME}"
: "${AZURE_RESOURCE_GROUP:?set AZURE_RESOURCE_GROUP}"
export AZURE_LOCATION="${AZURE_LOCATION:-eastus2}"
export INGESTION_SOURCES="${INGESTION_SOURCES:-[]}"
deployment="ingestion-${AZURE_ENV_NAME}"

az group create -n "$AZURE_RESOURCE_GROUP" -l "$AZURE_LOCATION" --tags "azd-env-name=$AZURE_ENV_NAME" -o none

if $what_if; then
  az deployment group what-if -g "$AZURE_RESOURCE_GROUP" -n "$deployment" -f infra/main.bicep -p infra/main.bicepparam
  exit 0
fi

echo "== provisioning ($deployment)"
az deployment group create -g "$AZURE_RESOURCE_GROUP" -n "$deployment" -f infra/main.bicep -p infra/main.bicepparam -o none
output() { az deployment group show -g "$AZURE_RESOURCE_GROUP" -n "$deployment" --query "properties.outputs.$1.value" -o tsv; }
app="$(output AZURE_FUNCTION_APP_NAME)"
vault="$(output AZURE_KEY_VAULT_NAME)"
secrets=("$(output DEID_KEY_SECRET_NAME)")
mapfile -t -O 1 secrets < <(az deployment group show -g "$AZURE_RESOURCE_GROUP" -n "$deployment" \
  --query "properties.outputs.SOURCE_KEY_SECRET_NAMES.value[]" -o tsv)

echo "== secrets in $vault"
missing=()
for name in "${secrets[@]}"; do
  if [ -n "$secrets_dir" ]; then
    file="$secrets_dir/$name"; [ -f "$file" ] || file="$file.pem"
    [ -f "$file" ] || { echo "missing $secrets_dir/$name(.pem)" >&2; exit 1; }
    az keyvault secret set --vault-name "$vault" -n "$name" --file "$file" -o none
    echo "set $name"
  elif ! az keyvault secret show --vault-name "$vault" -n "$name" -o none 2>/dev/null; then
    missing+=("$name")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Not set yet (the app cannot run without them): ${missing[*]}"
  echo "  az keyvault secret set --vault-name $vault -n <name> --file <file>   (docs/azure.md, Secrets)"
fi

echo "== publishing"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
# The Functions package (linux-x64, functions.metadata, .azurefunctions) is built by scripts/publish.sh (issue #12).
scripts/publish.sh --output "$out"
zip="$out/ingestion-functions.zip"

echo "== deploying to $app"
az functionapp deployment source config-zip -g "$AZURE_RESOURCE_GROUP" -n "$app" --src "$zip" -o none
echo "done: $(output AZURE_FUNCTION_APP_URL)"
