package testenv

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"k8s.io/client-go/rest"
)

// Etcd is a real etcd listening on loopback, stopped when the test ends.
type Etcd struct {
	URL string
}

// APIServer is a real kube-apiserver on loopback with RBAC authorization, reached with
// an admin token; stopped when the test ends.
type APIServer struct {
	URL    string
	Config *rest.Config
	Dir    string
	cmd    *exec.Cmd
}

// Stop kills the API server before the test ends (an unreachable cluster).
func (s *APIServer) Stop() {
	syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
}

// FreePort returns a loopback TCP port that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Start runs a tool from bin/ until the test ends (SIGTERM, then SIGKILL), with its
// output in dir/<name>.log, shown when the test fails. The child dies with the test
// process even if the test binary is killed.
func Start(t testing.TB, dir, name string, args []string, env ...string) *exec.Cmd {
	t.Helper()
	logPath := filepath.Join(dir, name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(Tool(t, name), args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
		logFile.Close()
		if t.Failed() {
			if data, err := os.ReadFile(logPath); err == nil {
				tail := data
				if len(tail) > 8000 {
					tail = tail[len(tail)-8000:]
				}
				t.Logf("last output of %s:\n%s", name, tail)
			}
		}
	})
	return cmd
}

// StartEtcd starts etcd with its data in a temporary directory.
func StartEtcd(t testing.TB) *Etcd {
	t.Helper()
	dir := t.TempDir()
	client, peer := FreePort(t), FreePort(t)
	clientURL := fmt.Sprintf("http://127.0.0.1:%d", client)
	peerURL := fmt.Sprintf("http://127.0.0.1:%d", peer)
	Start(t, dir, "etcd", []string{
		"--data-dir", filepath.Join(dir, "data"),
		"--listen-client-urls", clientURL, "--advertise-client-urls", clientURL,
		"--listen-peer-urls", peerURL, "--initial-advertise-peer-urls", peerURL,
		"--initial-cluster", "default=" + peerURL,
		"--unsafe-no-fsync", "--log-level", "warn",
	})
	Eventually(t, "etcd", 30*time.Second, func() error {
		resp, err := http.Get(clientURL + "/health")
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("health: %s", resp.Status)
		}
		return nil
	})
	return &Etcd{URL: clientURL}
}

// StartAPIServer starts a kube-apiserver storing under its own etcd prefix, so several
// "clusters" can share one etcd.
func StartAPIServer(t testing.TB, etcd *Etcd, prefix string) *APIServer {
	t.Helper()
	dir := t.TempDir()
	token := "admin-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	if err := os.WriteFile(filepath.Join(dir, "tokens.csv"), []byte(token+",admin,admin,system:masters\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	keyFile := filepath.Join(dir, "sa.key")
	if err := os.WriteFile(keyFile, keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	port := FreePort(t)
	cmd := Start(t, dir, "kube-apiserver", []string{
		"--etcd-servers", etcd.URL,
		"--etcd-prefix", "/" + prefix,
		"--bind-address", "127.0.0.1",
		"--advertise-address", "127.0.0.1",
		"--secure-port", strconv.Itoa(port),
		"--cert-dir", filepath.Join(dir, "certs"),
		"--token-auth-file", filepath.Join(dir, "tokens.csv"),
		"--authorization-mode", "RBAC",
		"--service-account-issuer", "https://kubernetes.default.svc",
		"--service-account-key-file", keyFile,
		"--service-account-signing-key-file", keyFile,
		"--service-cluster-ip-range", "10.0.0.0/24",
		"--disable-admission-plugins", "ServiceAccount",
		"--enable-priority-and-fairness=false",
		"--v", "1",
	})
	url := fmt.Sprintf("https://127.0.0.1:%d", port)
	config := &rest.Config{
		Host:            url,
		BearerToken:     token,
		TLSClientConfig: rest.TLSClientConfig{Insecure: true}, // self-signed, loopback only
		QPS:             100,
		Burst:           200,
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: insecureTLS()}}
	Eventually(t, "kube-apiserver", 90*time.Second, func() error {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, url+"/readyz", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("readyz: %s", resp.Status)
		}
		return nil
	})
	return &APIServer{URL: url, Config: config, Dir: dir, cmd: cmd}
}

// Eventually polls check until it succeeds, failing the test with check's last error
// once timeout has passed: every wait of the harness is bounded.
func Eventually(t testing.TB, what string, timeout time.Duration, check func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not reached within %s: %v", what, timeout, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
