// Package statustest builds status reports for tests of what reads them: the text
// table and the dashboard are both held to staying readable at the network size the
// project promises (issue #29: 40 parties).
package statustest

import (
	"fmt"

	"github.com/flux-ledger/flux-ledger/generator/status"
)

// FortyParties is a synthetic report of 40 parties, every third with a second
// cluster (53 clusters): party-07 unreachable, party-13 not configured, party-21
// failing on a policy and a Kustomization, party-30 behind HEAD, the rest Ready. Each
// party has an RPC node (party-13's unreadable, party-30's 5 blocks behind, one
// pending validator change most parties have not voted on, party-07's validator
// silent for two rounds, party-21's node not telling who proposed) and a Fabric peer (one
// unreadable, one not shared, one behind), and one channel of 12 members.
func FortyParties() *status.Report {
	const head = "main@sha1:0123456789abcdef0123456789abcdef01234567"
	r := &status.Report{Head: "0123456789abcdef0123456789abcdef01234567"}
	ready := func(name string) status.Kustomization {
		return status.Kustomization{Name: name, State: status.StateReady, Revision: head, Behind: 0}
	}
	var desired, onChain []status.Member
	for i := 1; i <= 40; i++ {
		party := fmt.Sprintf("party-%02d", i)
		m := status.Member{Address: fmt.Sprintf("0x%040x", i), Node: party + "-validator-1", Party: party}
		desired = append(desired, m)
		if i != 40 {
			onChain = append(onChain, m)
		}
	}
	notVoted := map[string][]string{}
	for i := 3; i < 40; i++ {
		party := fmt.Sprintf("party-%02d", i)
		notVoted[party] = []string{party + "-validator-1"}
	}
	for i := 1; i <= 40; i++ {
		party := fmt.Sprintf("party-%02d", i)
		clusters := []string{party + "-aks-westeurope"}
		if i%3 == 0 {
			clusters = append(clusters, party+"-eks-eu-central-1")
		}
		for _, name := range clusters {
			c := status.Cluster{Cluster: name, Party: party, Context: name, State: status.StateReady,
				Kustomizations: []status.Kustomization{ready("infrastructure"), ready("ledger"), ready("monitoring")},
				Nodes:          []status.Node{{Name: party + "-validator-1", Ready: 1, Want: 1}, {Name: party + "-rpc-1", Ready: 1, Want: 1}},
				Policies:       &status.Policies{Pass: 24}}
			switch i {
			case 7:
				c = status.Cluster{Cluster: name, Party: party, Context: name, State: status.StateUnreachable,
					Error:          fmt.Sprintf("no answer from 192.0.2.%d:6443 within 10s (context %s; raise --timeout for slow links)", i, name),
					Kustomizations: []status.Kustomization{}, Nodes: []status.Node{}}
			case 13:
				c = status.Cluster{Cluster: name, Party: party, Context: name, State: status.StateNotConfigured,
					Error:          fmt.Sprintf("no kube context %q in the kubeconfig: set clusters.%s.kubeContext in cue/, or --context-map %s=CONTEXT", name, name, name),
					Kustomizations: []status.Kustomization{}, Nodes: []status.Node{}}
			case 21:
				c.State = status.StateFailed
				c.Kustomizations[1] = status.Kustomization{Name: "ledger", State: status.StateFailed, Revision: head, Reason: "HealthCheckFailed",
					Message: "health check failed after 5m0s: timeout waiting for: [StatefulSet/tradechain-" + party + "/" + party + "-validator-1 status: 'InProgress']"}
				c.Nodes[0].Ready = 0
				c.Policies.Fail = 2
			case 30:
				c.State = status.StateBehind
				c.Kustomizations[1].Revision = "main@sha1:fedcba9876543210fedcba9876543210fedcba98"
				c.Kustomizations[1].Behind = 3
			}
			r.Clusters = append(r.Clusters, c)
		}
		v := status.Validators{Party: party, Cluster: clusters[0], Node: party + "-rpc-1", Block: 48213, Peers: 39,
			BlockTime: "2026-12-06T10:00:00Z", OnChain: onChain, Desired: desired, Pending: []status.Change{}, EpochStart: 48000, VotesFrom: 48001}
		switch i {
		case 13:
			v = status.Validators{Party: party, Cluster: clusters[0], Node: party + "-rpc-1", Error: clusters[0] + ": " + r.Clusters[len(r.Clusters)-1].Error,
				OnChain: []status.Member{}, Desired: desired, Pending: []status.Change{}}
		case 30:
			v.Block, v.BlockTime, v.Peers = 48208, "2026-12-06T09:59:50Z", 2
		}
		if v.Error == "" {
			v.Pending = []status.Change{{Member: desired[39], Add: true, Votes: 2, Needed: 20, NotVoted: notVoted}}
			v.Proposals = proposals(onChain, v.Block)
			if i == 21 {
				v.Proposals = &status.Proposals{From: v.Proposals.From, To: v.Proposals.To, Whole: true, Validators: []status.Proposer{},
					Error: "qbft_getSignerMetrics: Method not found (-32601)"}
			}
		}
		r.Validators = append(r.Validators, v)
		l := status.PeerLedger{Party: party, Cluster: clusters[0], Peer: party + "-peer-1", State: status.LedgerRead,
			Channels: []status.ChannelHeight{{Channel: "trade", Height: 9120}, {Channel: "settlement", Height: 3301}}}
		switch i {
		case 7:
			l = status.PeerLedger{Party: party, Cluster: clusters[0], Peer: party + "-peer-1", State: status.LedgerUnreadable, Channels: []status.ChannelHeight{},
				Cause: "unreadable: " + r.Clusters[len(r.Clusters)-1].Error}
		case 13:
			l = status.PeerLedger{Party: party, Cluster: clusters[0], Peer: party + "-peer-1", State: status.LedgerNotShared, Channels: []status.ChannelHeight{},
				Cause: "not shared: the API server refuses the proxy to the peer's metrics (get on services/proxy in tradechain-" + party + ")"}
		case 30:
			l.Channels[0] = status.ChannelHeight{Channel: "trade", Height: 9100, Behind: 20}
		}
		r.PeerLedgers = append(r.PeerLedgers, l)
	}
	var members []string
	var observations []status.ChannelObservation
	for i := 1; i <= 12; i++ {
		party := fmt.Sprintf("party-%02d", i)
		members = append(members, party)
	}
	config := status.ChannelConfig{Sequence: 4, Members: members, Consenters: []string{"party-01-orderer-1", "party-02-orderer-1", "party-03-orderer-1"}}
	for _, party := range members {
		observations = append(observations, status.ChannelObservation{Party: party, Cluster: party + "-aks-westeurope", State: status.ObservedOK,
			Fetched: "2026-12-06T09:55:00Z", Config: &config})
	}
	r.Channels = []status.Channel{{Channel: "trade", Desired: config, Recorded: config, RecordedFrom: "record", OnChain: &config, Observations: observations}}
	return r
}

// proposals are what the validators on chain proposed in the two rounds of blocks
// before head: every one of them some blocks, but party-07's, which proposed none.
func proposals(onChain []status.Member, head uint64) *status.Proposals {
	n := uint64(len(onChain))
	p := &status.Proposals{From: head - 2*n, To: head - 1, Whole: true}
	for i, m := range onChain {
		q := status.Proposer{Member: m, Proposed: 2, LastProposed: head - n + uint64(i)} // not all exact: no one counts them
		if m.Party == "party-07" {
			q = status.Proposer{Member: m, Silent: true}
		}
		p.Validators = append(p.Validators, q)
	}
	return p
}
