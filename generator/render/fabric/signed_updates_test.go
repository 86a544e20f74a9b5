package fabric_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric/configtx"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// Once a majority signed, generate renders the envelope with the valid signatures
// (and only those) beside the unsigned one: the same update bytes, the signatures
// Fabric's own protobuf definitions read back (bin/fabric-block-json --envelope), the
// same bytes on every run. Before that, nothing.
func TestSignedEnvelopeOnceEnoughSigned(t *testing.T) {
	n := northwindLeaves(t)
	keys := newAdmins(t, n)
	u, err := fabric.ChannelUpdate(n, "trade")
	if err != nil {
		t.Fatal(err)
	}
	sign(t, n, "trade", u, "contoso", n.Parties["contoso"].MSPID, n.MSP["contoso"].Admin, keys["contoso"])
	// fabrikam's entry made with contoso's key: refused, never in the envelope.
	sign(t, n, "trade", u, "fabrikam", n.Parties["fabrikam"].MSPID, n.MSP["fabrikam"].Admin, keys["contoso"])
	if files, err := fabric.SignedUpdates(n); err != nil || len(files) != 0 {
		t.Fatalf("one valid signature of 2 needed: rendered %d files (%v)", len(files), err)
	}
	sign(t, n, "trade", u, "northwind", n.Parties["northwind"].MSPID, n.MSP["northwind"].Admin, keys["northwind"])
	files, err := fabric.SignedUpdates(n)
	if err != nil {
		t.Fatal(err)
	}
	signed, ok := files["channels/trade/updates/1-remove-northwind.signed.pb"]
	if !ok || len(files) != 1 {
		t.Fatalf("rendered %v", files)
	}
	update, _ := configtx.EnvelopeConfigUpdate(u.Envelope)
	if got, err := configtx.EnvelopeConfigUpdate(signed); err != nil || !bytes.Equal(got, update) {
		t.Errorf("the signed envelope's update differs from the unsigned one's (%v)", err)
	}
	again, _ := fabric.SignedUpdates(n)
	if !bytes.Equal(again["channels/trade/updates/1-remove-northwind.signed.pb"], signed) {
		t.Error("two renders differ")
	}

	tool := testenv.Tool(t, "fabric-block-json")
	file := filepath.Join(t.TempDir(), "signed.pb")
	if err := os.WriteFile(file, signed, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, file, "--envelope").Output()
	if err != nil {
		t.Fatalf("fabric-block-json: %v", err)
	}
	var d struct {
		ChannelHeader        struct{ Type int } `json:"channelHeader"`
		ConfigUpdateEnvelope struct{ Signatures int }
	}
	if err := json.Unmarshal(out, &d); err != nil {
		t.Fatal(err)
	}
	if d.ChannelHeader.Type != 2 || d.ConfigUpdateEnvelope.Signatures != 2 {
		t.Errorf("fabric-block-json: %s; want a CONFIG_UPDATE (2) with 2 signatures", out)
	}
}

