#!/usr/bin/env bash
# Builds one pinned external tool and links it into bin/.
#
# Each tool is its own Go module under hack/tools/<tool>/ (so one tool's replace
# directives never leak into another's, or into the project). Builds are slow cold, so
# the binary is cached per user, keyed by the tool module's go.mod and go.sum: a clean
# clone on a machine that built the same pins once only makes a link.
#
# usage: hack/tools/build.sh <tool> [<tool>...]
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cache_root=${XDG_CACHE_HOME:-$HOME/.cache}/flux-ledger/tools
mkdir -p "$root/bin" "$cache_root"

main_package() {
  case "$1" in
    cue) echo cuelang.org/go/cmd/cue ;;
    sops) echo github.com/getsops/sops/v3/cmd/sops ;;
    etcd) echo go.etcd.io/etcd/server/v3 ;;
    kube-apiserver) echo k8s.io/kubernetes/cmd/kube-apiserver ;;
    *) echo "hack/tools/build.sh: unknown tool '$1'" >&2; return 1 ;;
  esac
}

for tool in "$@"; do
  pkg=$(main_package "$tool")
  dir=$root/hack/tools/$tool
  key=$(cat "$dir/go.mod" "$dir/go.sum" | sha256sum | cut -c1-16)
  cached=$cache_root/$tool-$key/$tool
  if [ ! -x "$cached" ]; then
    echo "building $tool ($pkg, cache key $key)" >&2
    tmp=$(mktemp -d "$cache_root/.build-$tool.XXXXXX")
    (cd "$dir" && GOFLAGS=-mod=mod go build -trimpath -o "$tmp/$tool" "$pkg")
    mkdir -p "$(dirname "$cached")"
    mv "$tmp/$tool" "$cached"
    rmdir "$tmp"
  fi
  ln -sfn "$cached" "$root/bin/$tool"
done
