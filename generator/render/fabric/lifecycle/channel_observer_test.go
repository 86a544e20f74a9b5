package lifecycle

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/flux-ledger/flux-ledger/generator/identity"
	"github.com/flux-ledger/flux-ledger/generator/model"
)

func observerAt(t *testing.T, objects map[string]any, file string) *batchv1.CronJob {
	t.Helper()
	cron, ok := objects[file].(*batchv1.CronJob)
	if !ok {
		t.Fatalf("%s is %T, want a CronJob; files: %v", file, objects[file], slices.Sorted(mapKeys(objects)))
	}
	return cron
}

// Every member party observes each launched channel once, from the cluster of its
// first peer: a CronJob every 10 minutes, one run at a time, keeping the last
// succeeded and the last failed run, its pods labelled for status to find.
func TestChannelObserverIsACronJobPerMember(t *testing.T) {
	n := testNetwork()
	for _, party := range n.PartyNames() {
		cron := observerAt(t, render(t, n, party), "observe-trade.eu.yaml")
		s := cron.Spec
		if s.Schedule != "*/10 * * * *" || s.ConcurrencyPolicy != batchv1.ForbidConcurrent ||
			s.SuccessfulJobsHistoryLimit == nil || *s.SuccessfulJobsHistoryLimit != 1 || s.FailedJobsHistoryLimit == nil || *s.FailedJobsHistoryLimit != 1 {
			t.Errorf("%s: spec %+v", party, s)
		}
		if cron.Namespace != n.Parties[party].Namespace || cron.Name != ObserverName("trade.eu") {
			t.Errorf("%s: %s/%s", party, cron.Namespace, cron.Name)
		}
		// The CronJob controller appends 11 characters to name a Job (kubernetes
		// pkg/apis/batch/validation/validation.go: at most 52).
		if len(cron.Name) > 52 || len(validation.IsDNS1123Label(cron.Name)) > 0 {
			t.Errorf("%s: name %q", party, cron.Name)
		}
		pod := s.JobTemplate.Spec.Template
		if pod.Labels[LabelComponent] != ComponentChannelObserver || pod.Labels[LabelChannel] != ObserverChannelLabel("trade.eu") ||
			len(validation.IsValidLabelValue(pod.Labels[LabelChannel])) > 0 {
			t.Errorf("%s: pod labels %v", party, pod.Labels)
		}
		if b := s.JobTemplate.Spec.BackoffLimit; b == nil || *b != 0 || s.JobTemplate.Spec.ActiveDeadlineSeconds == nil {
			t.Errorf("%s: job spec %+v", party, s.JobTemplate.Spec)
		}
		c := pod.Spec.Containers[0]
		if c.TerminationMessagePolicy != corev1.TerminationMessageFallbackToLogsOnError || c.TerminationMessagePath != "" {
			t.Errorf("%s: termination message %q %q", party, c.TerminationMessagePolicy, c.TerminationMessagePath)
		}
	}
	// A long channel name still gives a valid CronJob name and label, distinct per channel.
	long := strings.Repeat("channel.", 10) + "x"
	if name := ObserverName(long); len(name) > 52 || ObserverName(long+"y") == name || len(validation.IsValidLabelValue(ObserverChannelLabel(long))) > 0 {
		t.Errorf("long name %q, label %q", name, ObserverChannelLabel(long))
	}
}

// The observer holds no admin key: it reads as the party's first peer, with that
// peer's signing and TLS keys only.
func TestChannelObserverReadsAsThePeerNotTheAdmin(t *testing.T) {
	cron := observerAt(t, render(t, testNetwork(), "a"), "observe-trade.eu.yaml")
	var secrets []string
	for _, v := range cron.Spec.JobTemplate.Spec.Template.Spec.Volumes {
		if v.Projected == nil {
			continue
		}
		for _, s := range v.Projected.Sources {
			if s.Secret != nil {
				for _, item := range s.Secret.Items {
					secrets = append(secrets, s.Secret.Name+"/"+item.Key)
				}
			}
		}
	}
	want := []string{identity.SecretName("a-peer0") + "/sign.key", identity.SecretName("a-peer0") + "/tls.key"}
	if !slices.Equal(secrets, want) {
		t.Errorf("secrets read %v, want %v (never %s)", secrets, want, identity.FabricAdminSecret)
	}
	c := cron.Spec.JobTemplate.Spec.Template.Spec.Containers[0]
	if envOf(c, "CORE_PEER_LOCALMSPID") != "AMSP" || !strings.HasPrefix(envOf(c, "ORDERERS"), "a-orderer0:7050,") {
		t.Errorf("env %+v", c.Env)
	}
}

