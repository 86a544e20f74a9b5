package besurpc

import (
	"slices"
	"strings"
	"testing"
)

func enode(id byte, host string) string {
	return "enode://" + strings.Repeat(string(id), 128) + "@" + host + ":30303"
}

// admin_addPeer / admin_removePeer as Besu 24.12.2 answers them (ethereum/api/.../
// methods/AdminModifyPeer.java, AdminAddPeer.java, AdminRemovePeer.java;
// ethereum/p2p/.../network/DefaultP2PNetwork.java): true when the maintained set
// changed; EnodeURLImpl.equals resolves a name again each time, so an entry added by a
// name that has since moved is never found again, while one added by IP always is.
func TestPeersAreMaintainedAsBesuMaintainsThem(t *testing.T) {
	chain, nodes := network(t, QBFT, 30000, 4)
	n := nodes[0]
	n.SetNodeID(strings.Repeat("1", 128))
	chain.SetHost("peer-a.example", "10.0.0.2")
	byName, byIP := enode('a', "peer-a.example"), enode('a', "10.0.0.2")
	cases := []struct{ request, want string }{
		{call("admin_addPeer", `["`+byName+`"]`), `"result":true`},
		// The same node at the address the name resolves to: equal, not added again.
		{call("admin_addPeer", `["`+byIP+`"]`), `"result":false`},
		// Itself: refused.
		{call("admin_addPeer", `["`+enode('1', "10.0.0.1")+`"]`), `"result":false`},
		{call("admin_addPeer", `["enode://0x12@10.0.0.3:30303"]`), `"code":-32000`},
		{call("admin_addPeer", `["a","b"]`), `"message":"Invalid number of params"`},
		{call("admin_addPeer", `[7]`), `"message":"Invalid enode params"`},
	}
	for _, c := range cases {
		if _, got := post(t, n, c.request); !strings.Contains(got, c.want) {
			t.Errorf("%s: %s, want %s", c.request, got, c.want)
		}
	}
	if _, got := post(t, n, call("admin_peers", `[]`)); !strings.Contains(got, `"id":"0x`+strings.Repeat("a", 128)+`"`) ||
		!strings.Contains(got, `"enode":"`+byIP+`"`) || !strings.Contains(got, `"inbound":false},"port":"0x765f","id":`) {
		t.Errorf("admin_peers: %s", got)
	}
	// The name moves: removing by name or by the old address finds nothing; Besu keeps
	// the peer.
	chain.SetHost("peer-a.example", "10.0.0.9")
	for _, e := range []string{byName, byIP} {
		if _, got := post(t, n, call("admin_removePeer", `["`+e+`"]`)); !strings.Contains(got, `"result":false`) {
			t.Errorf("remove %s after the move: %s", e, got)
		}
	}
	if len(n.Maintained()) != 1 {
		t.Errorf("maintained %v", n.Maintained())
	}
	// Added by IP, removed by the same string: always found.
	b := enode('b', "10.0.0.5")
	post(t, n, call("admin_addPeer", `["`+b+`"]`))
	chain.SetHost("peer-b.example", "10.0.0.6")
	if _, got := post(t, n, call("admin_removePeer", `["`+b+`"]`)); !strings.Contains(got, `"result":true`) {
		t.Errorf("remove by IP: %s", got)
	}
	// A restart keeps only the static nodes.
	n.StartWith(enode('c', "10.0.0.7"))
	post(t, n, call("admin_addPeer", `["`+b+`"]`))
	n.Restart()
	if got := n.Maintained(); !slices.Equal(got, []string{enode('c', "10.0.0.7")}) {
		t.Errorf("after a restart: %v", got)
	}
	n.SetUnreachable(strings.Repeat("c", 128), true)
	if len(n.Peers()) != 0 {
		t.Errorf("peers %v with the only peer unreachable", n.Peers())
	}
	// Without ADMIN in --rpc-http-api: "Method not enabled".
	n.DisableAdminAPI()
	if _, got := post(t, n, call("admin_peers", `[]`)); !strings.Contains(got, `"code":-32604`) {
		t.Errorf("admin disabled: %s", got)
	}
}
