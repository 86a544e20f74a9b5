package status

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/flux-ledger/flux-ledger/generator/model"
)

// kubeconfig writes a kubeconfig with one context, "ctx", for server; ca is the
// certificate authority it trusts (PEM), none when empty.
func kubeconfig(t *testing.T, server string, ca []byte) string {
	t.Helper()
	config := clientcmdapi.NewConfig()
	config.Clusters["c"] = &clientcmdapi.Cluster{Server: server, CertificateAuthorityData: ca}
	config.AuthInfos["u"] = &clientcmdapi.AuthInfo{Token: "t"}
	config.Contexts["ctx"] = &clientcmdapi.Context{Cluster: "c", AuthInfo: "u"}
	config.CurrentContext = "ctx"
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*config, path); err != nil {
		t.Fatal(err)
	}
	return path
}

func oneCluster(kubeContext string) (*model.Network, model.Cluster) {
	cluster := model.Cluster{Name: "alpha-aks", Party: "alpha", KubeContext: kubeContext, GitOps: model.GitOps{Namespace: "flux-system"}}
	network := &model.Network{
		Parties:  map[string]model.Party{"alpha": {Name: "alpha", Namespace: "ledger-alpha"}},
		Clusters: map[string]model.Cluster{cluster.Name: cluster},
	}
	return network, cluster
}

func selfSigned(t *testing.T) tls.Certificate {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "other"}, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func pemOf(server *httptest.Server) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: server.Certificate().Raw})
}

// Each way of not reaching a cluster is named first, with what changes it, from the
// real client-go errors of a real kubeconfig and real listeners.
func TestStatusLeadsWithTheCause(t *testing.T) {
	closed := refusingAddress(t)
	hang := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer hang.Close()
	unauthorized := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"kind":"Status","apiVersion":"v1","status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}`))
	}))
	defer unauthorized.Close()
	// httptest's servers share one certificate: this one has its own.
	otherCA := httptest.NewUnstartedServer(http.NotFoundHandler())
	otherCA.TLS = &tls.Config{Certificates: []tls.Certificate{selfSigned(t)}}
	otherCA.StartTLS()
	defer otherCA.Close()

	for _, c := range []struct {
		name, kubeContext, kubeconfig string
		timeout                       time.Duration
		state                         string
		lead                          []string
	}{
		{"no such context", "aks-prod", kubeconfig(t, "https://"+closed, nil), time.Second, StateNotConfigured,
			[]string{`no kube context "aks-prod" in the kubeconfig`, "clusters.alpha-aks.kubeContext", "--context-map alpha-aks=<context>"}},
		{"refused", "ctx", kubeconfig(t, "https://"+closed, nil), time.Second, StateUnreachable,
			[]string{"connection refused by " + closed + " (context ctx)"}},
		{"no answer", "ctx", kubeconfig(t, hang.URL, pemOf(hang)), 300 * time.Millisecond, StateUnreachable,
			[]string{"no answer from " + strings.TrimPrefix(hang.URL, "https://") + " within 300ms", "--timeout"}},
		{"unknown CA", "ctx", kubeconfig(t, otherCA.URL, pemOf(hang)), time.Second, StateUnreachable,
			[]string{"TLS: " + strings.TrimPrefix(otherCA.URL, "https://") + "'s certificate is not signed by the context's certificate-authority"}},
		{"credentials", "ctx", kubeconfig(t, unauthorized.URL, pemOf(unauthorized)), time.Second, StateUnreachable,
			[]string{"credentials refused by " + strings.TrimPrefix(unauthorized.URL, "https://") + " (401, context ctx)"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			network, cluster := oneCluster(c.kubeContext)
			opts := Options{Kubeconfig: c.kubeconfig, Timeout: c.timeout}
			ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
			defer cancel()
			got := collectCluster(ctx, network, cluster, opts)
			if got.State != c.state {
				t.Errorf("state %s, want %s (%s)", got.State, c.state, got.Error)
			}
			for _, want := range c.lead {
				if !strings.Contains(got.Error, want) {
					t.Errorf("message %q does not say %q", got.Error, want)
				}
			}
			if !strings.HasPrefix(got.Error, c.lead[0][:8]) {
				t.Errorf("message %q does not lead with the cause", got.Error)
			}
		})
	}
}

// The table leads with how many parties are in each state, puts problems first, says
// what each state it shows means, and exits 2 for a cluster it has no way to reach.
func TestStatusTableSortsProblemsFirstWithALegend(t *testing.T) {
	r := &Report{Clusters: []Cluster{
		{Cluster: "a-ok", Party: "a", State: StateReady, Kustomizations: []Kustomization{{Name: "ledger", State: StateReady}}},
		{Cluster: "b-down", Party: "b", State: StateUnreachable, Error: "connection refused by 10.0.0.1:6443 (context b)"},
		{Cluster: "c-unset", Party: "c", State: StateNotConfigured, Error: `no kube context "c"`},
		{Cluster: "d-failed", Party: "d", State: StateFailed, Kustomizations: []Kustomization{{Name: "ledger", State: StateFailed, Reason: "BuildFailed", Message: "x"}}},
	}}
	var out strings.Builder
	if err := r.Table(&out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(out.String(), "\n")
	if want := "4 parties (4 clusters): 1 Ready, 1 Failed, 1 Unreachable, 1 NotConfigured"; lines[0] != want {
		t.Errorf("summary %q, want %q", lines[0], want)
	}
	var order []string
	for _, l := range lines[3:7] {
		order = append(order, strings.Fields(l)[0])
	}
	if strings.Join(order, " ") != "c-unset b-down d-failed a-ok" {
		t.Errorf("rows in order %v, want the problems first:\n%s", order, out.String())
	}
	legend := unwrapped(strings.Join(lines[8:], "\n"))
	for _, want := range []string{"Ready: applied HEAD", "Failed: ", "Unreachable: ", "NotConfigured: "} {
		if !strings.Contains(legend, want) {
			t.Errorf("legend %q lacks %q", legend, want)
		}
	}
	if strings.Contains(legend, "Behind") {
		t.Errorf("legend %q explains a state no cluster is in", legend)
	}
	if r.ExitCode() != 2 {
		t.Errorf("exit code %d, want 2", r.ExitCode())
	}
}

// refusingAddress is a loopback port bound by a socket that does not listen, held
// until the test ends: a connection to it is refused (the kernel answers RST), and no
// server the test starts afterwards can be given the port, as it can one that was
// listened on and closed.
func refusingAddress(t *testing.T) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("127.0.0.1:%d", sa.(*syscall.SockaddrInet4).Port)
}