// A cluster of the party without its first peer observes nothing: another of its
// clusters does, so each channel is observed once per party.
func TestChannelObserverOnlyWithThePartysFirstPeer(t *testing.T) {
	n := testNetwork()
	objects, err := Objects(n, n.Parties["a"], []model.Node{n.Nodes["a-orderer0"], n.Nodes["a-peer1"]})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := objects["observe-trade.eu.yaml"]; ok {
		t.Error("a cluster without a-peer0 observes trade.eu")
	}
}

// runObserver runs the observer's script with the fake CLIs; the termination message
// goes to a file.
func runObserver(t *testing.T, config string, extra ...string) (out, message string, err error) {
	t.Helper()
	needJQ(t)
	cron := observerAt(t, render(t, testNetwork(), "a"), "observe-trade.eu.yaml")
	bin, state := fakeCLIs(t)
	writeFile(t, state, "config", config)
	for _, e := range extra {
		name, value, _ := strings.Cut(e, "=")
		writeFile(t, state, name, value)
	}
	file := filepath.Join(t.TempDir(), "termination-log")
	writeFile(t, filepath.Dir(file), "termination-log", "")
	out, err = runJob(t, &batchv1.Job{Spec: cron.Spec.JobTemplate.Spec}, bin, state, "HOME="+t.TempDir(), "TERMINATION_MESSAGE="+file)
	data, rerr := os.ReadFile(file)
	if rerr != nil {
		t.Fatal(rerr)
	}
	return out, string(data), err
}

var rfc3339UTC = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)

// decodeSummary reads the message as status does; the fields are checked against
// values written by hand.
func decodeSummary(t *testing.T, message string) ObserverSummary {
	t.Helper()
	if strings.Count(message, "\n") != 1 || !strings.HasSuffix(message, "\n") {
		t.Fatalf("message is not one line: %q", message)
	}
	var s ObserverSummary
	dec := json.NewDecoder(strings.NewReader(message))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		t.Fatalf("%v: %q", err, message)
	}
	if !rfc3339UTC.MatchString(s.Fetched) {
		t.Errorf("fetched %q", s.Fetched)
	} else if at, _ := time.Parse(time.RFC3339, s.Fetched); time.Since(at) > time.Minute || time.Since(at) < -time.Minute {
		t.Errorf("fetched %s, not now", s.Fetched)
	}
	return s
}

// A Raft channel: sequence, members and the etcdraft consenters, sorted, in one line.
func TestChannelObserverSummarisesARaftConfig(t *testing.T) {
	out, message, err := runObserver(t, "7 CMSP AMSP BMSP\netcdraft orderer0.c.example:443 orderer0.a.example:443 orderer0.b.example:443\n")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	s := decodeSummary(t, message)
	if s.Channel != "trade.eu" || s.Sequence != "7" || s.Consensus != "etcdraft" ||
		!slices.Equal(s.Members, []string{"AMSP", "BMSP", "CMSP"}) ||
		!slices.Equal(s.Consenters, []string{"orderer0.a.example:443", "orderer0.b.example:443", "orderer0.c.example:443"}) {
		t.Errorf("summary %+v", s)
	}
	if !strings.Contains(out, `"sequence":"7"`) {
		t.Errorf("the log does not show the summary:\n%s", out)
	}
}

// A BFT channel keeps its consenters in /Channel/Orderer's Orderers value.
func TestChannelObserverSummarisesABFTConfig(t *testing.T) {
	out, message, err := runObserver(t, "0 AMSP\nBFT orderer0.a.example:443 orderer1.a.example:8443\n")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	s := decodeSummary(t, message)
	if s.Sequence != "0" || s.Consensus != "BFT" || !slices.Equal(s.Consenters, []string{"orderer0.a.example:443", "orderer1.a.example:8443"}) {
		t.Errorf("summary %+v", s)
	}
}

