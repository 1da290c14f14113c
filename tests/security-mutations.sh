#!/usr/bin/env bash
# Mutation check for the five safety properties of the FHIR clients (docs/security.md, "Mutation check").
# Each mutation removes one property from a scratch copy of the committed tree (git archive HEAD), rebuilds the
# Fhir tests and runs the security and Bulk Data client tests; the property is "covered" when at least one test fails.
# Not part of ./test.sh or CI: it rebuilds five times (several minutes on 2 cores). Usage: tests/security-mutations.sh
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
scratch="$(mktemp -d /tmp/security-mutations.XXXXXX)"
trap 'rm -rf "$scratch"' EXIT
filter='FullyQualifiedName~Ingestion.Fhir.Tests.Security|FullyQualifiedName~BulkExportClient|FullyQualifiedName~SmartBackendTokenProviderTests'

# name | file | exact text | replacement
mutations=(
  "cross-origin token stripping|functions/Ingestion.Fhir/BulkData/BulkExportTransport.cs|var sendToken = withToken && _tokens is not null && _policy.IsSameOrigin(target);|var sendToken = withToken && _tokens is not null;"
  "redirect cap|functions/Ingestion.Fhir/BulkData/BulkExportTransport.cs|if (++redirects > _options.MaxRedirects)|if (++redirects > int.MaxValue - 1)"
  "request timeout|functions/Ingestion.Fhir/BulkData/BulkExportTransport.cs|.AddTimeout(options.RequestTimeout).Build();|.Build();"
  "assertion lifetime cap|functions/Ingestion.Fhir/Auth/SmartBackendTokenProvider.cs|_options.AssertionLifetime > MaxAssertionLifetime ?|_options.AssertionLifetime > MaxAssertionLifetime * 1000 ?"
  "idle timeout|functions/Ingestion.Fhir/BulkData/ResumingDownloadStream.cs|idle.CancelAfter(_options.DownloadIdleTimeout);|idle.CancelAfter(Timeout.InfiniteTimeSpan);"
)
# The kick-off pipeline adds its own per-attempt timeout; the request-timeout mutation removes that one too.
extra_request_timeout="builder.AddTimeout(options.RequestTimeout);"

(cd "$repo" && git archive HEAD) | tar -x -C "$scratch"
echo "baseline build..."
dotnet build "$scratch/tests/Ingestion.Fhir.Tests" -c Release -nologo -v:q >/dev/null

status=0
for entry in "${mutations[@]}"; do
  IFS='|' read -r name file from to <<<"$entry"
  cp "$scratch/$file" "$scratch/$file.orig"
  python3 - "$scratch/$file" "$from" "$to" "$name" "$extra_request_timeout" <<'PY'
import sys
path, old, new, name, extra = sys.argv[1:]
text = open(path).read()
if text.count(old) != 1:
    sys.exit(f"mutation '{name}': expected exactly one '{old}' in {path}, found {text.count(old)}")
text = text.replace(old, new)
if name == "request timeout":
    text = text.replace(extra, "")
open(path, "w").write(text)
PY
  if ! dotnet build "$scratch/tests/Ingestion.Fhir.Tests" -c Release -nologo -v:q >/dev/null 2>&1; then
    echo "MUTATION '$name': BUILD FAILED (mutation script needs updating)"; status=1
  else
    out="$(dotnet test "$scratch/tests/Ingestion.Fhir.Tests" -c Release --no-build --filter "$filter" -nologo 2>&1 || true)"
    failed="$(grep -E '^\s+Failed ' <<<"$out" | sed -E 's/^\s+Failed ([^ ]+).*/\1/' | sed -E 's/.*\.//' | sort -u | tr '\n' ' ')"
    summary="$(grep -E '(Passed|Failed)!' <<<"$out" | sed -E 's/ - Ingestion.*//')"
    if [[ -n "$failed" ]]; then
      echo "MUTATION '$name': caught. $summary. Failing: $failed"
    else
      echo "MUTATION '$name': SURVIVED ($summary)"; status=1
    fi
  fi
  mv "$scratch/$file.orig" "$scratch/$file"
done
exit $status
