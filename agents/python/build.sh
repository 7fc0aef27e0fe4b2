#!/usr/bin/env bash
# Builds the Python agents: a virtualenv with the pinned requirements (.venv/, installed only when
# requirements.txt changes) and the gRPC stubs generated from the repository's proto/ contracts with
# grpcio-tools (gen/, regenerated on every run: it takes a second). Nothing it makes is committed.
#
# After it, `agents/python/.venv/bin/python -m py_echo` runs the sample agent from any directory:
# a .pth file puts agents/python and agents/python/gen on the venv's import path.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
VENV="$HERE/.venv"
PY="$VENV/bin/python"
GEN="$HERE/gen"
PROTOS=(
  meshwork/common/v1/common.proto
  meshwork/agent/v1/agent.proto
  meshwork/registry/v1/registry.proto
)

say() { printf 'agents/python: %s\n' "$*"; }

# 1. The virtualenv, with the pinned requirements (idempotent: a stamp holds their hash).
python3 -c 'import sys; sys.exit(sys.version_info < (3, 9))' \
  || { echo "agents/python: need Python 3.9+ (found $(python3 --version 2>&1))" >&2; exit 1; }
if [[ -x "$PY" ]] && ! "$PY" -c 'import sys' 2>/dev/null; then
  say "$VENV is broken (made by another Python?); recreating it"
  rm -rf "$VENV"
fi
if [[ ! -x "$PY" ]]; then
  say "creating $VENV"
  python3 -m venv "$VENV"
fi
want=$(sha256sum "$HERE/requirements.txt" | cut -d' ' -f1)
if [[ "$(cat "$VENV/.requirements.sha256" 2>/dev/null)" != "$want" ]]; then
  say "installing requirements.txt into .venv"
  "$PY" -m pip install -q --disable-pip-version-check -r "$HERE/requirements.txt"
  echo "$want" >"$VENV/.requirements.sha256"
fi

# 2. google/api/{annotations,http}.proto, imported by registry.proto: the proto module's Maven build
#    unpacks them into proto/target/third_party; without it, take the same files from the
#    googleapis-common-protos package (which also provides their Python modules at run time).
third_party="$ROOT/proto/target/third_party"
if [[ ! -f "$third_party/google/api/annotations.proto" ]]; then
  third_party="$HERE/gen.third_party.tmp"
  rm -rf "$third_party" && mkdir -p "$third_party/google/api"
  api_dir=$("$PY" -c 'import os; from google.api import annotations_pb2; print(os.path.dirname(annotations_pb2.__file__))')
  cp "$api_dir/annotations.proto" "$api_dir/http.proto" "$third_party/google/api/"
fi

# 3. The stubs, into a fresh directory swapped in at the end (a failed run leaves the old ones).
tmp="$GEN.tmp"
rm -rf "$tmp" && mkdir -p "$tmp"
(cd "$ROOT/proto" && "$PY" -m grpc_tools.protoc -I . -I "$third_party" \
  --python_out="$tmp" --grpc_python_out="$tmp" --pyi_out="$tmp" "${PROTOS[@]}")
rm -rf "$GEN" && mv "$tmp" "$GEN"
rm -rf "$HERE/gen.third_party.tmp"

# 4. Import path: the SDK, the sample agent and the stubs.
site=$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
printf '%s\n%s\n' "$HERE" "$GEN" >"$site/meshwork-agents.pth"
say "stubs generated in $GEN"