// An orderer that does not answer is passed for the next; when none answers, the run
// fails with the reason last in its log (which the kubelet makes the termination
// message) and writes no summary.
func TestChannelObserverWithOrderersThatDoNotAnswer(t *testing.T) {
	out, message, err := runObserver(t, "3 AMSP BMSP CMSP\netcdraft orderer0.a.example:443\n", "orderer-down=a-orderer0:7050")
	if err != nil || decodeSummary(t, message).Sequence != "3" || !strings.Contains(out, "orderer a-orderer0:7050: failed, trying the next one") {
		t.Errorf("one orderer down: %v\n%s", err, out)
	}

	// Every orderer down: the fake refuses every address it is given.
	needJQ(t)
	cron := observerAt(t, render(t, testNetwork(), "a"), "observe-trade.eu.yaml")
	bin, state := fakeCLIs(t)
	writeFile(t, state, "config", "3 AMSP\n")
	writeFile(t, bin, "peer", "#!/usr/bin/env bash\nprintf 'Error: failed to create new connection: context deadline exceeded\\n' >&2\nexit 1\n")
	file := filepath.Join(t.TempDir(), "termination-log")
	out, err = runJob(t, &batchv1.Job{Spec: cron.Spec.JobTemplate.Spec}, bin, state, "HOME="+t.TempDir(), "TERMINATION_MESSAGE="+file)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if err == nil || lines[len(lines)-1] != "error: no orderer gave channel trade.eu's config block" {
		t.Errorf("every orderer down: %v\n%s", err, out)
	}
	if _, statErr := os.Stat(file); !os.IsNotExist(statErr) {
		t.Error("a failed run wrote a termination message: the kubelet would not fall back to the log")
	}
}

// A block without a config, or whose summary would not fit the 4096 bytes the kubelet
// keeps, fails the run rather than leaving a message status cannot read.
func TestChannelObserverRefusesWhatItCannotSummarise(t *testing.T) {
	var orgs []string
	for i := range 400 {
		orgs = append(orgs, "Organisation"+strings.Repeat("x", 5)+string(rune('A'+i%26))+strings.Repeat("0", i/26))
	}
	out, message, err := runObserver(t, "1 "+strings.Join(orgs, " ")+"\n")
	if err == nil || message != "" || !strings.Contains(out, "more than a termination message keeps (4096)") {
		t.Errorf("oversized: %v, message %d bytes\n%s", err, len(message), out)
	}
}

// The fake configtxlator's /Channel/Orderer reads as the cited protolator prints it:
// the ConsensusType value's type and metadata (etcdraft.ConfigMetadata, proto field
// names), the BFT Orderers value's consenter_mapping, and uint32 ports as JSON numbers
// (a string would not decode into a uint32 here).
func TestFakeConfigtxlatorPrintsTheOrdererGroupAsFabric(t *testing.T) {
	type consenter struct {
		Host string `json:"host"`
		Port uint32 `json:"port"`
		ID   uint32 `json:"id"`
	}
	var decoded struct {
		Data struct {
			Data []struct {
				Payload struct {
					Data struct {
						Config struct {
							ChannelGroup struct {
								Groups struct {
									Orderer struct {
										Values struct {
											ConsensusType struct {
												Value struct {
													Type     string `json:"type"`
													Metadata struct {
														Consenters []consenter `json:"consenters"`
													} `json:"metadata"`
												} `json:"value"`
											} `json:"ConsensusType"`
											Orderers *struct {
												Value struct {
													ConsenterMapping []consenter `json:"consenter_mapping"`
												} `json:"value"`
											} `json:"Orderers"`
										} `json:"values"`
									} `json:"Orderer"`
								} `json:"groups"`
							} `json:"channel_group"`
						} `json:"config"`
					} `json:"data"`
				} `json:"payload"`
			} `json:"data"`
		} `json:"data"`
	}
	for _, tc := range []struct{ consensus, want string }{{"etcdraft", "[{o.a.example 443 0}]"}, {"BFT", "[{o.a.example 443 1}]"}} {
		bin, state := fakeCLIs(t)
		writeFile(t, state, "block", "2 AMSP\n"+tc.consensus+" o.a.example:443\n")
		stdout, _, code := runFake(t, bin, state, "configtxlator", nil, "proto_decode", "--input", filepath.Join(state, "block"), "--type", "common.Block")
		decoded.Data.Data = nil
		if err := json.Unmarshal([]byte(stdout), &decoded); err != nil || code != 0 || len(decoded.Data.Data) != 1 {
			t.Fatalf("%s: exit %d, %v\n%s", tc.consensus, code, err, stdout)
		}
		values := decoded.Data.Data[0].Payload.Data.Config.ChannelGroup.Groups.Orderer.Values
		got := values.ConsensusType.Value.Metadata.Consenters
		if tc.consensus == "BFT" {
			if values.Orderers == nil || len(got) != 0 {
				t.Fatalf("BFT: Orderers %+v, etcdraft consenters %+v", values.Orderers, got)
			}
			got = values.Orderers.Value.ConsenterMapping
		}
		if values.ConsensusType.Value.Type != tc.consensus || fmt.Sprint(got) != tc.want {
			t.Errorf("%s: type %q, consenters %v, want %s", tc.consensus, values.ConsensusType.Value.Type, got, tc.want)
		}
	}
}
