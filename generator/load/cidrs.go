package load

import (
	"fmt"
	"net/netip"
	"strconv"

	"cuelang.org/go/cue"

	"github.com/flux-ledger/flux-ledger/generator/model"
)

// checkCIDRs parses every cluster's egressCIDRs with net/netip. Each one becomes a
// loadBalancerSourceRanges entry and a NetworkPolicy ipBlock in every other party's
// cluster, so one party's CIDR decides what reaches everyone's p2p port. Refused:
//   - what netip does not parse (1.2.3.4/33, 300.1.1.1/8, a zone);
//   - host bits set (10.1.2.3/24): ambiguous between the host and its network, and
//     Kubernetes 1.33+ warns on such CIDRs; the error gives the network to write;
//   - without allowWorldOpen, a range that is, or nearly is, the whole internet:
//     wider than /8 in IPv4 or /16 in IPv6 (0.0.0.0/0, ::/0, and the two halves
//     0.0.0.0/1 and 128.0.0.0/1 that add up to it), IPv4-mapped IPv6 counted as IPv4.
//
// The schema refuses the first and exactly 0.0.0.0/0 and ::/0 (cue vet agrees);
// host bits and the wide ranges are rules only flux-ledger vet enforces.
func checkCIDRs(root cue.Value, net *model.Network) error {
	n := network{root}
	var issues []Issue
	for _, name := range net.ClusterNames() {
		c := net.Clusters[name]
		for k, s := range c.EgressCIDRs {
			problem := cidrProblem(s, c.AllowWorldOpen)
			if problem == "" {
				continue
			}
			i := n.at(Issue{}, fmt.Sprintf("cluster %s: egressCIDRs %q %s", name, s, problem), "clusters", name, "egressCIDRs")
			i.Path += "." + strconv.Itoa(k)
			issues = append(issues, i)
		}
	}
	if len(issues) > 0 {
		return &Error{Issues: issues}
	}
	return nil
}

// cidrProblem says what is wrong with one egress CIDR ("" when nothing is).
func cidrProblem(s string, allowWorldOpen bool) string {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return fmt.Sprintf("is not a CIDR (%v)", err)
	}
	if p.Masked() != p {
		return fmt.Sprintf("has host bits set: write the network %s, or the host %s/%d", p.Masked(), p.Addr(), p.Addr().BitLen())
	}
	bits, wide := p.Bits(), 16
	if p.Addr().Is4() {
		wide = 8
	} else if p.Addr().Is4In6() && bits >= 96 {
		bits, wide = bits-96, 8
	}
	if bits < wide && !allowWorldOpen {
		return fmt.Sprintf("opens every cluster's p2p port to %s of the internet (wider than /%d): set allowWorldOpen: true on the cluster if that is meant", share(bits), wide)
	}
	return ""
}

// share says how much of the address space a prefix of bits covers.
func share(bits int) string {
	if bits == 0 {
		return "all"
	}
	return fmt.Sprintf("1/%d", 1<<bits)
}
