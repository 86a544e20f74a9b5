package scaffold

import (
	"fmt"
	"strconv"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/cuecontext"
	"cuelang.org/go/cue/format"
	"cuelang.org/go/cue/token"
)

// besuImage is the Besu release the Besu starter network runs.
const besuImage = "docker.io/hyperledger/besu:24.12.2"

// The Fabric release the Fabric starter runs: Fabric 2.5 LTS, the release whose
// orderers and peers flux-ledger's Fabric output was checked against (v2.5.16, like
// examples/fabric/network.cue), and the CouchDB of that example.
const (
	fabricOrdererImage = "docker.io/hyperledger/fabric-orderer:2.5.16"
	fabricPeerImage    = "docker.io/hyperledger/fabric-peer:2.5.16"
	fabricToolsImage   = "docker.io/hyperledger/fabric-tools:2.5.16"
	couchDBImage       = "docker.io/library/couchdb:3.3.3"
)

// starterNetwork builds cue/network.cue for the platform: one cluster per party on
// plain Flux, and the nodes the platform's consensus needs to tolerate a node down.
// The values are data; the CUE source is printed from its syntax tree.
func starterNetwork(opts Options) ([]byte, error) {
	parties, clusters := starterPartiesAndClusters(opts)
	network := map[string]any{
		"name":       opts.Name,
		"platform":   opts.Platform,
		"repository": map[string]any{"url": opts.Repository, "branch": "main"},
		"parties":    parties,
		"clusters":   clusters,
	}
	imports := []*ast.ImportSpec{
		ast.NewImport(nil, "flux-ledger.dev/network/schema"),
		ast.NewImport(ast.NewIdent("ids"), "flux-ledger.dev/network/identities"),
	}
	refs := []*ast.Field{{Label: ast.NewIdent("identities"), Value: ast.NewIdent("ids")}}
	doc := []string{
		"// The consortium's network. Change it by pull request; `flux-ledger vet` checks it",
		"// and `flux-ledger generate` renders every party's and cluster's directory from it.",
		"// Before the first launch, each party sets its cluster's provider, region, exposure",
		"// and gitops (plain Flux or Azure Arc), and the repository URL below.",
	}
	switch opts.Platform {
	case "fabric":
		fabricStarter(opts, network)
		imports = append(imports, ast.NewImport(ast.NewIdent("orgs"), "flux-ledger.dev/network/msp"))
		refs = append(refs, &ast.Field{Label: ast.NewIdent("msp"), Value: ast.NewIdent("orgs")})
		doc = append(doc,
			"// Set each cluster's exposure.dnsSuffix before `flux-ledger keys init`: every node's",
			"// TLS certificate names its endpoint under it.",
			"// Chaincodes run as a service beside every member's peers: add one to the channel, e.g.",
			"//   fabric: channels: "+strconv.Quote(channelName(opts.Name))+": chaincodes: \"asset-transfer\": {",
			"//     image: \"docker.io/<org>/asset-transfer:1.0.0\", version: \"1.0.0\", sequence: 1}")
	default:
		besuStarter(opts, network)
	}

	value := cuecontext.New().Encode(network)
	if err := value.Err(); err != nil {
		return nil, err
	}
	body, ok := value.Syntax().(*ast.StructLit)
	if !ok {
		return nil, fmt.Errorf("starter network: unexpected syntax %T", value.Syntax())
	}
	for _, f := range refs {
		body.Elts = append(body.Elts, f)
	}
	networkField := &ast.Field{
		Label: ast.NewIdent("network"),
		Value: ast.NewBinExpr(token.AND, ast.NewSel(ast.NewIdent("schema"), "#Network"), body),
	}
	comments := &ast.CommentGroup{Doc: true}
	for _, line := range doc {
		comments.List = append(comments.List, &ast.Comment{Text: line})
	}
	ast.AddComment(networkField, comments)
	file := &ast.File{Decls: []ast.Decl{
		&ast.Package{Name: ast.NewIdent("network")},
		&ast.ImportDecl{Specs: imports},
		networkField,
	}}
	return format.Node(file, format.Simplify())
}

