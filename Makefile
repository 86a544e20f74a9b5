# flux-ledger — run `make help` for the targets.

GO        ?= go
BIN       := $(CURDIR)/bin
# The kubelet test's node: the pinned kubelet, Debian's containerd, runc and CNI plugins,
# and the static busybox and bash its images are made of.
NODE_TOOLS := kubelet containerd containerd-shim-runc-v2 ctr runc cni-bridge busybox-static bash-static
TOOLS     := cue sops etcd kube-apiserver kustomize-controller kyverno promtool prometheus-operator golangci-lint flux flux-crds prometheus-operator-crds chromium dot shellcheck mermaid fabric-protos $(NODE_TOOLS)
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT    ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
LDFLAGS   := -X main.version=$(VERSION) -X main.commit=$(COMMIT)

.PHONY: help docs lint build tools vet generate check test test-repeat e2e e2e-kubelet bench example-fabric plugin plugin-manifest clean

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

# Built as the release archives are: without cgo (nothing needs it; go-ethereum's
# secp256k1 has a pure-Go fallback) and without debug information. On a cold build
# cache (2 cores) that took the compile from 170 s to 104 s: libsecp256k1 and the
# standard library's cgo parts, and DWARF for 1,470 packages, were a third of it.
docs: ## rewrite docs/cli/, the command reference, from the commands' help
	rm -rf docs/cli
	$(GO) run ./cmd/flux-ledger docgen --dir docs/cli

build: ## build bin/flux-ledger
	CGO_ENABLED=0 $(GO) build -gcflags=all=-dwarf=false -ldflags '$(LDFLAGS) -s -w' -o $(BIN)/flux-ledger ./cmd/flux-ledger

tools: ## build the pinned external CLIs the tests run into bin/ (cached per user)
	hack/tools/build.sh $(TOOLS)

# The main commands build only what they run, never the test tools: `make generate`
# builds flux-ledger alone (its vet enforces every rule cue vet does); `make vet` also
# builds the cue CLI to check the module with it.
vet: build ## validate the reference network with the real cue CLI and flux-ledger
	hack/tools/build.sh cue
	cd cue && $(BIN)/cue vet -c ./...
	$(BIN)/flux-ledger vet cue

generate: build ## validate and render the network: parties/, clusters/, .sops.yaml
	$(BIN)/flux-ledger vet cue
	$(BIN)/flux-ledger generate

check: vet ## fail if the committed generated tree is out of date (the CI drift check)
	$(BIN)/flux-ledger generate --check

# The plugin is released for PLATFORMS, and what the code calls of the OS differs
# between them (syncfs(2) is Linux's alone): lint builds flux-ledger for one
# architecture of every other OS released.
CROSS_CHECK ?= darwin/arm64

# golangci-lint runs the linters .golangci.yml names over the whole module, the e2e
# tests included (its run.build-tags).
lint: tools ## go vet, gofmt, golangci-lint and shellcheck over the tree, and the release builds of other OSes (also part of make test)
	$(GO) vet ./...
	for p in $(CROSS_CHECK); do CGO_ENABLED=0 GOOS=$${p%/*} GOARCH=$${p#*/} $(GO) build -o /dev/null ./cmd/flux-ledger || exit 1; done
	$(GO) vet -tags e2e ./hack/e2e/...
	@unformatted=$$(gofmt -l cmd generator hack); [ -z "$$unformatted" ] || { echo "not gofmt'ed: $$unformatted"; exit 1; }
	$(BIN)/golangci-lint run ./...
	FLUX_LEDGER_REQUIRE_TOOLS=1 $(GO) test -count=1 -run TestShellScriptsPassShellcheck ./generator/

test: tools build ## run every test with the real external tools, then the e2e test
	$(MAKE) lint
	FLUX_LEDGER_REQUIRE_TOOLS=1 $(GO) test -count=1 -timeout 30m ./...
	$(MAKE) e2e

test-repeat: tools build ## flake hunt: every package REPEAT=10 times, the e2e E2E_REPEAT=5 times, beside HOG=1 CPU hog
	hack/test-repeat.sh

