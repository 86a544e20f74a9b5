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
    kubelet) echo k8s.io/kubernetes/cmd/kubelet ;;
    kustomize-controller) echo github.com/fluxcd/kustomize-controller ;;
    kyverno) echo github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno ;;
    promtool) echo github.com/prometheus/prometheus/cmd/promtool ;;
    prometheus-operator) echo github.com/prometheus-operator/prometheus-operator/cmd/operator ;;
    golangci-lint) echo github.com/golangci/golangci-lint/v2/cmd/golangci-lint ;;
    *) echo "hack/tools/build.sh: unknown tool '$1'" >&2; return 1 ;;
  esac
}

# flux_crds copies the Flux CRDs of the controller releases the tests validate against
# (Arc's Flux 2.7 and the current 2.9: the versions flux2 v2.7.3 and v2.9.5 pin) from their Go module zips into bin/crds/.
flux_crds() {
  local module dir
  for module in \
    github.com/fluxcd/kustomize-controller@v1.7.3 github.com/fluxcd/source-controller@v1.7.3 \
    github.com/fluxcd/helm-controller@v1.4.3 \
    github.com/fluxcd/kustomize-controller@v1.9.5 github.com/fluxcd/source-controller@v1.9.5 \
    github.com/fluxcd/helm-controller@v1.6.4; do
    dir=$(cd "$root" && go mod download -json "$module" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
    [ -n "$dir" ] || { echo "hack/tools/build.sh: cannot download $module" >&2; return 1; }
    mkdir -p "$root/bin/crds/${module##*/}"
    cp "$dir"/config/crd/bases/*.yaml "$root/bin/crds/${module##*/}/"
    chmod u+w "$root/bin/crds/${module##*/}"/*.yaml
  done
}

# prometheus_operator_crds copies the PodMonitor, PrometheusRule and Prometheus CRDs of the
# Prometheus Operator release whose Go API flux-ledger renders with (go.mod:
# prometheus-operator/pkg/apis/monitoring v0.93.1) from that release's module zip into
# bin/crds/, for the tests that dry-run the rendered monitoring objects; and the
# ServiceMonitor and Probe CRDs, which the operator's Prometheus controller also watches
# (pkg/prometheus/server/operator.go: it waits for their informers before it builds a
# StatefulSet), for the test that runs the operator.
prometheus_operator_crds() {
  local module=github.com/prometheus-operator/prometheus-operator@v0.93.1 dir crd
  dir=$(cd "$root" && go mod download -json "$module" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
  [ -n "$dir" ] || { echo "hack/tools/build.sh: cannot download $module" >&2; return 1; }
  mkdir -p "$root/bin/crds/${module##*/}"
  for crd in podmonitors prometheusrules prometheuses servicemonitors probes; do
    cp "$dir/example/prometheus-operator-crd/monitoring.coreos.com_$crd.yaml" "$root/bin/crds/${module##*/}/"
  done
  chmod u+w "$root/bin/crds/${module##*/}"/*.yaml
}

# flux_cli builds the flux CLI (for the plugin test). Its module zip lacks the
# manifests its main package embeds, so the module is copied into the cache, given a
# placeholder manifest, and built there with its own go.mod and replace directives.
flux_cli() {
  local version=v2.9.5 src dir cached
  cached=$cache_root/flux-$version/flux
  if [ ! -x "$cached" ]; then
    echo "building flux $version" >&2
    dir=$(cd "$root" && go mod download -json "github.com/fluxcd/flux2/v2@$version" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
    src=$(mktemp -d "$cache_root/.flux-src.XXXXXX")
    cp -r "$dir/." "$src/"
    chmod -R u+w "$src"
    mkdir -p "$src/cmd/flux/manifests"
    echo "# placeholder: flux install manifests are not needed to run plugins" > "$src/cmd/flux/manifests/placeholder.yaml"
    (cd "$src" && GOFLAGS=-mod=mod go build -trimpath -o "$src/flux.bin" ./cmd/flux)
    mkdir -p "$(dirname "$cached")"
    mv "$src/flux.bin" "$cached"
    rm -rf "$src"
  fi
  ln -sfn "$cached" "$root/bin/flux"
}

# debian_tool links a program of a Debian package into bin/ (the first of the given
# names found): the tests drive Debian's Chromium and Graphviz, not builds of their
# own. When none is found and this runs as root with apt-get (as CI does, on the same
# kind of machine), the package is installed; otherwise the script says what to
# install, and the tests that need the program skip (make test fails them:
# FLUX_LEDGER_REQUIRE_TOOLS=1). Hosted runners that are not root install the package
# with sudo first (.github/workflows, azure-pipelines.yml); their Google Chrome serves
# for Chromium.
debian_tool() {
  local name=$1 package=$2 programs=$3 path=
  find_program() {
    local p
    for p in $programs; do
      path=$(command -v "$p" || true)
      [ -z "$path" ] || return 0
    done
  }
  find_program
  if [ -z "$path" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing Debian's $package (apt-get)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y --no-install-recommends "$package" >&2 ||
      { apt-get update >&2 && apt-get install -y --no-install-recommends "$package" >&2; } || true
    find_program
  fi
  if [ -z "$path" ]; then
    echo "hack/tools/build.sh: ${programs%% *} not found: install Debian's $package (apt-get install $package); until then the tests that need it skip" >&2
    rm -f "$root/bin/$name"
    return 0
  fi
  ln -sfn "$path" "$root/bin/$name"
}

# mermaid_js unpacks the browser bundle of a pinned Mermaid release from the npm
# registry (npm pack checks the tarball against the registry's integrity hash) into the
# cache and links it as bin/mermaid.min.js: the graph tests render the Mermaid that
# flux-ledger writes with the real Mermaid, in Chromium. The 11.x line is what GitHub
# renders.
mermaid_js() {
  local version=11.12.2 cached tmp
  cached=$cache_root/mermaid-$version/mermaid.min.js
  if [ ! -f "$cached" ]; then
    if ! command -v npm >/dev/null; then
      echo "hack/tools/build.sh: npm not found (apt-get install npm): the Mermaid rendering test skips" >&2
      return 0
    fi
    echo "fetching mermaid $version (npm pack)" >&2
    tmp=$(mktemp -d "$cache_root/.mermaid.XXXXXX")
    (cd "$tmp" && npm pack --silent "mermaid@$version" >/dev/null && tar -xzf "mermaid-$version.tgz" package/dist/mermaid.min.js)
    mkdir -p "$(dirname "$cached")"
    mv "$tmp/package/dist/mermaid.min.js" "$cached"
    rm -rf "$tmp"
  fi
  ln -sfn "$cached" "$root/bin/mermaid.min.js"
}

# fabric_protos installs the block decoder of hack/tools/fabric-protos (a node script
# over Fabric's official protobuf definitions, npm @hyperledger/fabric-protos pinned by
# package.json and package-lock.json's integrity hashes, fetched with npm ci) into the
# cache, keyed by those files, and links it as bin/fabric-block-json: the configtx tests
# decode flux-ledger's genesis block and config updates with Fabric's own message types.
fabric_protos() {
  local dir=$root/hack/tools/fabric-protos key cached tmp
  key=$(cat "$dir/package.json" "$dir/package-lock.json" "$dir/decode-block.js" | sha256sum | cut -c1-16)
  cached=$cache_root/fabric-protos-$key
  if [ ! -f "$cached/decode-block.js" ]; then
    if ! command -v npm >/dev/null || ! command -v node >/dev/null; then
      echo "hack/tools/build.sh: node or npm not found (apt-get install nodejs npm): the Fabric block decoding tests skip" >&2
      rm -f "$root/bin/fabric-block-json"
      return 0
    fi
    echo "fetching @hyperledger/fabric-protos (npm ci, cache key $key)" >&2
    tmp=$(mktemp -d "$cache_root/.fabric-protos.XXXXXX")
    cp "$dir/package.json" "$dir/package-lock.json" "$dir/decode-block.js" "$tmp/"
    (cd "$tmp" && npm ci --ignore-scripts --no-audit --no-fund --silent >&2)
    chmod +x "$tmp/decode-block.js"
    rm -rf "$cached"
    mv "$tmp" "$cached"
  fi
  ln -sfn "$cached/decode-block.js" "$root/bin/fabric-block-json"
}

for tool in "$@"; do
  case "$tool" in
    mermaid) mermaid_js; continue ;;
    fabric-protos) fabric_protos; continue ;;
    chromium) debian_tool chromium chromium "chromium google-chrome"; continue ;;
    dot) debian_tool dot graphviz dot; continue ;;
    shellcheck) debian_tool shellcheck shellcheck shellcheck; continue ;;
    # The kubelet test's node (hack/e2e/kubelet): Debian's container runtime and CNI
    # plugins, and the static busybox and bash its images are made of.
    containerd | containerd-shim-runc-v2 | ctr) debian_tool "$tool" containerd "$tool"; continue ;;
    runc) debian_tool runc runc runc; continue ;;
    cni-bridge) debian_tool cni-bridge containernetworking-plugins /usr/lib/cni/bridge; continue ;;
    busybox-static) debian_tool busybox-static busybox-static busybox; continue ;;
    bash-static) debian_tool bash-static bash-static bash-static; continue ;;
  esac
  if [ "$tool" = prometheus-operator-crds ]; then
    prometheus_operator_crds
    continue
  fi
  if [ "$tool" = flux-crds ]; then
    flux_crds
    continue
  fi
  if [ "$tool" = flux ]; then
    flux_cli
    continue
  fi
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
