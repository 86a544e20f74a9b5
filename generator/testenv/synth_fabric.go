package testenv

import "fmt"

// SynthFabricNetwork writes a Fabric network of opts.Parties organisations shaped like the reference
// network (examples/fabric/network.cue): each organisation runs one Raft orderer and
// one peer in a cluster of its own, one channel every organisation joins, one
// chaincode run as a service. Clusters cycle through every provider, GitOps mode and
// exposure mode, as the Besu synthetic networks do (SynthNetwork).
func SynthFabricNetwork(opts SynthOptions) ([]byte, error) {
	n, recipient, edit := opts.Parties, opts.Recipients, opts.Edit
	const (
		orderer = "docker.io/hyperledger/fabric-orderer:2.5.16"
		peer    = "docker.io/hyperledger/fabric-peer:2.5.16"
	)
	clouds := []struct{ provider, mode, exposure string }{
		{"aks", "arc", "loadbalancer"}, {"eks", "arc", "haproxy"}, {"gke", "flux", "istio"},
		{"onprem", "flux", "ambassador"}, {"arc-connected", "arc", "loadbalancer"},
	}
	regions := []string{"westeurope", "northeurope", "eu-central-1", "europe-west3"}
	parties, clusters, nodes := map[string]any{}, map[string]any{}, map[string]any{}
	for i := range n {
		party := fmt.Sprintf("o%04d", i)
		cloud := clouds[i%len(clouds)]
		parties[party] = map[string]any{
			"displayName": "Organisation " + party, "contact": "ops@" + party + ".example",
			"recipients": []string{recipient(party)}, "reviewers": []string{"@ops-" + party},
		}
		cluster := party + "-" + cloud.provider
		gitops := map[string]any{"mode": cloud.mode}
		if cloud.mode == "arc" {
			gitops["arc"] = map[string]any{
				"subscription": "3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b", "resourceGroup": "rg-" + party,
				"clusterName": cluster, "clusterKind": "connectedClusters",
			}
		}
		clusters[cluster] = map[string]any{
			"party": party, "provider": cloud.provider, "region": regions[i%len(regions)],
			"gitops": gitops, "exposure": map[string]any{"mode": cloud.exposure, "dnsSuffix": party + ".example"},
			"egressCIDRs": []string{fmt.Sprintf("10.%d.%d.0/24", i/256%256, i%256)},
		}
		nodes[party+"-orderer-1"] = map[string]any{"role": "orderer", "cluster": cluster, "image": orderer}
		nodes[party+"-peer-1"] = map[string]any{"role": "peer", "cluster": cluster, "image": peer}
	}
	network := map[string]any{
		"name": "synth", "platform": "fabric",
		"consensus": map[string]any{"algorithm": "etcdraft"},
		"fabric": map[string]any{
			"version": "2.5",
			"images":  map[string]any{"tools": "docker.io/hyperledger/fabric-tools:2.5.16", "couchdb": "docker.io/library/couchdb:3.3.3"},
			"channels": map[string]any{"trade": map[string]any{"chaincodes": map[string]any{"asset-transfer": map[string]any{
				"image": "ghcr.io/contoso/asset-transfer:1.0.0", "version": "1.0.0", "sequence": 1, "committer": "o0000",
			}}}},
		},
		"repository": map[string]any{"url": "https://git.example.com/synth.git"},
		"parties":    parties, "clusters": clusters, "nodes": nodes,
		"compliance": map[string]any{"allowedRegistries": []string{"docker.io", "ghcr.io"}, "allowedRegions": regions},
	}
	if edit != nil {
		edit(network)
	}
	return networkFile(network, "identities", "msp")
}
