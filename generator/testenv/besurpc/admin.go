package besurpc

import (
	"encoding/json"
	"fmt"
	"net"
	"regexp"
	"slices"
	"strconv"
)

// A node's peers, as Besu 24.12.2 keeps them (unchanged in 26.2.0; files under
// ethereum/p2p/src/main/java/org/hyperledger/besu/ethereum/p2p/ and
// ethereum/api/src/main/java/org/hyperledger/besu/ethereum/api/jsonrpc/internal/):
//
//   - methods/AdminAddPeer.java, AdminRemovePeer.java (both AdminModifyPeer.java): one
//     enode parameter (else "Invalid number of params"), parsed by
//     peers/EnodeURLImpl.fromString with --Xdns-enabled and --Xdns-update-enabled; the
//     answer is whether the maintained set changed (network/DefaultP2PNetwork.java
//     addMaintainedConnectionPeer, removeMaintainedConnectionPeer; adding the node
//     itself is false). Removing also drops the connection to that node id, maintained
//     or not (rlpxAgent.disconnect).
//   - peers/MaintainedPeers.java: a hash set of peers. EnodeURLImpl.equals and hashCode
//     compare node id, getIp() and ports, and getIp() resolves the host name again on
//     every call. Builder.ipAddress: a name that does not resolve becomes 127.0.0.1 with
//     no name kept; an IP literal keeps its reverse-lookup name, which the fake takes to
//     be the literal itself (no PTR record). So an entry added by name is found again
//     only while the name resolves where it did when added (the hash set files it under
//     the hash of that first address); an entry added by IP always is.
//   - methods/AdminPeers.java, results/PeerResult.java: the connected peers, each with
//     "id" (0x + node id) and "enode" (the remote enode) among other fields.
//   - The maintained set lives in memory: a restarted Besu starts again from its
//     static nodes file (Restart).
//
// The fake connects every maintained peer at once unless a test made it unreachable.

var reEnode = regexp.MustCompile(`^enode://([^@/]+)@([^:/?]+|\[[^]]+\]):([0-9]{1,5})(\?discport=[0-9]{1,5})?$`)

// peer is one maintained entry: the node id, the host as given, the address it
// resolved to when added (Besu's cached ip) and the port.
type peer struct {
	enode        string // as given
	id, host, ip string
	named        bool // added by name: getIp() resolves again
	port         int
	hash         string // the bucket the hash set filed it under
}

func (n *Node) resolve(host string) (string, bool) {
	if net.ParseIP(host) != nil {
		return host, true
	}
	if ip, ok := n.chain.hosts[host]; ok {
		return ip, true
	}
	if n.chain.Resolve != nil {
		return n.chain.Resolve(host)
	}
	return "", false
}

// currentIP is EnodeURLImpl.getIp: the name resolved now, else the last address.
func (n *Node) currentIP(p *peer) string {
	if p.named {
		if ip, ok := n.resolve(p.host); ok {
			p.ip = ip
		}
	}
	return p.ip
}

func (n *Node) key(p *peer) string { return p.id + "@" + n.currentIP(p) + ":" + strconv.Itoa(p.port) }

func (n *Node) parseEnode(params []json.RawMessage) (*peer, *rpcError) {
	if len(params) != 1 {
		return nil, errParamCount
	}
	var s string
	if json.Unmarshal(params[0], &s) != nil {
		return nil, errEnode
	}
	m := reEnode.FindStringSubmatch(s)
	if m == nil {
		return nil, errParse // AdminModifyPeer: any other IllegalArgumentException
	}
	if !isHex("0x"+m[1], 128) { // EnodeURLImpl.fromURI NODE_ID_PATTERN
		return nil, errEnodeID
	}
	p := &peer{enode: s, id: lowerHex(m[1]), host: m[2]}
	p.port, _ = strconv.Atoi(m[3])
	if ip, ok := n.resolve(p.host); ok {
		p.ip, p.named = ip, net.ParseIP(p.host) == nil
	} else {
		p.ip = "127.0.0.1" // Builder.ipAddress with DNS update enabled
	}
	p.hash = n.key(p)
	return p, nil
}

// find is MaintainedPeers' hash set lookup: the bucket of p's hash, then equals.
func (n *Node) find(p *peer) int {
	want := n.key(p)
	return slices.IndexFunc(n.maintained, func(q *peer) bool { return q.hash == want && n.key(q) == want })
}