// Once enough signed, one member's cluster runs the submit Job: the first signer by
// name that stays a member (fabrikam: northwind, which signed too, leaves), in the
// cluster of its first peer, listed in its jobs kustomization, with the signed
// envelope as a ConfigMap beside it. No other party gets one.
func TestSubmitJobInTheFirstSignersCluster(t *testing.T) {
	n := northwindLeaves(t)
	keys := newAdmins(t, n)
	u, err := fabric.ChannelUpdate(n, "trade")
	if err != nil {
		t.Fatal(err)
	}
	sign(t, n, "trade", u, "northwind", n.Parties["northwind"].MSPID, n.MSP["northwind"].Admin, keys["northwind"])
	sign(t, n, "trade", u, "fabrikam", n.Parties["fabrikam"].MSPID, n.MSP["fabrikam"].Admin, keys["fabrikam"])
	renderParty, err := fabric.Renderer(n)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := fabric.SignedUpdates(n)
	if err != nil {
		t.Fatal(err)
	}
	envelope := base64.StdEncoding.EncodeToString(signed["channels/trade/updates/1-remove-northwind.signed.pb"])
	for _, party := range n.PartyNames() {
		files, err := renderParty(n.Parties[party], partyNodesOf(n, party))
		if err != nil {
			t.Fatal(err)
		}
		var submit, configMap, kustomization string
		for p, data := range files {
			switch {
			case strings.HasSuffix(p, "/jobs/kustomization.yaml"):
				kustomization = string(data)
			case strings.HasSuffix(p, "/jobs/channel-update-trade-submit.yaml"):
				submit = p
			case strings.HasSuffix(p, "/jobs/channel-update-trade-envelope.yaml"):
				configMap = string(data)
			}
		}
		if party != "fabrikam" {
			if submit != "" {
				t.Errorf("party %s renders a submit Job (%s): fabrikam is the first signer staying a member", party, submit)
			}
			continue
		}
		if !strings.Contains(kustomization, "channel-update-trade-submit.yaml") || !strings.Contains(kustomization, "channel-update-trade-envelope.yaml") {
			t.Errorf("fabrikam's jobs kustomization:\n%s", kustomization)
		}
		if submit == "" || !strings.Contains(configMap, envelope) {
			t.Errorf("fabrikam: submit Job %q, envelope ConfigMap with the signed envelope: %t", submit, strings.Contains(configMap, envelope))
		}
	}
}

func partyNodesOf(n *model.Network, party string) []model.Node {
	var out []model.Node
	for _, name := range n.NodeNames() {
		if n.Nodes[name].Party == party {
			out = append(out, n.Nodes[name])
		}
	}
	return out
}

// A consenter's update names the orderer to the submit Job by the endpoint the
// channel's config lists it at, the consenter's host and port, so that a second run
// finds it there and submits nothing.
func TestSubmitJobNamesTheConsenter(t *testing.T) {
	n := launchedWithConsenters(t, []string{"contoso-orderer-1", "fabrikam-orderer-1"}, []string{"contoso-orderer-1", "fabrikam-orderer-1", "northwind-orderer-1"})
	keys := newAdmins(t, n)
	u, err := fabric.ChannelUpdate(n, "trade")
	if err != nil {
		t.Fatal(err)
	}
	for _, party := range []string{"fabrikam", "contoso"} {
		sign(t, n, "trade", u, party, n.Parties[party].MSPID, n.MSP[party].Admin, keys[party])
	}
	renderParty, err := fabric.Renderer(n)
	if err != nil {
		t.Fatal(err)
	}
	files, err := renderParty(n.Parties["contoso"], partyNodesOf(n, "contoso"))
	if err != nil {
		t.Fatal(err)
	}
	var job struct {
		Spec struct {
			Template struct {
				Spec struct {
					Containers []struct {
						Env []struct{ Name, Value string }
					}
				}
			}
		}
	}
	for p, data := range files {
		if strings.HasSuffix(p, "/jobs/channel-update-trade-submit.yaml") {
			if err := yaml.Unmarshal(data, &job); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(job.Spec.Template.Spec.Containers) != 1 {
		t.Fatal("contoso, the first signer, renders no submit Job")
	}
	endpoint := n.Nodes["northwind-orderer-1"].Endpoint
	want := map[string]string{"CHANGE": "add-consenter", "ORG": "NorthwindMSP", "CONSENTER": endpoint.Host + ":" + strconv.Itoa(endpoint.Port)}
	for _, e := range job.Spec.Template.Spec.Containers[0].Env {
		if w, ok := want[e.Name]; ok && e.Value == w {
			delete(want, e.Name)
		}
	}
	if len(want) != 0 {
		t.Errorf("the submit Job's env lacks %v: %+v", want, job.Spec.Template.Spec.Containers[0].Env)
	}
}
