package scaffold_test

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/scaffold"
)

// The Fabric starter meets every rule of the schema for any number of founding
// parties: Raft on Fabric 2.5, at least three orderers (Raft keeps ordering with one
// of three down; the schema's raftConsenters), spread as evenly as the parties allow,
// a peer per party (every channel member needs one), and one channel named after the
// network whose members are every party and consenters every orderer. With fewer than
// three parties one party's outage stops the channel, and vet warns of it.
func TestFabricStarterIsValidForAnyNumberOfParties(t *testing.T) {
	for parties, orderers := range map[int][]int{1: {3}, 2: {2, 1}, 3: {1, 1, 1}, 4: {1, 1, 1, 1}, 7: {1, 1, 1, 1, 1, 1, 1}} {
		t.Run(strconv.Itoa(parties), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "net")
			opts := options(t, dir, parties)
			opts.Platform, opts.Consensus = "fabric", ""
			if _, err := scaffold.Init(opts); err != nil {
				t.Fatal(err)
			}
			result, err := load.Network(filepath.Join(dir, "cue"))
			if err != nil {
				t.Fatal(err)
			}
			n := result.Network
			if !n.IsFabric() || n.Consensus.Algorithm != model.EtcdRaft || n.Fabric.Version != "2.5" {
				t.Fatalf("platform %q, consensus %q, fabric %+v", n.Platform, n.Consensus.Algorithm, n.Fabric)
			}
			held, peers := map[string]int{}, map[string]int{}
			var allOrderers []string
			for _, name := range n.NodeNames() {
				switch node := n.Nodes[name]; node.Role {
				case model.RoleOrderer:
					held[node.Party]++
					allOrderers = append(allOrderers, name)
				case model.RolePeer:
					peers[node.Party]++
				}
			}
			for i, p := range opts.Parties {
				if held[p.Name] != orderers[i] || peers[p.Name] != 1 {
					t.Errorf("party %s runs %d orderers and %d peers, want %d and 1", p.Name, held[p.Name], peers[p.Name], orderers[i])
				}
			}
			// Raft orders while a majority of the 3 (or more) consenters is up: one
			// party holding 3 of 3, or 2 of 3, stops the channel alone, and vet says so.
			outages := len(result.Warnings) - len(result.Placeholders)
			if want := map[bool]int{true: 1, false: 0}[parties < 3]; outages != want {
				t.Errorf("%d outage warnings, want %d: %v", outages, want, result.Warnings)
			}
			channel, ok := n.Fabric.Channels["net"]
			if len(n.Fabric.Channels) != 1 || !ok {
				t.Fatalf("channels %v, want one named net", n.Fabric.ChannelNames())
			}
			if len(channel.Members) != parties || !slices.Equal(slices.Sorted(slices.Values(channel.Consenters)), allOrderers) || len(channel.Chaincodes) != 0 {
				t.Errorf("channel net: members %v, consenters %v, chaincodes %v", channel.Members, channel.Consenters, channel.Chaincodes)
			}
		})
	}
}

// reserved matches the values of a network.cue line that only stand in for real ones:
// names under the domains RFC 2606 and RFC 6761 reserve for examples, addresses RFC
// 5737 and RFC 3849 reserve for documentation.
var reserved = regexp.MustCompile(`\.example\b|example\.(com|net|org)\b|\.test\b|\.invalid\b|localhost|192\.0\.2\.|198\.51\.100\.|203\.0\.113\.|2001:db8:`)

// Every placeholder a starter writes is caught: each line of the starter's
// cue/network.cue holding a reserved name or documentation address (found by a plain
// text search, not by the loader) has a placeholder warning at that line, and no
// warning points elsewhere.
func TestStarterPlaceholdersAreAllCaught(t *testing.T) {
	for _, platform := range []string{"besu", "fabric"} {
		t.Run(platform, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "net")
			opts := options(t, dir, 3)
			opts.Platform, opts.Consensus = platform, ""
			if _, err := scaffold.Init(opts); err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(dir, "cue", "network.cue")
			f, err := os.Open(file)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			marked := map[int]string{}
			scanner := bufio.NewScanner(f)
			for line := 1; scanner.Scan(); line++ {
				if text := strings.TrimSpace(scanner.Text()); !strings.HasPrefix(text, "//") && reserved.MatchString(text) {
					marked[line] = text
				}
			}
			result, err := load.Network(filepath.Join(dir, "cue"))
			if err != nil {
				t.Fatal(err)
			}
			warned := map[int]bool{}
			for _, w := range result.Placeholders {
				parts := strings.Split(w.Pos, ":")
				line, _ := strconv.Atoi(parts[len(parts)-2])
				if !strings.HasSuffix(parts[0], "network.cue") || marked[line] == "" {
					t.Errorf("warning at a line with no placeholder: %s", w)
				}
				warned[line] = true
			}
			// The repository URL, and per party a contact, a reviewer, a DNS suffix
			// and an egress CIDR.
			if len(marked) != 1+4*3 {
				t.Errorf("%d lines hold placeholders, want 13: %v", len(marked), marked)
			}
			for line, text := range marked {
				if !warned[line] {
					t.Errorf("network.cue:%d: %s: no placeholder warning", line, text)
				}
			}
		})
	}
}

// The consensus flag is checked against the platform before anything is rendered.
func TestInitChecksConsensusForThePlatform(t *testing.T) {
	for _, tc := range []struct{ platform, consensus, want string }{
		{"besu", "", ""},
		{"besu", "ibft2", ""},
		{"fabric", "", ""},
		{"fabric", "etcdraft", ""},
		{"besu", "etcdraft", `--consensus "etcdraft": a besu network runs qbft or ibft2`},
		{"fabric", "qbft", `--consensus "qbft": a fabric network runs etcdraft`},
		{"fabric", "smartbft", `--consensus smartbft: the fabric starter runs etcdraft`},
		{"corda", "", `--platform "corda"`},
	} {
		dir := filepath.Join(t.TempDir(), "net")
		opts := options(t, dir, 1)
		opts.Platform, opts.Consensus = tc.platform, tc.consensus
		_, err := scaffold.Init(opts)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s/%s: %v", tc.platform, tc.consensus, err)
		case tc.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.want) || strings.Contains(err.Error(), "\n")):
			t.Errorf("%s/%s: got %v, want one line starting %s", tc.platform, tc.consensus, err, tc.want)
		case tc.want != "":
			if _, statErr := os.Stat(dir); statErr == nil {
				t.Errorf("%s/%s: %s was created", tc.platform, tc.consensus, dir)
			}
		}
	}
}
