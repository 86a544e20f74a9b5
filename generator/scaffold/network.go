package scaffold

import (
	"fmt"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/cuecontext"
	"cuelang.org/go/cue/format"
	"cuelang.org/go/cue/token"
)

// besuImage is the Besu release the starter network runs.
const besuImage = "docker.io/hyperledger/besu:24.12.2"

// starterNetwork builds cue/network.cue: one cluster per party on plain Flux, and
// enough validators for BFT (at least 4) with no party above the share the network
// allows. The values are data; the CUE source is printed from its syntax tree.
func starterNetwork(opts Options) ([]byte, error) {
	perParty := 2
	switch {
	case len(opts.Parties) == 1:
		perParty = 4
	case len(opts.Parties) >= 4:
		perParty = 1
	}
	// Each party's validators as a share of all, rounded up: the schema's cap.
	share := max(34, (100*perParty+perParty*len(opts.Parties)-1)/(perParty*len(opts.Parties)))

	parties := map[string]any{}
	clusters := map[string]any{}
	nodes := map[string]any{}
	for i, p := range opts.Parties {
		parties[p.Name] = map[string]any{
			"displayName": p.Name,
			"contact":     "ledger-ops@" + p.Name + ".example",
			"recipients":  []string{p.Recipient},
		}
		if len(p.Reviewers) > 0 {
			parties[p.Name].(map[string]any)["reviewers"] = p.Reviewers
		}
		cluster := p.Name + "-cluster"
		clusters[cluster] = map[string]any{
			"party":    p.Name,
			"provider": "onprem",
			"region":   "westeurope",
			"gitops":   map[string]any{"mode": "flux"},
			"exposure": map[string]any{"mode": "loadbalancer", "dnsSuffix": opts.Name + "." + p.Name + ".example"},
			// A documentation address (RFC 5737) the party replaces with its cluster's
			// egress: the only source the other clusters admit.
			"egressCIDRs": []string{fmt.Sprintf("192.0.2.%d/32", i+1)},
		}
		for v := 1; v <= perParty; v++ {
			nodes[fmt.Sprintf("%s-validator-%d", p.Name, v)] = map[string]any{"role": "validator", "cluster": cluster, "image": besuImage}
		}
		if i == 0 {
			nodes[p.Name+"-rpc-1"] = map[string]any{"role": "rpc", "cluster": cluster, "image": besuImage}
		}
	}
	network := map[string]any{
		"name":       opts.Name,
		"platform":   opts.Platform,
		"chainId":    opts.ChainID,
		"consensus":  map[string]any{"algorithm": opts.Consensus},
		"repository": map[string]any{"url": opts.Repository, "branch": "main"},
		"parties":    parties,
		"clusters":   clusters,
		"nodes":      nodes,
		"compliance": map[string]any{
			"allowedRegistries":        []string{"docker.io"},
			"allowedRegions":           []string{"westeurope"},
			"maxValidatorSharePercent": share,
		},
	}
	value := cuecontext.New().Encode(network)
	if err := value.Err(); err != nil {
		return nil, err
	}
	body, ok := value.Syntax().(*ast.StructLit)
	if !ok {
		return nil, fmt.Errorf("starter network: unexpected syntax %T", value.Syntax())
	}
	body.Elts = append(body.Elts, &ast.Field{Label: ast.NewIdent("identities"), Value: ast.NewIdent("ids")})

	schemaImport := ast.NewImport(nil, "flux-ledger.dev/network/schema")
	idsImport := ast.NewImport(ast.NewIdent("ids"), "flux-ledger.dev/network/identities")
	networkField := &ast.Field{
		Label: ast.NewIdent("network"),
		Value: ast.NewBinExpr(token.AND, ast.NewSel(ast.NewIdent("schema"), "#Network"), body),
	}
	ast.AddComment(networkField, &ast.CommentGroup{Doc: true, List: []*ast.Comment{
		{Text: "// The consortium's network. Change it by pull request; `flux-ledger vet` checks it"},
		{Text: "// and `flux-ledger generate` renders every party's and cluster's directory from it."},
		{Text: "// Before the first launch, each party sets its cluster's provider, region, exposure"},
		{Text: "// and gitops (plain Flux or Azure Arc), and the repository URL below."},
	}})
	file := &ast.File{Decls: []ast.Decl{
		&ast.Package{Name: ast.NewIdent("network")},
		&ast.ImportDecl{Specs: []*ast.ImportSpec{schemaImport, idsImport}},
		networkField,
	}}
	return format.Node(file, format.Simplify())
}
