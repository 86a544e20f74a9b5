package testenv

import (
	"fmt"
	"testing"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/cuecontext"
	"cuelang.org/go/cue/format"
)

// SynthOptions shape a synthetic network.
type SynthOptions struct {
	Parties int
	// Recipients supplies each party's age recipient (called once per party, in order).
	Recipients func(party string) string
	// Edit changes the network before it is written (e.g. one node's resources).
	Edit func(network map[string]any)
	// Peering is the Besu network's peering mode ("" leaves the schema's default,
	// mesh).
	Peering string
}

var synthClouds = []struct{ provider, mode, exposure string }{
	{"aks", "arc", "loadbalancer"},
	{"eks", "arc", "haproxy"},
	{"gke", "arc", "istio"},
	{"onprem", "flux", "ambassador"},
	// Not "none": a node reachable only inside its cluster cannot peer across clusters.
	{"arc-connected", "arc", "loadbalancer"},
}

// SynthNetwork writes a valid network of n parties with 4 nodes each (two validators,
// a member and an RPC node), spread over every provider, GitOps mode and exposure
// mode, as the content of a network.cue. It is built as data and printed with CUE's
// formatter.
func SynthNetwork(opts SynthOptions) ([]byte, error) {
	parties := map[string]any{}
	clusters := map[string]any{}
	nodes := map[string]any{}
	regions := []string{"westeurope", "northeurope", "eu-central-1", "europe-west3"}
	for i := 0; i < opts.Parties; i++ {
		party := fmt.Sprintf("p%04d", i)
		cloud := synthClouds[i%len(synthClouds)]
		parties[party] = map[string]any{
			"displayName": "Party " + party,
			"contact":     "ops@" + party + ".example",
			"recipients":  []string{opts.Recipients(party)},
			"reviewers":   []string{"ops@" + party + ".example"},
		}
		cluster := party + "-" + cloud.provider
		gitops := map[string]any{"mode": cloud.mode}
		if cloud.mode == "arc" {
			gitops["arc"] = map[string]any{
				"subscription": "3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b", "resourceGroup": "rg-" + party,
				"clusterName": cluster, "clusterKind": "connectedClusters",
			}
		}
		exposure := map[string]any{"mode": cloud.exposure}
		if cloud.exposure != "none" {
			exposure["dnsSuffix"] = party + ".example"
		}
		clusters[cluster] = map[string]any{
			"party": party, "provider": cloud.provider, "region": regions[i%len(regions)],
			"gitops": gitops, "exposure": exposure,
			"egressCIDRs": []string{fmt.Sprintf("10.%d.%d.0/24", i/256%256, i%256)},
		}
		for j, role := range []string{"validator", "validator", "member", "rpc"} {
			nodes[fmt.Sprintf("%s-%s-%d", party, role, j)] = map[string]any{
				"role": role, "cluster": cluster, "image": "docker.io/hyperledger/besu:24.12.2",
				"ports": map[string]any{"p2p": 30303 + j},
			}
		}
	}
	network := map[string]any{
		"name":       "synth",
		"platform":   "besu",
		"chainId":    4242,
		"consensus":  map[string]any{"algorithm": "qbft"},
		"repository": map[string]any{"url": "https://git.example.com/synth.git"},
		"parties":    parties,
		"clusters":   clusters,
		"nodes":      nodes,
		"compliance": map[string]any{
			"allowedRegistries":        []string{"docker.io"},
			"allowedRegions":           regions,
			"maxValidatorSharePercent": 34,
		},
	}
	if opts.Peering != "" {
		network["peering"] = map[string]any{"mode": opts.Peering}
	}
	if opts.Edit != nil {
		opts.Edit(network)
	}
	return networkFile(network, "identities")
}

// packageAliases are the names network.cue imports the public material packages as.
var packageAliases = map[string]string{"identities": "ids", "msp": "orgs"}

// networkFile prints network as the content of a network.cue: the value under
// #Network, with a field per package of public material (identities, msp) that
// takes its value from that package, imported.
func networkFile(network map[string]any, packages ...string) ([]byte, error) {
	value := cuecontext.New().Encode(network)
	if err := value.Err(); err != nil {
		return nil, err
	}
	body, ok := value.Syntax().(*ast.StructLit)
	if !ok {
		return nil, fmt.Errorf("encoded network is not a struct")
	}
	imports := []*ast.ImportSpec{ast.NewImport(nil, "flux-ledger.dev/network/schema")}
	for _, pkg := range packages {
		alias := packageAliases[pkg]
		body.Elts = append(body.Elts, &ast.Field{Label: ast.NewIdent(pkg), Value: ast.NewIdent(alias)})
		imports = append(imports, ast.NewImport(ast.NewIdent(alias), "flux-ledger.dev/network/"+pkg))
	}
	file := &ast.File{Decls: []ast.Decl{
		&ast.Package{Name: ast.NewIdent("network")},
		&ast.ImportDecl{Specs: imports},
		&ast.Field{
			Label: ast.NewIdent("network"),
			Value: ast.NewBinExpr(tokenAnd, ast.NewSel(ast.NewIdent("schema"), "#Network"), body),
		},
	}}
	return format.Node(file)
}

// Synth is SynthNetwork for a test: n parties, each with a fresh age recipient of its
// own (the schema refuses a recipient shared by two parties).
func Synth(t testing.TB, parties int) string {
	t.Helper()
	src, err := SynthNetwork(SynthOptions{Parties: parties, Recipients: func(string) string {
		id, _ := AgeKey(t)
		return id.Recipient().String()
	}})
	if err != nil {
		t.Fatal(err)
	}
	return string(src)
}
