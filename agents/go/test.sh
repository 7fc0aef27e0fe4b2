#!/usr/bin/env bash
# Builds the Go agents (stubs + bin/go-echo, idempotently: see build.sh) and runs their tests with
# `go test ./...`, over real mTLS with certificates made by meshctl (built first if its jar is
# missing). Extra arguments go to `go test`. Exits non-zero on failure.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"

"$HERE/build.sh"
if [[ ! -f "${MESHCTL_JAR:-$ROOT/cli/target/meshctl.jar}" ]]; then
  echo "agents/go: building meshctl (needed for test certificates)"
  (cd "$ROOT" && mvn -B -q -pl cli -am install -DskipTests)
fi
cd "$HERE"
exec go test -count=1 "$@" ./...
