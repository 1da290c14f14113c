#!/usr/bin/env bash
# Builds the Azure Functions zip package of functions/Ingestion.Functions (isolated worker, linux-x64 only) and prints
# its path and size. Deploy it with `az functionapp deployment source config-zip` (docs/azure.md).
#   scripts/publish.sh [--output DIR] [--no-build]
# DIR (default artifacts/functions) receives app/ (the published folder) and ingestion-functions.zip.
set -euo pipefail
cd "$(dirname "$0")/.."
out=artifacts/functions
build=()
while [ $# -gt 0 ]; do
  case "$1" in
    --output) out="$2"; shift 2 ;;
    --no-build) build=(--no-build); shift ;;
    *) echo "usage: scripts/publish.sh [--output DIR] [--no-build]" >&2; exit 2 ;;
  esac
done
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
mkdir -p "$out"
out="$(cd "$out" && pwd)"
rm -rf "$out/app" "$out/ingestion-functions.zip"

# The project pins RuntimeIdentifier=linux-x64 and is framework-dependent: no runtimes/<rid> folders for other systems.
dotnet publish functions/Ingestion.Functions/Ingestion.Functions.csproj -c Release "${build[@]}" -o "$out/app" -nologo -v:q

for required in functions.metadata extensions.json host.json .azurefunctions; do
  [ -e "$out/app/$required" ] || { echo "publish: $required is missing from the package" >&2; exit 1; }
done

# Zip the folder's contents (hidden .azurefunctions included) at the archive root, as the Functions host expects.
if command -v zip >/dev/null; then
  (cd "$out/app" && zip -qr -X "$out/ingestion-functions.zip" .)
else
  python3 - "$out/app" "$out/ingestion-functions.zip" <<'PY'
import os, sys, zipfile
root, target = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
    for folder, _, files in os.walk(root):
        for name in files:
            path = os.path.join(folder, name)
            z.write(path, os.path.relpath(path, root))
PY
fi
size=$(stat -c %s "$out/ingestion-functions.zip")
echo "Functions package: $out/ingestion-functions.zip ($((size / 1024 / 1024)) MiB, $size bytes)"