e2e: tools ## three parties, three kube-apiservers, real kustomize-controllers; then pods on a real kubelet
	FLUX_LEDGER_REQUIRE_TOOLS=1 $(GO) test -tags e2e -count=1 -timeout 20m -v -run TestConsortium ./hack/e2e/
	$(MAKE) e2e-kubelet

# Needs root (containerd, runc, cgroups, a bridge), as make tools does for its Debian
# packages.
e2e-kubelet: ## a real kubelet, containerd and runc run the rendered pods (root)
	hack/tools/build.sh etcd kube-apiserver sops $(NODE_TOOLS)
	FLUX_LEDGER_REQUIRE_TOOLS=1 $(GO) test -tags e2e -count=1 -timeout 10m -v ./hack/e2e/kubelet/

# The Fabric reference network, rendered apart from this repository's own (Besu) one:
# its CUE module is the schema plus examples/fabric/network.cue; keys are sealed to the
# example's recipients, whose private halves nobody has.
EXAMPLE := build/example-fabric
example-fabric: build ## render the Fabric reference network (examples/fabric) into build/example-fabric
	rm -rf $(EXAMPLE) && mkdir -p $(EXAMPLE)/cue/identities $(EXAMPLE)/cue/msp
	cp -R cue/cue.mod cue/schema $(EXAMPLE)/cue/
	cp cue/identities/doc.cue $(EXAMPLE)/cue/identities/ && cp cue/msp/doc.cue $(EXAMPLE)/cue/msp/
	cp examples/fabric/network.cue $(EXAMPLE)/cue/
	cd $(EXAMPLE) && $(BIN)/flux-ledger keys init --all >/dev/null && $(BIN)/flux-ledger generate >/dev/null \
	  && $(BIN)/flux-ledger launch --allow-placeholders && $(BIN)/flux-ledger generate

BENCH_SIZES        ?= 3,30,300,3000
BENCH_FABRIC_SIZES ?= 30,300

bench: build ## measure vet/generate on synthetic Besu and Fabric networks, check the goals (bench/results.json)
	hack/tools/build.sh cue
	$(GO) run ./hack/bench -bin $(BIN) -out bench -sizes $(BENCH_SIZES) -fabric-sizes '$(BENCH_FABRIC_SIZES)'
	$(GO) test -run '^$$' -bench . -benchmem ./generator/...

PLUGINS   ?= $(or $(FLUXCD_PLUGINS),$(HOME)/.fluxcd/plugins)
PLATFORMS ?= linux/amd64 linux/arm64 darwin/amd64 darwin/arm64
PLUGIN_URL ?= https://github.com/flux-ledger/flux-ledger/releases/download/$(VERSION)

plugin: build ## install flux-ledger as the Flux CLI plugin `flux ledger` ($$FLUXCD_PLUGINS or ~/.fluxcd/plugins)
	mkdir -p $(PLUGINS)
	install -m 0755 $(BIN)/flux-ledger $(PLUGINS)/flux-ledger

plugin-manifest: ## build release archives for PLATFORMS into dist/ and write dist/plugin.yaml
	rm -rf dist && mkdir -p dist
	for p in $(PLATFORMS); do \
	  os=$${p%/*}; arch=$${p#*/}; dir=dist/flux-ledger_$${os}_$${arch}; mkdir -p $$dir; \
	  CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -gcflags=all=-dwarf=false -ldflags '$(LDFLAGS) -s -w' -o $$dir/flux-ledger ./cmd/flux-ledger && \
	  tar -C $$dir -czf dist/flux-ledger_$(VERSION)_$${os}_$${arch}.tar.gz flux-ledger || exit 1; \
	done
	$(GO) run ./hack/plugin-manifest -version $(VERSION) -url $(PLUGIN_URL) -out dist/plugin.yaml dist/*.tar.gz

clean: ## remove build outputs (the per-user tool cache stays)
	rm -rf $(BIN) bench dist build
