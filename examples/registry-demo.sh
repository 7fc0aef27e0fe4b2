#!/usr/bin/env bash
# The registry at work: an agent registers under its own identity, a client finds it by skill,
# watches it, and sees it leave. Run by `./mesh demo` against a running mesh.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="${MESHWORK_DATA_DIR:-$ROOT/.data}"
export PATH="${MESHWORK_TOOLS:-$HOME/.cache/meshwork/bin}:$PATH"
C="$DATA/certs"
as() { local who=$1; shift; grpcurl -cacert "$C/ca.crt" -cert "$C/$who.crt" -key "$C/$who.key" "$@"; }

echo "== agent/text registers an instance serving text.keywords"
id=$(as agent/text -d '{"card": {"name": "text", "version": "1.0.0", "description": "demo",
      "skills": [{"id": "text.keywords", "name": "Keywords"}]},
      "endpoint": {"host": "127.0.0.1", "port": 7199}, "lease_ttl": "10s"}' \
  localhost:7001 meshwork.registry.v1.RegistryService/RegisterAgent | sed -n 's/.*"instance_id": "\(.*\)".*/\1/p' | head -1)
echo "   instance $id"

echo "== client/dev finds instances by skill"
as client/dev -d '{"filter": {"skill_id": "text.keywords"}}' \
  localhost:7001 meshwork.registry.v1.RegistryService/ListAgentInstances

echo "== client/dev watches; agent/text deregisters"
as client/dev -max-time 3 -d '{"filter": {"agent_name": "text"}}' \
  localhost:7001 meshwork.registry.v1.RegistryService/WatchAgentInstances >"$DATA/demo-watch.json" 2>&1 &
sleep 1
as agent/text -d "{\"instance_id\": \"$id\"}" localhost:7001 meshwork.registry.v1.RegistryService/DeregisterAgent
wait || true
grep -E '"type"|"removalReason"' "$DATA/demo-watch.json" || true
echo "== done: see ./mesh status, ./mesh logs registry"
