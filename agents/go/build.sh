#!/usr/bin/env bash
# Builds the Go agents: generates the gRPC stubs from the repository's proto/ into gen/ (with buf and
# the pinned protoc-gen-go / protoc-gen-go-grpc plugins, installed by `go install` into .bin/), then
# builds bin/go-echo. Idempotent; nothing it makes is committed.
#
#   agents/go/build.sh            stubs + bin/go-echo
#   agents/go/build.sh --gen-only stubs only
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
TOOLS="${MESHWORK_TOOLS:-$HOME/.cache/meshwork/bin}"

PROTOC_GEN_GO_VERSION=v1.36.12      # matches google.golang.org/protobuf in go.mod
PROTOC_GEN_GO_GRPC_VERSION=v1.6.2
BUF_VERSION=v1.75.0                 # the version ./mesh tools installs

say() { printf 'agents/go: %s\n' "$*"; }
command -v go >/dev/null || { echo "agents/go: go not found (need Go 1.24+)" >&2; exit 1; }

install_tool() { # install_tool <dir> <binary> <package> <version>
  local dir=$1 bin=$2 pkg=$3 version=$4 stamp="$1/.$2.version"
  if [[ -x "$dir/$bin" && "$(cat "$stamp" 2>/dev/null)" == "$version" ]]; then return 0; fi
  say "installing $bin $version (go install)"
  mkdir -p "$dir"
  GOBIN="$dir" GOFLAGS=-mod=mod go install "$pkg@$version"
  echo "$version" >"$stamp"
}

install_tool "$HERE/.bin" protoc-gen-go google.golang.org/protobuf/cmd/protoc-gen-go "$PROTOC_GEN_GO_VERSION"
install_tool "$HERE/.bin" protoc-gen-go-grpc google.golang.org/grpc/cmd/protoc-gen-go-grpc "$PROTOC_GEN_GO_GRPC_VERSION"
if [[ -x "$TOOLS/buf" ]]; then
  BUF="$TOOLS/buf"
elif command -v buf >/dev/null; then
  BUF="$(command -v buf)"
else
  install_tool "$TOOLS" buf github.com/bufbuild/buf/cmd/buf "$BUF_VERSION"
  BUF="$TOOLS/buf"
fi

# registry.proto imports google/api/annotations.proto: the proto module's Maven build unpacks it
# (with http.proto) into proto/target/third_party, which proto/buf.yaml lists as a module.
if [[ ! -f "$ROOT/proto/target/third_party/google/api/annotations.proto" ]]; then
  say "unpacking google/api protos (mvn -pl proto generate-sources)"
  (cd "$ROOT" && mvn -B -q -pl proto generate-sources)
fi

# Generate into a fresh directory, swapped in at the end (a failed run leaves the old stubs).
cd "$HERE"
rm -rf .gen.tmp
"$BUF" generate "$ROOT/proto" --template buf.gen.yaml --path "$ROOT/proto/meshwork" -o .gen.tmp
rm -rf gen && mv .gen.tmp/gen gen && rm -rf .gen.tmp
say "stubs generated in $HERE/gen"

if [[ "${1:-}" != "--gen-only" ]]; then
  go build -o bin/go-echo ./cmd/go-echo
  say "built $HERE/bin/go-echo"
fi
