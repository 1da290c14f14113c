#!/usr/bin/env bash
# Compiles and lints every Bicep file under infra/ with the Bicep CLI pinned in tests/Ingestion.Infra.Tests
# (a PackageDownload of Azure.Bicep.CommandLine.linux-x64). Any warning fails, like an error: the Bicep CLI itself
# exits 0 on warnings, so its diagnostics are read. Rule exceptions would live in infra/bicepconfig.json with their
# reason in docs/azure.md; there are none.
set -euo pipefail
cd "$(dirname "$0")/.."

project=tests/Ingestion.Infra.Tests
dotnet restore "$project" -nologo -v:q >/dev/null
bicep="$(dotnet msbuild "$project" -nologo -getProperty:BicepPath)"
[ -f "$bicep" ] || { echo "Bicep CLI not found at $bicep" >&2; exit 1; }
chmod +x "$bicep"
echo "$("$bicep" --version); files: $(find infra -name '*.bicep' -o -name '*.bicepparam' | wc -l)"

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
status=0
"$bicep" build --pattern 'infra/**/*.bicep' --outdir "$out/arm" 2>"$out/build.log" || status=1
"$bicep" lint --pattern 'infra/**/*.bicep' 2>"$out/lint.log" || status=1
# The parameters file reads the environment (azd / deploy.sh); check it with a sample environment and one source.
export AZURE_ENV_NAME=check INGESTION_SOURCES='[{"id":"ehr1","fhirBaseUrl":"https://ehr.example.org/fhir","clientId":"c","keyId":"k","schedule":"0 0 2 * * *"}]'
"$bicep" build-params infra/main.bicepparam --stdout >/dev/null 2>>"$out/build.log" || status=1
"$bicep" lint infra/main.bicepparam 2>>"$out/lint.log" || status=1
# Diagnostics look like "<file>(line,col) : Warning <rule>: <message>"; build and lint report some of the same ones.
if grep -qE ' : (Warning|Error) ' "$out/build.log" "$out/lint.log"; then status=1; fi
if [ "$status" -ne 0 ]; then sort -u "$out/build.log" "$out/lint.log" >&2; echo "bicep build/lint: FAILED"; exit 1; fi
echo "bicep build/lint: every file clean (0 warnings)"
