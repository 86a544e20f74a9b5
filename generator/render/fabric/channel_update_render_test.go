package fabric_test

import (
	"bytes"
	"encoding/base64"
	"slices"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric/configtx"
)

// launchedWith freezes channel trade's genesis block with the given members, then sets
// the model's members to want: the pending change is their difference.
func launchedWith(t *testing.T, launched, want []string) *model.Network {
	t.Helper()
	return launchedAs(t, func(ch *model.Channel, list []string) { ch.Members = list }, launched, want)
}

// northwindLeaves launches channel trade with every party a member and northwind
// ordering none of it (a party leaves only once its consenters have), then takes
// northwind out of the members.
func northwindLeaves(t *testing.T) *model.Network {
	t.Helper()
	return launchedAs(t, func(ch *model.Channel, list []string) {
		ch.Members, ch.Consenters = list, []string{"contoso-orderer-1", "fabrikam-orderer-1"}
	}, []string{"contoso", "fabrikam", "northwind"}, []string{"contoso", "fabrikam"})
}

// launchedAs freezes channel trade's genesis block with set(channel, launched), then
// applies set(channel, want).
func launchedAs(t *testing.T, set func(*model.Channel, []string), launched, want []string) *model.Network {
	t.Helper()
	n := referenceNetwork(t)
	ch := n.Fabric.Channels["trade"]
	set(&ch, launched)
	n.Fabric.Channels["trade"] = ch
	block, err := fabric.GenesisBlock(n, "trade")
	if err != nil {
		t.Fatal(err)
	}
	ch.GenesisBlock = base64.StdEncoding.EncodeToString(block)
	set(&ch, want)
	n.Fabric.Channels["trade"] = ch
	return n
}

// A launched channel with no record starts from its genesis block's config (sequence
// 0): a party joining renders update 1, the envelope and its summary, the same bytes
// on every run so that regenerating changes nothing.
func TestJoinRendersUpdateFromTheGenesisConfig(t *testing.T) {
	n := launchedWith(t, []string{"contoso", "fabrikam"}, []string{"contoso", "fabrikam", "northwind"})
	files, err := fabric.ChannelUpdates(n)
	if err != nil {
		t.Fatal(err)
	}
	paths := slices.Sorted(func(yield func(string) bool) {
		for p := range files {
			if !yield(p) {
				return
			}
		}
	})
	want := []string{"channels/trade/updates/1-add-northwind.pb", "channels/trade/updates/1-add-northwind.yaml"}
	if !slices.Equal(paths, want) {
		t.Fatalf("rendered %v, want %v", paths, want)
	}
	summary := string(files[want[1]])
	for _, s := range []string{"organisation: NorthwindMSP", "sequence: 1", "required: 2", "policy: /Channel/Application/Admins", "(sequence 0)"} {
		if !strings.Contains(summary, s) {
			t.Errorf("summary lacks %q:\n%s", s, summary)
		}
	}
	again, err := fabric.ChannelUpdates(n)
	if err != nil {
		t.Fatal(err)
	}
	for p, data := range files {
		if !bytes.Equal(again[p], data) {
			t.Errorf("%s differs between two renders", p)
		}
	}
}

// With a record, the update starts from the recorded config: its sequence names the
// file, and the Application group is read at the recorded version.
func TestJoinRendersUpdateFromTheRecordedConfig(t *testing.T) {
	n := launchedWith(t, []string{"contoso", "fabrikam"}, []string{"contoso", "fabrikam", "northwind"})
	block, _ := base64.StdEncoding.DecodeString(n.Fabric.Channels["trade"].GenesisBlock)
	_, config, err := configtx.DecodeConfigBlock(block)
	if err != nil {
		t.Fatal(err)
	}
	config.Sequence = 6
	config.Application().Version = 2
	state, err := fabric.StateOf(n, "trade", config)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(state.Members, []string{"contoso", "fabrikam"}) || len(state.Consenters) != 3 {
		t.Errorf("state %+v", state)
	}
	ch := n.Fabric.Channels["trade"]
	ch.OnChain = &state
	n.Fabric.Channels["trade"] = ch
	u, err := fabric.ChannelUpdate(n, "trade")
	if err != nil {
		t.Fatal(err)
	}
	if u.Path != "channels/trade/updates/7-add-northwind.pb" || u.Sequence != 7 {
		t.Errorf("update %s at sequence %d", u.Path, u.Sequence)
	}
	// The recorded config, not the genesis block's, is what the read set names.
	recorded, _ := configtx.DecodeConfig(mustBase64(t, state.Config))
	updated, _ := configtx.WithApplicationOrg(recorded, mustOrg(t, n))
	want, err := configtx.ComputeUpdate("trade", recorded, updated)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(u.Envelope, want.Envelope()) || want.ReadSet.Groups["Application"].Version != 2 {
		t.Error("the rendered update is not the one computed from the recorded config")
	}

	ch.Members = []string{"contoso", "fabrikam"}
	n.Fabric.Channels["trade"] = ch
	if files, err := fabric.ChannelUpdates(n); err != nil || len(files) != 0 {
		t.Errorf("no pending change: rendered %d files (%v)", len(files), err)
	}
}

// A config naming an organisation no party has is an error naming it.
func TestRecordedConfigNamesUnknownOrganisation(t *testing.T) {
	n := launchedWith(t, []string{"contoso", "fabrikam", "northwind"}, []string{"contoso", "fabrikam", "northwind"})
	p := n.Parties["fabrikam"]
	p.MSPID = "OtherMSP"
	n.Parties["fabrikam"] = p
	if _, err := fabric.PendingChanges(n, "trade"); err == nil || !strings.Contains(err.Error(), "organisation FabrikamMSP in the config is no party's mspId") {
		t.Errorf("err = %v", err)
	}
}

func mustBase64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// mustOrg is northwind's application org as the genesis block would list it.
func mustOrg(t *testing.T, n *model.Network) configtx.Org {
	t.Helper()
	c, err := fabric.ChannelConfig(n, "trade")
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range c.ApplicationOrgs {
		if o.MSPID == "NorthwindMSP" {
			return o
		}
	}
	t.Fatal("northwind is not a member in the model")
	return configtx.Org{}
}
