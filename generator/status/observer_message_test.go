package status

import (
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/flux-ledger/flux-ledger/generator/model"
)

const goodMessage = `{"channel":"trade","sequence":"4","members":["AMSP","BMSP"],"consensus":"etcdraft","consenters":["o.a.example:443"],"fetched":"2026-12-06T10:00:00Z"}` + "\n"

// What a cluster's observer pod says is untrusted: status reads only a well-formed
// summary of the channel asked about, and names what it refused without repeating
// more than a bounded part of it.
func TestObserverMessageIsValidated(t *testing.T) {
	if s, err := parseSummary(goodMessage, "trade"); err != nil || s.Sequence != "4" || len(s.Members) != 2 {
		t.Fatalf("good message: %+v, %v", s, err)
	}
	for name, tc := range map[string]struct{ message, want string }{
		"another channel":  {strings.Replace(goodMessage, `"trade"`, `"other"`, 1), `about channel "other", not trade`},
		"not JSON":         {"error: no orderer gave channel trade's config block\n", "not the observer's JSON"},
		"two values":       {goodMessage + goodMessage, "more than one JSON value"},
		"trailing garbage": {strings.TrimSpace(goodMessage) + "x", "more than one JSON value"},
		"negative":         {strings.Replace(goodMessage, `"4"`, `"-1"`, 1), `sequence "-1" is not a number`},
		"over uint64":      {strings.Replace(goodMessage, `"4"`, `"18446744073709551616"`, 1), "is not a number"},
		"escape in member": {strings.Replace(goodMessage, `"BMSP"`, `"B\u001b[2JMSP"`, 1), "is not an MSP ID"},
		"bidi in member":   {strings.Replace(goodMessage, `"BMSP"`, `"B\u202eMSP"`, 1), "is not an MSP ID"},
		"empty member":     {strings.Replace(goodMessage, `"BMSP"`, `""`, 1), "is not an MSP ID"},
		"no port":          {strings.Replace(goodMessage, `o.a.example:443`, `o.a.example`, 1), "is not host:port"},
		"port 0":           {strings.Replace(goodMessage, `:443`, `:0`, 1), "is not host:port"},
		"port too large":   {strings.Replace(goodMessage, `:443`, `:70000`, 1), "is not host:port"},
		"bad time":         {strings.Replace(goodMessage, `2026-12-06T10:00:00Z`, `yesterday`, 1), "not an RFC 3339 time"},
		"wrong type":       {strings.Replace(goodMessage, `"4"`, `4`, 1), "not the observer's JSON"},
		"oversized":        {strings.Replace(goodMessage, `"AMSP"`, `"`+strings.Repeat("A", 5000)+`"`, 1), "more than a termination message holds (4096)"},
		"many members":     {strings.Replace(goodMessage, `"AMSP"`, strings.Repeat(`"A",`, 300)+`"AMSP"`, 1), "302 members"},
	} {
		_, err := parseSummary(tc.message, "trade")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error with %q", name, err, tc.want)
			continue
		}
		if len(err.Error()) > 200 {
			t.Errorf("%s: the error repeats %d bytes of the message", name, len(err.Error()))
		}
	}
}

func observerPod(phase corev1.PodPhase, finished time.Time, exit int32, message string) corev1.Pod {
	return corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{CreationTimestamp: metav1.NewTime(finished.Add(-time.Minute))},
		Status: corev1.PodStatus{Phase: phase, ContainerStatuses: []corev1.ContainerStatus{{Name: "lifecycle", State: corev1.ContainerState{
			Terminated: &corev1.ContainerStateTerminated{ExitCode: exit, Message: message, FinishedAt: metav1.NewTime(finished)},
		}}}},
	}
}

// The newest succeeded run is the observation; a newer failed run is said beside it;
// without a succeeded run the last failure is the cause, its last log line (the
// kubelet's FallbackToLogsOnError tail ends with the script's "error: …").
func TestObservationFromTheNewestRuns(t *testing.T) {
	n := &model.Network{Parties: map[string]model.Party{"a": {Name: "a", MSPID: "AMSP"}, "b": {Name: "b", MSPID: "BMSP"}},
		Nodes: map[string]model.Node{"a-orderer": {Name: "a-orderer", Party: "a", Role: model.RoleOrderer, Endpoint: model.Endpoint{Host: "o.a.example", Port: 443}}}}
	at := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	failedLog := "orderer a-orderer:7050: failed, trying the next one\nerror: no orderer gave channel trade's config block\n"
	older := strings.Replace(goodMessage, `"4"`, `"3"`, 1)

	o := observe(n, "trade", "a", "a-1", []corev1.Pod{
		observerPod(corev1.PodSucceeded, at.Add(-20*time.Minute), 0, older),
		observerPod(corev1.PodFailed, at, 1, failedLog),
		observerPod(corev1.PodSucceeded, at.Add(-10*time.Minute), 0, goodMessage),
		observerPod(corev1.PodRunning, at.Add(time.Minute), 0, ""),
	})
	if o.State != ObservedOK || o.Config.Sequence != 4 || strings.Join(o.Config.Members, ",") != "a,b" || strings.Join(o.Config.Consenters, ",") != "a-orderer" ||
		o.LastRunFailed != "error: no orderer gave channel trade's config block" {
		t.Errorf("observation %+v config %+v", o, o.Config)
	}

	if o := observe(n, "trade", "a", "a-1", []corev1.Pod{observerPod(corev1.PodFailed, at, 1, failedLog)}); o.State != ObservedFailed ||
		o.Cause != "observer failed: error: no orderer gave channel trade's config block" {
		t.Errorf("failed only: %+v", o)
	}
	// Ended by the Job's activeDeadlineSeconds: no container message, the pod's reason.
	deadline := corev1.Pod{Status: corev1.PodStatus{Phase: corev1.PodFailed, Reason: "DeadlineExceeded", Message: "Pod was active on the node longer than the specified deadline"}}
	if o := observe(n, "trade", "a", "a-1", []corev1.Pod{deadline}); o.Cause != "observer failed: DeadlineExceeded: Pod was active on the node longer than the specified deadline" {
		t.Errorf("deadline: %+v", o)
	}
	if o := observe(n, "trade", "a", "a-1", nil); o.State != ObservedNone || o.Cause != "no observer run yet" {
		t.Errorf("no pods: %+v", o)
	}
	// An MSP ID and an endpoint the model does not know are kept apart, by name.
	unknown := strings.Replace(strings.Replace(goodMessage, `"BMSP"`, `"XMSP"`, 1), `o.a.example:443`, `evil.example:443`, 1)
	if o := observe(n, "trade", "a", "a-1", []corev1.Pod{observerPod(corev1.PodSucceeded, at, 0, unknown)}); o.Config == nil ||
		strings.Join(o.Config.UnknownMembers, ",") != "XMSP" || strings.Join(o.Config.UnknownConsenters, ",") != "evil.example:443" || len(o.Config.Consenters) != 0 {
		t.Errorf("unknown: %+v", o)
	}
	// A hostile message in a failed run is clipped.
	if o := observe(n, "trade", "a", "a-1", []corev1.Pod{observerPod(corev1.PodFailed, at, 1, strings.Repeat("x", 10000))}); len(o.Cause) > 400 {
		t.Errorf("failed cause of %d bytes", len(o.Cause))
	}
}
