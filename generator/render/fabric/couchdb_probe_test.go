package fabric_test

import (
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/flux-ledger/flux-ledger/generator/model"
)

// CouchDB is ready when GET /_up answers 200 ("Confirms that the server is up, running,
// and ready to respond to requests"; 404 in maintenance mode: docs.couchdb.org
// api/server/common.html, "/_up"). It listens on 127.0.0.1 only (the 20-loopback.ini
// of default.d) while the kubelet's httpGet dials the pod IP, so the probe runs curl
// inside the container: apache/couchdb-docker 3.3.3/Dockerfile purges the curl it
// fetched the signing key with, then installs the couchdb package, which depends on
// curl (apache/couchdb-pkg debian/control.in "Depends: adduser, curl, …"). -f makes an
// HTTP error a failure.
func TestCouchDBIsReadyWhenItsUpEndpointAnswers(t *testing.T) {
	n := referenceNetwork(t)
	for name, sts := range statefulSets(t, n) {
		if n.Nodes[name].Role != model.RolePeer {
			continue
		}
		var couch *corev1.Container
		for i, c := range sts.Spec.Template.Spec.Containers {
			if c.Name == "couchdb" {
				couch = &sts.Spec.Template.Spec.Containers[i]
			}
		}
		if couch == nil {
			t.Fatalf("%s: no CouchDB container", name)
		}
		for kind, p := range map[string]*corev1.Probe{"startup": couch.StartupProbe, "readiness": couch.ReadinessProbe} {
			if p == nil || p.Exec == nil || p.HTTPGet != nil {
				t.Errorf("%s: CouchDB %s probe %+v is not an exec probe", name, kind, p)
				continue
			}
			cmd := p.Exec.Command
			if len(cmd) == 0 || cmd[0] != "curl" || !slices.Contains(cmd, "-fsS") ||
				cmd[len(cmd)-1] != "http://127.0.0.1:5984/_up" {
				t.Errorf("%s: CouchDB %s probe runs %q", name, kind, cmd)
			}
			if p.TimeoutSeconds < 1 || p.FailureThreshold < 1 {
				t.Errorf("%s: CouchDB %s probe timing %+v", name, kind, p)
			}
		}
	}
}
