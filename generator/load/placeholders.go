package load

import (
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"cuelang.org/go/cue"

	"github.com/flux-ledger/flux-ledger/generator/model"
)

// Placeholders are values that only stand in for real ones: names reserved for
// examples and addresses reserved for documentation. `flux-ledger init` writes them
// where only the consortium knows the answer (its Git URL, each cluster's egress and
// DNS zone, each party's contact), the schema accepts them (they are well-formed), and
// a network launched with them runs with nodes nobody can reach and a repository no
// cluster can read. vet warns on each; launch refuses while any remains.
//
// Reserved names, every name equal to or under one of them:
//   - RFC 2606 §2 and RFC 6761 §6.2–6.5: the top-level domains test, example, invalid
//     and localhost;
//   - RFC 2606 §3 and RFC 6761 §6.5: example.com, example.net and example.org.
var reservedDomains = []struct{ domain, rfc string }{
	{"example", "RFC 2606"},
	{"example.com", "RFC 2606"},
	{"example.net", "RFC 2606"},
	{"example.org", "RFC 2606"},
	{"test", "RFC 2606"},
	{"invalid", "RFC 2606"},
	{"localhost", "RFC 6761"},
}

// documentationRanges are the address blocks reserved for documentation, which no
// traffic on the internet comes from.
var documentationRanges = []struct {
	prefix netip.Prefix
	rfc    string
}{
	{netip.MustParsePrefix("192.0.2.0/24"), "RFC 5737 TEST-NET-1"},
	{netip.MustParsePrefix("198.51.100.0/24"), "RFC 5737 TEST-NET-2"},
	{netip.MustParsePrefix("203.0.113.0/24"), "RFC 5737 TEST-NET-3"},
	{netip.MustParsePrefix("2001:db8::/32"), "RFC 3849"},
	{netip.MustParsePrefix("3fff::/20"), "RFC 9637"},
}

// reservedDomain says which reserved domain name is, or is under, and the RFC that
// reserves it ("" when none).
func reservedDomain(name string) (domain, rfc string) {
	name = strings.TrimSuffix(strings.ToLower(name), ".")
	for _, r := range reservedDomains {
		if name == r.domain || strings.HasSuffix(name, "."+r.domain) {
			return r.domain, r.rfc
		}
	}
	return "", ""
}

// documentationRange says which documentation block holds all of prefix (IPv4-mapped
// IPv6 read as IPv4), or "" when the prefix is not wholly inside one. A wider range
// that merely overlaps one is a real range, not a placeholder.
func documentationRange(prefix netip.Prefix) (netip.Prefix, string) {
	if prefix.Addr().Is4In6() && prefix.Bits() >= 96 {
		prefix = netip.PrefixFrom(prefix.Addr().Unmap(), prefix.Bits()-96)
	}
	for _, d := range documentationRanges {
		if d.prefix.Bits() <= prefix.Bits() && d.prefix.Contains(prefix.Addr()) {
			return d.prefix, d.rfc
		}
	}
	return netip.Prefix{}, ""
}

// placeholderHost says why a host (a DNS name or an IP literal) is a placeholder, or
// "" when it is not.
func placeholderHost(host string) string {
	if addr, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		if addr.IsLoopback() {
			return fmt.Sprintf("%s is a loopback address, which no cluster reaches", host)
		}
		if d, rfc := documentationRange(netip.PrefixFrom(addr, addr.BitLen())); rfc != "" {
			return fmt.Sprintf("%s is in %s, reserved for documentation (%s)", host, d, rfc)
		}
		return ""
	}
	if domain, rfc := reservedDomain(host); domain != "" {
		return fmt.Sprintf("%s is a name under %s, reserved for examples (%s)", host, domain, rfc)
	}
	return ""
}

// placeholderWarnings lists every placeholder of the network, each at its field with
// what to write there instead.
func placeholderWarnings(root cue.Value, net *model.Network) []Issue {
	n := network{root}
	var out []Issue
	warn := func(message string, index int, path ...string) {
		i := n.at(Issue{}, message, path...)
		if index >= 0 {
			i.Path += "." + strconv.Itoa(index)
		}
		out = append(out, i)
	}

	if u, err := url.Parse(net.Repository.URL); err == nil {
		if why := placeholderHost(u.Hostname()); why != "" {
			warn(fmt.Sprintf("placeholder %q: %s; replace it with the URL of the Git repository every cluster reconciles from", net.Repository.URL, why), -1, "repository", "url")
		}
	}

	for _, name := range net.PartyNames() {
		p := net.Parties[name]
		if why := placeholderMail(p.Contact); why != "" {
			warn(fmt.Sprintf("placeholder %q: %s, so mail to it reaches nobody; replace it with an address party %s's operators read", p.Contact, why, name), -1, "parties", name, "contact")
		}
		for k, r := range p.Reviewers {
			if why := placeholderMail(r); why != "" {
				warn(fmt.Sprintf("placeholder %q: %s, so no review request reaches it and party %s's changes lack a reviewer; replace it with a reviewer's real e-mail address or @handle", r, why, name), k, "parties", name, "reviewers")
			}
		}
	}

	for _, name := range net.ClusterNames() {
		c := net.Clusters[name]
		for k, s := range c.EgressCIDRs {
			prefix, err := netip.ParsePrefix(s)
			if err != nil {
				continue // checkCIDRs refuses it
			}
			if d, rfc := documentationRange(prefix); rfc != "" {
				warn(fmt.Sprintf("placeholder %q: %s is reserved for documentation (%s) and no connection comes from it; replace it with the address(es) cluster %s's outbound connections come from as other clusters see them (its NAT gateway or its nodes' public IPs)", s, d, rfc, name), k, "clusters", name, "egressCIDRs")
			}
		}
		suffix := c.Exposure.DNSSuffix
		if why := placeholderHost(suffix); suffix != "" && why != "" {
			warn(fmt.Sprintf("placeholder %q: %s; replace it with a DNS zone party %s publishes cluster %s's node names in%s", suffix, why, c.Party, name, certificatesNameIt(net)), -1, "clusters", name, "exposure", "dnsSuffix")
		}
		// A host derived from a placeholder suffix goes away with it: one warning.
		host := c.Exposure.Host
		if why := placeholderHost(host); host != "" && why != "" && host != "p2p."+suffix {
			warn(fmt.Sprintf("placeholder %q: %s; replace it with the DNS name of cluster %s's shared ingress%s", host, why, name, certificatesNameIt(net)), -1, "clusters", name, "exposure", "host")
		}
	}
	return out
}

// placeholderMail says why an e-mail address is a placeholder ("" when it is not, or
// is no e-mail address: a @handle).
func placeholderMail(address string) string {
	local, domain, ok := strings.Cut(address, "@")
	if !ok || local == "" {
		return ""
	}
	if why := placeholderHost(domain); why != "" {
		return "its domain " + why
	}
	return ""
}

// certificatesNameIt says when a name must be right: on Fabric every node's TLS
// certificate carries its endpoint's name (checkFabricIdentities refuses a certificate
// that does not), so a name changed after keys init means new certificates.
func certificatesNameIt(net *model.Network) string {
	if !net.IsFabric() {
		return ""
	}
	return ", before flux-ledger keys init (each node's TLS certificate names it; after, it takes keys init --rotate)"
}