// admin answers the ADMIN methods; ok is false for any other method.
func (n *Node) admin(method string, params []json.RawMessage) (result any, rerr *rpcError, ok bool) {
	switch method {
	case "admin_addPeer", "admin_removePeer", "admin_peers":
	default:
		return nil, nil, false
	}
	if !n.adminAPI {
		return nil, errNotEnabled, true
	}
	if method == "admin_peers" {
		return n.peerResults(), nil, true
	}
	p, rerr := n.parseEnode(params)
	if rerr != nil {
		return nil, rerr, true
	}
	i := n.find(p)
	if method == "admin_addPeer" {
		if p.id == n.ID || i >= 0 {
			return false, nil, true
		}
		n.maintained = append(n.maintained, p)
		return true, nil, true
	}
	if i >= 0 {
		n.maintained = slices.Delete(n.maintained, i, i+1)
	}
	return i >= 0, nil, true
}

// connected are the peers Besu has a connection to: every maintained peer the test has
// not made unreachable, once per node id.
func (n *Node) connected() []*peer {
	var out []*peer
	seen := map[string]bool{}
	for _, p := range n.maintained {
		if seen[p.id] || n.unreachable[p.id] {
			continue
		}
		seen[p.id] = true
		out = append(out, p)
	}
	return out
}

// peerResult and networkResult keep Besu's field order (PeerResult.java,
// NetworkResult.java @JsonPropertyOrder): scripts read "inbound" before "id".
type peerResult struct {
	Version   string         `json:"version"`
	Name      string         `json:"name"`
	Caps      []string       `json:"caps"`
	Network   networkResult  `json:"network"`
	Port      string         `json:"port"`
	ID        string         `json:"id"`
	Protocols map[string]any `json:"protocols"`
	Enode     string         `json:"enode"`
}

type networkResult struct {
	LocalAddress  string `json:"localAddress"`
	RemoteAddress string `json:"remoteAddress"`
	Inbound       bool   `json:"inbound"`
}

func (n *Node) peerResults() []peerResult {
	out := []peerResult{}
	for _, p := range n.connected() {
		ip := n.currentIP(p)
		out = append(out, peerResult{
			Version: "0x5", Name: "besu/v24.12.2/linux-x86_64/openjdk-java-21",
			Caps:      []string{"eth/68", "istanbul/100"},
			Network:   networkResult{LocalAddress: "10.0.0.1:30303", RemoteAddress: fmt.Sprintf("%s:%d", ip, p.port)},
			Port:      quantity(uint64(p.port)),
			ID:        "0x" + p.id,
			Protocols: map[string]any{},
			Enode:     fmt.Sprintf("enode://%s@%s:%d", p.id, ip, p.port),
		})
	}
	return out
}

func lowerHex(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'F' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// SetHost makes name resolve to ip, for every node's Besu (a test's DNS).
func (c *Chain) SetHost(name, ip string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hosts[name] = ip
}

// RemoveHost makes name stop resolving.
func (c *Chain) RemoveHost(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.hosts, name)
}

// SetNodeID sets the node's own node id (128 hex digits): admin_addPeer of itself is
// refused.
func (n *Node) SetNodeID(id string) {
	n.chain.mu.Lock()
	defer n.chain.mu.Unlock()
	n.ID = lowerHex(id)
}

// StartWith sets the static nodes the node loads at every start, and loads them now.
func (n *Node) StartWith(enodes ...string) {
	n.chain.mu.Lock()
	defer n.chain.mu.Unlock()
	n.static = slices.Clone(enodes)
	n.loadStatic()
}

func (n *Node) loadStatic() {
	n.maintained = nil
	for _, e := range n.static {
		raw, _ := json.Marshal(e)
		if p, err := n.parseEnode([]json.RawMessage{raw}); err == nil && n.find(p) < 0 {
			n.maintained = append(n.maintained, p)
		}
	}
}

// Maintained lists the maintained peers' enodes as they were given to Besu.
func (n *Node) Maintained() []string {
	n.chain.mu.Lock()
	defer n.chain.mu.Unlock()
	var out []string
	for _, p := range n.maintained {
		out = append(out, p.enode)
	}
	return out
}

// Peers lists the node ids (no 0x) Besu is connected to: what admin_peers shows.
func (n *Node) Peers() []string {
	n.chain.mu.Lock()
	defer n.chain.mu.Unlock()
	var out []string
	for _, p := range n.connected() {
		out = append(out, p.id)
	}
	return out
}

// SetUnreachable makes a peer's node id unreachable (down) or reachable again.
func (n *Node) SetUnreachable(id string, down bool) {
	n.chain.mu.Lock()
	defer n.chain.mu.Unlock()
	n.unreachable[lowerHex(id)] = down
}

// DisableAdminAPI makes the node answer the ADMIN methods as Besu does when
// --rpc-http-api does not list ADMIN: "Method not enabled".
func (n *Node) DisableAdminAPI() {
	n.chain.mu.Lock()
	defer n.chain.mu.Unlock()
	n.adminAPI = false
}
