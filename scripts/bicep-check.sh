#!/usr/bin/env bash
# Compiles and lints every Bicep file under infra/ with the Bicep CLI pinned in tests/Ingestion.Infra.Tests
# (a PackageDownload of Azure.Bicep.CommandLine.linux-x64). Warnings count as errors; the only exceptions are
# rules switched off in infra/bicepconfig.json, each with its reason in docs/azure.md.
set -euo pipefail
cd "$(dirname "$0")/.."

project=tests/Ingestion.Infra.Tests
dotnet restore "$project" -nologo -v:q >/dev/null
bicep="$(dotnet msbuild "$project" -nologo -getProperty:BicepPath)"
[ -f "$bicep" ] || { echo "Bicep CLI not found at $bicep" >&2; exit 1; }
chmod +x "$bicep"
echo "bicep: $("$bicep" --version)"

status=0
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
while IFS= read -r file; do
  log="$out/log"
  # build: compiler diagnostics; lint: the linter rules (bicepconfig.json). Both print diagnostics on stderr.
  if ! "$bicep" build "$file" --outdir "$out" 2>"$log" || ! "$bicep" lint "$file" 2>>"$log" \
     || grep -Eq ' : (Warning|Error) ' "$log"; then
    echo "FAIL $file"; sed 's/^/  /' "$log"; status=1
  else
    echo "ok   $file"
  fi
done < <(find infra -name '*.bicep' | sort)
exit "$status"
