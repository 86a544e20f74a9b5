package lifecycle

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
)

// realBlockJSON is what the real configtxlator (built from Fabric v2.5.16) printed for
// `proto_decode --type common.Block` of a running Raft channel's config block: the
// block in ../configtx/testdata/fabric-v2.5.16/ (sequence 1; members Contoso, Fabrikam,
// Northwind and Tailspin; three consenters; ContosoMSP's one anchor peer).
const realBlockJSON = "testdata/fabric-v2.5.16/fabnet-1.block.json"

// withRealConfigtxlator replaces the fake configtxlator in bin by one that prints the
// real program's output, so that the scripts' jq reads what Fabric prints, not what
// the fake says it prints.
func withRealConfigtxlator(t *testing.T, bin string) string {
	t.Helper()
	real, err := filepath.Abs(realBlockJSON)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, bin, "configtxlator", "#!/usr/bin/env bash\nprintf 'configtxlator %s\\n' \"$*\" >> \"$FAKE/calls\"\nexec cat "+real+"\n")
	if err := os.Chmod(filepath.Join(bin, "configtxlator"), 0o755); err != nil {
		t.Fatal(err)
	}
	return real
}

// The submit Job's reading of the config, on real configtxlator output: each kind of
// change already in the config is found done, and an anchor-peers change not yet in it,
// computed against that config's sequence, is submitted (the channel is the test
// network's: the script reads the config it is given).
func TestSubmitJobReadsRealConfigtxlatorOutput(t *testing.T) {
	needJQ(t)
	n := testNetwork()
	for _, tc := range []struct {
		name string
		s    ChannelSubmission
		want string
	}{
		{"member", ChannelSubmission{Sequence: 1, Change: "add", Organisation: "TailspinMSP"}, "already holds the update (add TailspinMSP) at config sequence 1"},
		{"consenter", ChannelSubmission{Sequence: 1, Change: "add-consenter", Organisation: "ContosoMSP", Consenter: "contoso-orderer-1.fabnet.contoso.example:7050"},
			"already holds the update (add-consenter ContosoMSP contoso-orderer-1.fabnet.contoso.example:7050) at config sequence 1"},
		{"anchors held", ChannelSubmission{Sequence: 1, Change: "anchor-peers", Organisation: "ContosoMSP", Anchors: []string{"contoso-peer-1.fabnet.contoso.example:7051"}},
			"already holds the update (anchor-peers ContosoMSP) at config sequence 1"},
		{"anchors new", ChannelSubmission{Sequence: 2, Change: "anchor-peers", Organisation: "ContosoMSP", Anchors: []string{"contoso-peer-1.fabnet.contoso.example:7051", "contoso-peer-2.fabnet.contoso.example:7051"}},
			"submitted the update of channel trade.eu (anchor-peers ContosoMSP) to config sequence 2"},
		{"leave", ChannelSubmission{Sequence: 2, Change: "remove", Organisation: "TailspinMSP"}, "submitted the update of channel trade.eu (remove TailspinMSP) to config sequence 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.s.Channel, tc.s.Envelope = "trade.eu", []byte("signed envelope")
			objects, err := SubmitObjects(n, n.Parties["a"], partyNodes(n, "a"), tc.s)
			if err != nil {
				t.Fatal(err)
			}
			bin, state := fakeCLIs(t)
			withRealConfigtxlator(t, bin)
			writeFile(t, state, "config", "1 ContosoMSP\n") // what the fake fetch writes; the real output is read instead
			dir := t.TempDir()
			writeFile(t, dir, "update.pb", "signed envelope")
			out, err := runJob(t, jobAt(t, objects, "channel-update-trade.eu-submit.yaml"), bin, state, "HOME="+t.TempDir(), "ENVELOPE="+dir+"/update.pb")
			if err != nil || !strings.Contains(out, tc.want) {
				t.Errorf("%v\n%s\nwant %q", err, out, tc.want)
			}
		})
	}
}

// The channel observer's summary of real configtxlator output.
func TestChannelObserverReadsRealConfigtxlatorOutput(t *testing.T) {
	needJQ(t)
	cron := observerAt(t, render(t, testNetwork(), "a"), "observe-trade.eu.yaml")
	bin, state := fakeCLIs(t)
	withRealConfigtxlator(t, bin)
	writeFile(t, state, "config", "1 ContosoMSP\n")
	file := filepath.Join(t.TempDir(), "termination-log")
	if _, err := runJob(t, &batchv1.Job{Spec: cron.Spec.JobTemplate.Spec}, bin, state, "HOME="+t.TempDir(), "TERMINATION_MESSAGE="+file); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var summary struct {
		Sequence   string   `json:"sequence"`
		Members    []string `json:"members"`
		Consensus  string   `json:"consensus"`
		Consenters []string `json:"consenters"`
	}
	if err := json.Unmarshal(data, &summary); err != nil {
		t.Fatalf("%v: %s", err, data)
	}
	if summary.Sequence != "1" || !slices.Equal(summary.Members, []string{"ContosoMSP", "FabrikamMSP", "NorthwindMSP", "TailspinMSP"}) || summary.Consensus != "etcdraft" ||
		!slices.Equal(summary.Consenters, []string{"contoso-orderer-1.fabnet.contoso.example:7050", "fabrikam-orderer-1.fabnet.fabrikam.example:7050", "northwind-orderer-1.fabnet.northwind.example:7050"}) {
		t.Errorf("summary %s", data)
	}
}
