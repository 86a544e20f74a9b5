package load_test

import (
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// realBase is the base network with every placeholder replaced by a value a
// consortium could really use: names outside the reserved domains, public addresses.
func realBase(t *testing.T) string {
	t.Helper()
	network := readBase(t)
	for _, r := range [][2]string{
		{`"https://git.example.com/testnet.git"`, `"https://github.com/alpha-bank/testnet.git"`},
		{`"ops@alpha.example"`, `"ops@alpha-bank.eu"`},
		{`"ops@beta.example"`, `"ops@beta-freight.de"`},
		{`"alpha.example"`, `"ledger.alpha-bank.eu"`},
		{`"beta.example"`, `"ledger.beta-freight.de"`},
		{`"203.0.113.0/28"`, `"20.50.1.0/28"`},
		{`"198.51.100.0/28"`, `"34.89.0.0/28"`},
	} {
		if !strings.Contains(network, r[0]) {
			t.Fatalf("testdata/base.cue no longer holds %s", r[0])
		}
		network = strings.ReplaceAll(network, r[0], r[1])
	}
	return network
}

// vet warns, without failing, on each value that only stands in for a real one: a
// name under a domain reserved for examples (RFC 2606 §2–3: example, example.com,
// example.net, example.org, test, invalid; RFC 6761 §6.3: localhost), an address
// reserved for documentation (RFC 5737: 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24;
// RFC 3849: 2001:db8::/32; RFC 9637: 3fff::/20) or loopback. Each warning names the
// field and says what to write there; Result.Placeholders holds them for launch.
func TestVetWarnsOnPlaceholders(t *testing.T) {
	for name, c := range map[string]struct {
		old, new string
		path     string // "" when the value is no placeholder
		want     string
	}{
		"repository on git.example.com": {`"https://github.com/alpha-bank/testnet.git"`, `"https://git.example.com/testnet.git"`,
			"network.repository.url", "replace it with the URL of the Git repository every cluster reconciles from"},
		"repository on example.org": {`"https://github.com/alpha-bank/testnet.git"`, `"https://example.org/testnet.git"`, "network.repository.url", "RFC 2606"},
		"repository on example.net": {`"https://github.com/alpha-bank/testnet.git"`, `"https://git.example.net/testnet.git"`, "network.repository.url", "RFC 2606"},
		"repository under .test":    {`"https://github.com/alpha-bank/testnet.git"`, `"https://git.corp.test/testnet.git"`, "network.repository.url", "RFC 2606"},
		"repository under .invalid": {`"https://github.com/alpha-bank/testnet.git"`, `"https://git.invalid/testnet.git"`, "network.repository.url", "RFC 2606"},
		"repository on localhost":   {`"https://github.com/alpha-bank/testnet.git"`, `"ssh://git@localhost:2222/testnet.git"`, "network.repository.url", "RFC 6761"},
		"repository on a TEST-NET-1 address": {`"https://github.com/alpha-bank/testnet.git"`, `"https://192.0.2.10/testnet.git"`,
			"network.repository.url", "192.0.2.0/24"},
		"repository on a documentation IPv6 address": {`"https://github.com/alpha-bank/testnet.git"`, `"https://[2001:db8::1]/testnet.git"`,
			"network.repository.url", "2001:db8::/32"},
		"repository on loopback":                               {`"https://github.com/alpha-bank/testnet.git"`, `"https://127.0.0.1/testnet.git"`, "network.repository.url", "loopback"},
		"repository on a name that merely ends in example.com": {`"https://github.com/alpha-bank/testnet.git"`, `"https://git.myexample.com/testnet.git"`, "", ""},
		"repository on example.com.au":                         {`"https://github.com/alpha-bank/testnet.git"`, `"https://example.com.au/testnet.git"`, "", ""},

		"egress in TEST-NET-1": {`"20.50.1.0/28"`, `"192.0.2.1/32"`, `network.clusters."alpha-aks".egressCIDRs.0`,
			"replace it with the address(es) cluster alpha-aks's outbound connections come from"},
		"egress in TEST-NET-2":                              {`"20.50.1.0/28"`, `"198.51.100.0/24"`, `network.clusters."alpha-aks".egressCIDRs.0`, "RFC 5737 TEST-NET-2"},
		"egress in TEST-NET-3":                              {`"20.50.1.0/28"`, `"203.0.113.128/25"`, `network.clusters."alpha-aks".egressCIDRs.0`, "RFC 5737 TEST-NET-3"},
		"egress in 2001:db8::/32":                           {`"20.50.1.0/28"`, `"2001:db8:1::/48"`, `network.clusters."alpha-aks".egressCIDRs.0`, "RFC 3849"},
		"egress in 3fff::/20":                               {`"20.50.1.0/28"`, `"3fff:0:1::/48"`, `network.clusters."alpha-aks".egressCIDRs.0`, "RFC 9637"},
		"egress IPv4-mapped TEST-NET-1 (::ffff:192.0.2.1)":  {`"20.50.1.0/28"`, `"::ffff:c000:201/128"`, `network.clusters."alpha-aks".egressCIDRs.0`, "RFC 5737 TEST-NET-1"},
		"second egress CIDR":                                {`"20.50.1.0/28"`, `"20.50.1.0/28", "203.0.113.7/32"`, `network.clusters."alpha-aks".egressCIDRs.1`, "RFC 5737 TEST-NET-3"},
		"egress wider than a documentation range, and real": {`"20.50.1.0/28"`, `"192.0.0.0/16"`, "", ""},
		"egress next to a documentation range":              {`"20.50.1.0/28"`, `"192.0.3.0/24"`, "", ""},

		"dns suffix under example.com": {`"ledger.alpha-bank.eu"`, `"ledger.alpha.example.com"`, `network.clusters."alpha-aks".exposure.dnsSuffix`,
			"replace it with a DNS zone party alpha publishes cluster alpha-aks's node names in"},
		"dns suffix under .example":                        {`"ledger.alpha-bank.eu"`, `"testnet.alpha.example"`, `network.clusters."alpha-aks".exposure.dnsSuffix`, "RFC 2606"},
		"dns suffix under .test":                           {`"ledger.alpha-bank.eu"`, `"alpha.test"`, `network.clusters."alpha-aks".exposure.dnsSuffix`, "RFC 2606"},
		"dns suffix of a shared ingress under example.com": {`"ledger.beta-freight.de"`, `"beta.example.com"`, `network.clusters."beta-onprem".exposure.dnsSuffix`, "RFC 2606"},
		"shared ingress host under .invalid": {`{mode: "haproxy", dnsSuffix: "ledger.beta-freight.de"}`, `{mode: "haproxy", dnsSuffix: "ledger.beta-freight.de", host: "p2p.beta.invalid"}`,
			`network.clusters."beta-onprem".exposure.host`, "replace it with the DNS name of cluster beta-onprem's shared ingress"},

		"contact on an example domain": {`contact:     "ops@alpha-bank.eu"`, `contact:     "ops@alpha.example"`, "network.parties.alpha.contact",
			"replace it with an address party alpha's operators read"},
		"reviewer on an example domain": {`reviewers: ["ops@alpha-bank.eu"]`, `reviewers: ["@alpha-ops", "ops@alpha.example"]`, "network.parties.alpha.reviewers.1",
			"replace it with a reviewer's real e-mail address or @handle"},
		"reviewer handle": {`reviewers: ["ops@alpha-bank.eu"]`, `reviewers: ["@alpha-ops"]`, "", ""},
	} {
		t.Run(name, func(t *testing.T) {
			network := realBase(t)
			if strings.Count(network, c.old) != 1 {
				t.Fatalf("the real base network does not hold %s once", c.old)
			}
			result, err := load.Network(testenv.Module(t, map[string]string{"network.cue": strings.Replace(network, c.old, c.new, 1)}))
			if err != nil {
				t.Fatal(err)
			}
			if c.path == "" {
				if len(result.Placeholders) != 0 {
					t.Errorf("warned on a real value: %v", result.Placeholders)
				}
				return
			}
			if len(result.Placeholders) != 1 {
				t.Fatalf("%d placeholder warnings, want 1: %v", len(result.Placeholders), result.Placeholders)
			}
			w := result.Placeholders[0]
			if w.Path != c.path || !strings.Contains(w.Message, c.want) || !strings.HasPrefix(w.Pos, "network.cue:") && !strings.Contains(w.Pos, "/network.cue:") {
				t.Errorf("warning %q: want path %s, a position in network.cue and %q", w, c.path, c.want)
			}
			if !strings.Contains(strings.Join(issueStrings(result.Warnings), "\n"), w.String()) {
				t.Errorf("the placeholder is not among vet's warnings: %v", result.Warnings)
			}
		})
	}
}

// The real base network has no placeholder; the reference network, an example, has
// the kinds init writes (checked against init's starter in cmd/flux-ledger).
func TestRealNetworkHasNoPlaceholders(t *testing.T) {
	result, err := load.Network(testenv.Module(t, map[string]string{"network.cue": realBase(t)}))
	if err != nil {
		t.Fatal(err)
	}
	if len(result.Placeholders) != 0 {
		t.Errorf("placeholders in a real network: %v", result.Placeholders)
	}
}

func issueStrings(issues []load.Issue) []string {
	var out []string
	for _, i := range issues {
		out = append(out, i.String())
	}
	return out
}
