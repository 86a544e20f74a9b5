package lifecycle

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"slices"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric/ccaas"
)

// connectionAddress reads connection.json's address out of a ccaas package.
func connectionAddress(t *testing.T, pkg []byte) string {
	t.Helper()
	untar := func(data []byte, name string) []byte {
		gz, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		tr := tar.NewReader(gz)
		for {
			hdr, err := tr.Next()
			if err != nil {
				t.Fatalf("%s not found: %v", name, err)
			}
			if hdr.Name == name {
				b, _ := io.ReadAll(tr)
				return b
			}
		}
	}
	var conn struct {
		Address string `json:"address"`
	}
	if err := json.Unmarshal(untar(untar(pkg, "code.tar.gz"), "connection.json"), &conn); err != nil {
		t.Fatal(err)
	}
	return conn.Address
}

// The chaincode server runs with the package ID the peer gives the installed package
// (ccaas.PackageID of the shipped bytes) and listens where connection.json sends the
// peer. CHAINCODE_ID and CHAINCODE_SERVER_ADDRESS are what fabric-samples'
// asset-transfer-basic/chaincode-external/assetTransfer.go reads (commit c9b221e4,
// handing them to fabric-chaincode-go v2.3.0 shim.ChaincodeServer{CCID, Address},
// shim/chaincodeserver.go); test-network/scripts/deployCCAAS.sh sets
// CORE_CHAINCODE_ID_NAME to the same package ID besides.
func TestChaincodeServerRunsTheInstalledPackage(t *testing.T) {
	n := testNetwork()
	for _, party := range n.PartyNames() {
		objects := render(t, n, party)
		cm := objects["chaincode-trade.eu-asset_transfer-package.yaml"].(*corev1.ConfigMap)
		pkg := cm.BinaryData[packageKey]
		id := ccaas.PackageID("asset_transfer_1.0", pkg)

		dep := objects["chaincode-trade.eu-asset_transfer-server.yaml"].(*appsv1.Deployment)
		c := dep.Spec.Template.Spec.Containers[0]
		if got := envOf(c, "CHAINCODE_ID"); got != id {
			t.Errorf("%s: CHAINCODE_ID %s, want %s", party, got, id)
		}
		if got := envOf(c, "CORE_CHAINCODE_ID_NAME"); got != id {
			t.Errorf("%s: CORE_CHAINCODE_ID_NAME %s, want %s", party, got, id)
		}
		if got := envOf(c, "CHAINCODE_SERVER_ADDRESS"); got != "0.0.0.0:9999" {
			t.Errorf("%s: CHAINCODE_SERVER_ADDRESS %s", party, got)
		}
		if c.Image != "registry.example/asset@sha256:33" || c.Ports[0].ContainerPort != 9999 {
			t.Errorf("%s: image %s ports %v", party, c.Image, c.Ports)
		}

		svc := objects["chaincode-trade.eu-asset_transfer-service.yaml"].(*corev1.Service)
		want := svc.Name + "." + n.Parties[party].Namespace + ".svc:9999"
		if got := connectionAddress(t, pkg); got != want {
			t.Errorf("%s: connection.json address %s, want %s", party, got, want)
		}
		for k, v := range svc.Spec.Selector {
			if dep.Spec.Template.Labels[k] != v {
				t.Errorf("%s: the Service does not select the server's pods", party)
			}
		}

		// The install Job installs this package and the approve Job names its ID.
		if got := envOf(jobAt(t, objects, "chaincode-trade.eu-asset_transfer-install.yaml").Spec.Template.Spec.Containers[0], "PACKAGE_ID"); got != id {
			t.Errorf("%s: install PACKAGE_ID %s", party, got)
		}
		if got := envOf(jobAt(t, objects, "chaincode-trade.eu-asset_transfer-approve.yaml").Spec.Template.Spec.Containers[0], "PACKAGE_ID"); got != id {
			t.Errorf("%s: approve PACKAGE_ID %s", party, got)
		}
	}
	// Each party's package holds its own address, hence its own ID.
	if packageIDOf(t, "a") == packageIDOf(t, "b") {
		t.Error("two parties share a package ID")
	}
}

// Only the party's peers reach its chaincode servers, on their ports.
func TestChaincodeServersAdmitOnlyOwnPeers(t *testing.T) {
	objects := render(t, testNetwork(), "a")
	policy := objects["chaincode-servers-networkpolicy.yaml"].(*networkingv1.NetworkPolicy)
	if policy.Spec.PodSelector.MatchLabels[LabelComponent] != ComponentChaincodeServer {
		t.Errorf("selects %v", policy.Spec.PodSelector)
	}
	if len(policy.Spec.Ingress) != 1 || len(policy.Spec.Ingress[0].From) != 1 {
		t.Fatalf("ingress %+v", policy.Spec.Ingress)
	}
	from := policy.Spec.Ingress[0].From[0].PodSelector
	if from.MatchLabels[model.LabelParty] != "a" || from.MatchExpressions[0].Key != model.LabelNode ||
		!slices.Equal(from.MatchExpressions[0].Values, []string{"a-peer0", "a-peer1"}) {
		t.Errorf("from %+v", from)
	}
	if ports := policy.Spec.Ingress[0].Ports; len(ports) != 1 || ports[0].Port.IntValue() != 9999 {
		t.Errorf("ports %+v", ports)
	}
}
