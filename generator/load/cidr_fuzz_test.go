package load

import (
	"net/netip"
	"testing"
)

// FuzzCIDR checks the egress CIDR rule on anything a party can write: no panic; an
// accepted CIDR parses, has no host bits, and without allowWorldOpen is no wider than
// /8 (IPv4, IPv4-mapped included) or /16 (IPv6); allowWorldOpen changes nothing else.
func FuzzCIDR(f *testing.F) {
	for _, s := range []string{"198.51.100.0/28", "0.0.0.0/0", "::/0", "1.2.3.4/33", "300.1.1.1/8", "10.1.2.3/24", "::ffff:0.0.0.0/96", "2001:db8::/32"} {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, s string, allow bool) {
		problem := cidrProblem(s, allow)
		if problem == "" {
			p, err := netip.ParsePrefix(s)
			if err != nil || p.Masked() != p {
				t.Fatalf("%q accepted: %v", s, err)
			}
			bits := p.Bits()
			if p.Addr().Is4In6() {
				bits -= 96
			}
			if !allow && (p.Addr().Is4() || p.Addr().Is4In6()) && bits < 8 || !allow && !p.Addr().Is4() && !p.Addr().Is4In6() && bits < 16 {
				t.Fatalf("%q accepted without allowWorldOpen", s)
			}
		}
		if allow && problem == "" && cidrProblem(s, false) != "" {
			return
		}
		if !allow && problem == "" && cidrProblem(s, true) != "" {
			t.Fatalf("%q: allowWorldOpen refuses what is accepted without it", s)
		}
	})
}
