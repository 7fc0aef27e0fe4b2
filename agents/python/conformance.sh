#!/usr/bin/env bash
# The cross-language conformance suite (conformance/test_conformance.py): builds the Python, Go and
# Java agents, then runs the same black-box checks against each agent process (py-echo, go-echo,
# java-echo, and any listed in MESHWORK_CONFORMANCE_AGENTS). Extra arguments go to pytest.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"

"$HERE/build.sh"
"$ROOT/agents/go/build.sh"
if [[ ! -f "${MESHCTL_JAR:-$ROOT/cli/target/meshctl.jar}" ]]; then
  echo "agents/python: building meshctl (needed for test certificates)"
  (cd "$ROOT" && mvn -B -q -pl cli -am install -DskipTests)
fi
if [[ ! -f "$ROOT/agents/echo/target/meshwork-agent-echo.jar" ]]; then
  echo "agents/python: building the Java agent java-echo"
  (cd "$ROOT" && mvn -B -q -pl agents/echo -am install -DskipTests)
fi
cd "$HERE"
exec "$HERE/.venv/bin/python" -m pytest conformance "$@"
