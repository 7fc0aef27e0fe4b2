#!/usr/bin/env bash
# Builds the Python agents (venv + stubs, idempotently: see build.sh) and runs their tests with
# pytest, over real mTLS with certificates made by meshctl (built first if its jar is missing).
# Extra arguments go to pytest. Exits non-zero on failure.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"

"$HERE/build.sh"
if [[ ! -f "${MESHCTL_JAR:-$ROOT/cli/target/meshctl.jar}" ]]; then
  echo "agents/python: building meshctl (needed for test certificates)"
  (cd "$ROOT" && mvn -B -q -pl cli -am install -DskipTests)
fi
cd "$HERE"
exec "$HERE/.venv/bin/python" -m pytest "$@"
