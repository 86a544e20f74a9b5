package lifecycle

import (
	"encoding/json"
	"os/exec"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

// submission renders party a's submit Job for channel trade.eu: organisation DMSP
// joining, from config sequence 4 to 5.
func submission(t *testing.T, change, org string) (map[string]any, []byte) {
	t.Helper()
	n := testNetwork()
	envelope := []byte("signed envelope of trade.eu")
	s := ChannelSubmission{Channel: "trade.eu", Sequence: 5, Change: change, Organisation: org, Envelope: envelope}
	if strings.HasSuffix(change, "-consenter") {
		s.Consenter = "orderer1.d.example:7050"
	}
	if change == "renew-consenter" {
		s.ConsenterTLS = []byte("renewed certificate")
	}
	if change == "anchor-peers" {
		s.Anchors = []string{"peer0.d.example:7051", "peer1.d.example:7051"}
	}
	objects, err := SubmitObjects(n, n.Parties["a"], partyNodes(n, "a"), s)
	if err != nil {
		t.Fatal(err)
	}
	return objects, envelope
}

func needJQ(t *testing.T) {
	t.Helper()
	// The tools image installs jq (Fabric v2.5.16 images/tools/Dockerfile); the script
	// runs the real one here.
	if _, err := exec.LookPath("jq"); err != nil {
		t.Skip("no jq")
	}
}

// The envelope is a ConfigMap the Job mounts; the Job runs channel-update.sh as the
// party's admin with the channel's orderers, its name hashing the envelope.
func TestSubmitJobMountsTheSignedEnvelope(t *testing.T) {
	objects, envelope := submission(t, "add", "DMSP")
	cm, ok := objects["channel-update-trade.eu-envelope.yaml"].(*corev1.ConfigMap)
	if !ok || string(cm.BinaryData["update.pb"]) != string(envelope) || cm.Namespace != "ledger-a" {
		t.Fatalf("envelope ConfigMap: %+v", objects["channel-update-trade.eu-envelope.yaml"])
	}
	job := jobAt(t, objects, "channel-update-trade.eu-submit.yaml")
	c := job.Spec.Template.Spec.Containers[0]
	if envOf(c, "ENVELOPE") != "/etc/flux-ledger/update/update.pb" || envOf(c, "SEQUENCE") != "5" || envOf(c, "ORG") != "DMSP" ||
		envOf(c, "CORE_PEER_LOCALMSPID") != "AMSP" || !strings.HasPrefix(envOf(c, "ORDERERS"), "a-orderer0:7050,") {
		t.Errorf("env %+v", c.Env)
	}
	var mounted bool
	for _, v := range job.Spec.Template.Spec.Volumes {
		if v.ConfigMap != nil && v.ConfigMap.Name == cm.Name {
			mounted = true
		}
	}
	if !mounted {
		t.Error("the Job does not mount the envelope ConfigMap")
	}
	other, _ := SubmitObjects(testNetwork(), testNetwork().Parties["a"], partyNodes(testNetwork(), "a"), ChannelSubmission{
		Channel: "trade.eu", Sequence: 5, Change: "add", Organisation: "DMSP", Envelope: []byte("another envelope"),
	})
	if jobAt(t, other, "channel-update-trade.eu-submit.yaml").Name == job.Name {
		t.Error("another envelope, the same Job name: Flux would not run it")
	}
}

// The Job submits once: it reads the channel's config (peer channel fetch config,
// configtxlator proto_decode), submits when the config is the one the update was
// computed against, and exits 0 without submitting once the channel holds the change.
func TestSubmitJobSubmitsOnce(t *testing.T) {
	needJQ(t)
	for _, tc := range []struct{ change, before, after string }{
		{"add", "4 AMSP BMSP CMSP", "5 AMSP BMSP CMSP DMSP"},
		{"remove", "4 AMSP BMSP CMSP DMSP", "5 AMSP BMSP CMSP"},
		{"add-consenter", "4 AMSP BMSP CMSP DMSP\netcdraft orderer0.d.example:7050", "5 AMSP BMSP CMSP DMSP\netcdraft orderer0.d.example:7050 orderer1.d.example:7050"},
		{"remove-consenter", "4 AMSP BMSP CMSP DMSP\netcdraft orderer0.d.example:7050 orderer1.d.example:7050", "5 AMSP BMSP CMSP DMSP\netcdraft orderer0.d.example:7050"},
		{"add-consenter", "4 AMSP BMSP CMSP DMSP\nBFT orderer0.d.example:7050", "5 AMSP BMSP CMSP DMSP\nBFT orderer0.d.example:7050 orderer1.d.example:7050"},
		// base64 of "old certificate", then of "renewed certificate".
		{"renew-consenter", "4 AMSP BMSP CMSP DMSP\netcdraft orderer1.d.example:7050@b2xkIGNlcnRpZmljYXRl", "5 AMSP BMSP CMSP DMSP\netcdraft orderer1.d.example:7050@cmVuZXdlZCBjZXJ0aWZpY2F0ZQ=="},
		{"anchor-peers", "4 AMSP BMSP CMSP DMSP=peer0.d.example:7051", "5 AMSP BMSP CMSP DMSP=peer0.d.example:7051,peer1.d.example:7051"},
	} {
		t.Run(tc.change, func(t *testing.T) {
			objects, _ := submission(t, tc.change, "DMSP")
			job := jobAt(t, objects, "channel-update-trade.eu-submit.yaml")
			bin, state := fakeCLIs(t)
			writeFile(t, state, "config", tc.before+"\n")
			writeFile(t, state, "config-after-update", tc.after+"\n")
			home := "HOME=" + t.TempDir()
			// The envelope where the ConfigMap would be mounted.
			dir := t.TempDir()
			writeFile(t, dir, "update.pb", "signed envelope of trade.eu")
			envelope := "ENVELOPE=" + dir + "/update.pb"
			out, err := runJob(t, job, bin, state, home, envelope)
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			got := calls(t, state)
			if len(got) != 3 || !strings.HasPrefix(got[0], "peer@a-peer0:7051 channel fetch config ") ||
				!strings.HasPrefix(got[1], "configtxlator proto_decode --input ") ||
				!strings.HasPrefix(got[2], "peer@a-peer0:7051 channel update -f "+dir+"/update.pb -c trade.eu -o a-orderer0:7050 --tls") {
				t.Errorf("calls %q", got)
			}
			what := tc.change + " DMSP"
			if strings.HasSuffix(tc.change, "-consenter") {
				what += " orderer1.d.example:7050"
			}
			if !strings.Contains(out, "submitted the update of channel trade.eu ("+what+") to config sequence 5") {
				t.Errorf("output:\n%s", out)
			}
			out, err = runJob(t, job, bin, state, home, envelope)
			if err != nil || !strings.Contains(out, "already holds the update ("+what+") at config sequence 5: nothing to submit") {
				t.Errorf("second run: %v\n%s", err, out)
			}
			if got := calls(t, state); slices.ContainsFunc(got, func(c string) bool { return strings.Contains(c, "channel update") }) {
				t.Errorf("second run submitted again: %q", got)
			}
		})
	}
}

// A channel that moved on without the change (its config at another sequence) makes
// the update stale: reported, exit 1, nothing submitted. An orderer that does not
// answer is skipped for the next one.
func TestSubmitJobReportsAStaleUpdate(t *testing.T) {
	needJQ(t)
	objects, _ := submission(t, "add", "DMSP")
	job := jobAt(t, objects, "channel-update-trade.eu-submit.yaml")
	bin, state := fakeCLIs(t)
	writeFile(t, state, "config", "6 AMSP BMSP CMSP\n")
	writeFile(t, state, "orderer-down", "a-orderer0:7050")
	out, err := runJob(t, job, bin, state, "HOME="+t.TempDir())
	if err == nil || !strings.Contains(out, "stale: channel trade.eu is at config sequence 6, and the update (add DMSP) was computed against sequence 4") {
		t.Errorf("stale: %v\n%s", err, out)
	}
	got := calls(t, state)
	if slices.ContainsFunc(got, func(c string) bool { return strings.Contains(c, "channel update") }) ||
		!strings.Contains(strings.Join(got, "\n"), "-o orderer0.b.example:443") {
		t.Errorf("calls %q: want the fetch retried on b's orderer and no update", got)
	}
}

// The fake configtxlator prints what the cited protolator prints for a config block:
// JSON that encoding/json reads back with the proto field names, the sequence a
// string (jsonpb's uint64), every org group keyed by its name; the fake fetch writes
// the block file and logs on stderr only.
func TestFakeConfigtxlatorAnswersAsFabric(t *testing.T) {
	bin, state := fakeCLIs(t)
	writeFile(t, state, "config", "0 AMSP BMSP\n")
	block := t.TempDir() + "/config.block"
	stdout, stderr, code := runFake(t, bin, state, "peer", nil, "channel", "fetch", "config", block, "-c", "trade.eu", "-o", "a-orderer0:7050")
	if code != 0 || stdout != "" || stderr != "Retrieving last config block: 0\n" {
		t.Errorf("fetch: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	stdout, _, code = runFake(t, bin, state, "configtxlator", nil, "proto_decode", "--input", block, "--type", "common.Block")
	var decoded struct {
		Data struct {
			Data []struct {
				Payload struct {
					Data struct {
						Config struct {
							Sequence     string `json:"sequence"`
							ChannelGroup struct {
								Groups map[string]struct {
									Groups map[string]any `json:"groups"`
								} `json:"groups"`
							} `json:"channel_group"`
						} `json:"config"`
					} `json:"data"`
				} `json:"payload"`
			} `json:"data"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(stdout), &decoded); err != nil || code != 0 || len(decoded.Data.Data) != 1 {
		t.Fatalf("proto_decode: exit %d, %v\n%s", code, err, stdout)
	}
	config := decoded.Data.Data[0].Payload.Data.Config
	if config.Sequence != "0" || len(config.ChannelGroup.Groups["Application"].Groups) != 2 || config.ChannelGroup.Groups["Application"].Groups["BMSP"] == nil {
		t.Errorf("decoded %+v", config)
	}
}