// starterPartiesAndClusters are the founding parties and one cluster each, with the
// placeholders only the consortium can replace (load's placeholder warnings name
// them, and launch refuses them): a contact and a DNS suffix under the reserved
// .example (RFC 2606), and a documentation egress address (RFC 5737).
func starterPartiesAndClusters(opts Options) (parties, clusters map[string]any) {
	parties, clusters = map[string]any{}, map[string]any{}
	for i, p := range opts.Parties {
		party := map[string]any{
			"displayName": p.Name,
			"contact":     "ledger-ops@" + p.Name + ".example",
			"recipients":  []string{p.Recipient},
		}
		if len(p.Reviewers) > 0 {
			party["reviewers"] = p.Reviewers
		}
		parties[p.Name] = party
		clusters[clusterName(p.Name)] = map[string]any{
			"party":    p.Name,
			"provider": "onprem",
			"region":   "westeurope",
			"gitops":   map[string]any{"mode": "flux"},
			"exposure": map[string]any{"mode": "loadbalancer", "dnsSuffix": opts.Name + "." + p.Name + ".example"},
			// The cluster's egress as the others see it: the only source their
			// clusters admit to the nodes' ports.
			"egressCIDRs": []string{fmt.Sprintf("192.0.2.%d/32", i+1)},
		}
	}
	return parties, clusters
}

func clusterName(party string) string { return party + "-cluster" }

// besuStarter adds a Besu network's chain, nodes and compliance: enough validators
// for BFT (at least 4) with no party above the share the network allows, and an RPC
// node at the first party.
func besuStarter(opts Options, network map[string]any) {
	perParty := 2
	switch {
	case len(opts.Parties) == 1:
		perParty = 4
	case len(opts.Parties) >= 4:
		perParty = 1
	}
	// Each party's validators as a share of all, rounded up: the schema's cap.
	share := max(34, (100*perParty+perParty*len(opts.Parties)-1)/(perParty*len(opts.Parties)))
	nodes := map[string]any{}
	for i, p := range opts.Parties {
		for v := 1; v <= perParty; v++ {
			nodes[fmt.Sprintf("%s-validator-%d", p.Name, v)] = map[string]any{"role": "validator", "cluster": clusterName(p.Name), "image": besuImage}
		}
		if i == 0 {
			nodes[p.Name+"-rpc-1"] = map[string]any{"role": "rpc", "cluster": clusterName(p.Name), "image": besuImage}
		}
	}
	network["chainId"] = opts.ChainID
	network["consensus"] = map[string]any{"algorithm": opts.Consensus}
	network["nodes"] = nodes
	network["compliance"] = map[string]any{
		"allowedRegistries":        []string{"docker.io"},
		"allowedRegions":           []string{"westeurope"},
		"maxValidatorSharePercent": share,
	}
}

// fabricStarter adds a Fabric network's orderers, peers, channel and compliance,
// modelled on examples/fabric/network.cue: Raft (etcdraft) on Fabric 2.5 LTS, one
// peer per party (every channel member needs one), and at least three orderers, the
// fewest with which Raft keeps ordering while one is down (the schema's
// raftConsenters). One party runs all three; two parties run two and one; three or
// more run one each. One channel named after the network, whose members default to
// every party and consenters to every orderer; no chaincode yet.
func fabricStarter(opts Options, network map[string]any) {
	orderers := make([]int, len(opts.Parties))
	for k := 0; k < max(3, len(opts.Parties)); k++ {
		orderers[k%len(opts.Parties)]++
	}
	nodes := map[string]any{}
	for i, p := range opts.Parties {
		for o := 1; o <= orderers[i]; o++ {
			nodes[fmt.Sprintf("%s-orderer-%d", p.Name, o)] = map[string]any{"role": "orderer", "cluster": clusterName(p.Name), "image": fabricOrdererImage}
		}
		nodes[p.Name+"-peer-1"] = map[string]any{"role": "peer", "cluster": clusterName(p.Name), "image": fabricPeerImage}
	}
	network["consensus"] = map[string]any{"algorithm": opts.Consensus}
	network["fabric"] = map[string]any{
		"version":  "2.5",
		"images":   map[string]any{"tools": fabricToolsImage, "couchdb": couchDBImage},
		"channels": map[string]any{channelName(opts.Name): map[string]any{}},
	}
	network["nodes"] = nodes
	network["compliance"] = map[string]any{
		"allowedRegistries": []string{"docker.io"},
		"allowedRegions":    []string{"westeurope"},
	}
}

// channelName is the starter's channel: the network's name, which is a DNS label,
// prefixed when it starts with a digit (a Fabric channel name starts with a letter:
// the schema's #Channel.name).
func channelName(network string) string {
	if network != "" && network[0] >= 'a' && network[0] <= 'z' {
		return network
	}
	return "ch-" + network
}
