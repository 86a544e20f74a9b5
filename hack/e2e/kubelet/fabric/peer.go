package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// runPeer is `peer node start` (internal/peer/node/start.go) as far as the pod can
// tell:
//   - without vm.endpoint and without chaincode.externalBuilders it panics ("VMEndpoint
//     not set and no ExternalBuilders defined"); with vm.endpoint it registers the
//     "docker" health check, which pings the Docker daemon there
//     (core/container/dockercontroller/dockercontroller.go HealthCheck: "failed to
//     ping to Docker daemon"), so /healthz is 503 wherever no daemon answers;
//   - with the CouchDB state database it connects as statecouchdb does
//     (core/ledger/kvledger/txmgmt/statedb/statecouchdb/couchdb.go verifyCouchConfig:
//     GET / retried maxRetriesOnStartup times on connection errors and 5xx, waiting
//     125 ms doubling (handleRequest); then
//     couchdbutil.go createSystemDatabasesIfNotExist: _users and _replicator, with
//     the admin's security object on _replicator), and registers the "couchdb"
//     health check, a HEAD / (couchdb.go healthCheck: "failed to connect to couch db");
//   - its MSP and TLS key pair load, or it does not start.
func runPeer(getenv func(string) string) (*instance, error) {
	core, err := loadCore(getenv)
	if err != nil {
		return nil, err
	}
	vmEndpoint := core.str("vm.endpoint")
	builders, _ := core.get("chaincode.externalBuilders").([]any)
	if vmEndpoint == "" && len(builders) == 0 {
		return nil, errors.New("panic: VMEndpoint not set and no ExternalBuilders defined")
	}
	msp, err := loadMSP(core.str("peer.mspConfigPath"))
	if err != nil {
		return nil, fmt.Errorf("Failed to initialize local MSP: %w", err)
	}
	if !core.boolean("peer.tls.enabled") {
		return nil, errors.New("the stand-in serves the peer over TLS only: peer.tls.enabled is false")
	}
	var clientCAs []string
	if core.boolean("peer.tls.clientAuthRequired") {
		for _, f := range core.get("peer.tls.clientRootCAs.files").([]any) {
			clientCAs = append(clientCAs, fmt.Sprint(f))
		}
	}
	tlsConfig, err := serverTLS(core.str("peer.tls.cert.file"), core.str("peer.tls.key.file"), clientCAs)
	if err != nil {
		return nil, fmt.Errorf("Failed to set TLS server config: %w", err)
	}
	p := &peer{msp: msp, dir: core.str("peer.fileSystemPath")}
	for _, d := range []string{"ledgersData/chains", "lifecycle/chaincodes"} {
		if err := os.MkdirAll(filepath.Join(p.dir, d), 0o750); err != nil {
			return nil, fmt.Errorf("Failed to create ledger directory: %w", err)
		}
	}
	checks := map[string]checker{}
	if vmEndpoint != "" {
		checks["docker"] = func(ctx context.Context) error {
			if err := pingDocker(ctx, vmEndpoint); err != nil {
				return fmt.Errorf("failed to ping to Docker daemon: %w", err)
			}
			return nil
		}
	}
	if strings.EqualFold(core.str("ledger.state.stateDatabase"), "CouchDB") {
		c := &couchClient{
			base: "http://" + core.str("ledger.state.couchDBConfig.couchDBAddress"),
			user: core.str("ledger.state.couchDBConfig.username"), password: core.str("ledger.state.couchDBConfig.password"),
		}
		retries := 10
		fmt.Sscan(core.str("ledger.state.couchDBConfig.maxRetriesOnStartup"), &retries)
		if err := c.verify(retries); err != nil {
			return nil, fmt.Errorf("panic: Error in instantiating ledger provider: %w", err)
		}
		checks["couchdb"] = c.healthCheck
	}
	in := newInstance()
	listen := func(name, key, def string, h http.Handler) error {
		addr := core.str(key)
		if addr == "" {
			addr = def
		}
		if h == nil {
			return in.tlsOnly(name, addr, tlsConfig)
		}
		return in.listen(name, addr, tlsConfig, h)
	}
	err = errors.Join(
		listen("grpc", "peer.listenAddress", "0.0.0.0:7051", p),
		listen("chaincode", "peer.chaincodeListenAddress", "0.0.0.0:7052", nil),
	)
	if err == nil {
		addr := core.str("operations.listenAddress")
		if addr == "" {
			addr = "127.0.0.1:9443"
		}
		err = in.listen("operations", addr, nil, operations(checks, "2.5.16"))
	}
	if err != nil {
		in.close()
		return nil, err
	}
	return in, nil
}

// pingDocker is the Docker client's Ping: GET /_ping on the endpoint (unix:// or
// tcp://).
func pingDocker(ctx context.Context, endpoint string) error {
	u, err := url.Parse(endpoint)
	if err != nil {
		return err
	}
	transport := &http.Transport{}
	host := u.Host
	if u.Scheme == "unix" {
		transport.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", u.Path)
		}
		host = "docker"
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+host+"/_ping", nil)
	resp, err := (&http.Client{Transport: transport, Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		return fmt.Errorf("Cannot connect to the Docker daemon at %s. Is the docker daemon running?", endpoint)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("ping: %s", resp.Status)
	}
	return nil
}

// couchClient is the peer's CouchDB connection.
type couchClient struct {
	base, user, password string
}

func (c *couchClient) do(ctx context.Context, method, path string, body []byte) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.SetBasicAuth(c.user, c.password)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := (&http.Client{Timeout: 35 * time.Second}).Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, data, nil
}

func (c *couchClient) verify(retries int) error {
	wait := 125 * time.Millisecond
	var err error
	for attempt := 0; attempt <= retries; attempt++ {
		var code int
		if code, _, err = c.do(context.Background(), http.MethodGet, "/", nil); err == nil && code == http.StatusOK {
			break
		}
		if err == nil {
			err = fmt.Errorf("status %d", code)
			if code < 500 { // handleRequest retries connection errors and 5xx only
				break
			}
		}
		time.Sleep(wait)
		wait *= 2
	}
	if err != nil {
		return fmt.Errorf("unable to connect to CouchDB, check the hostname and port: %w", err)
	}
	for _, db := range []string{"_users", "_replicator"} {
		code, body, err := c.do(context.Background(), http.MethodGet, "/"+db, nil)
		if err == nil && code == http.StatusNotFound {
			code, body, err = c.do(context.Background(), http.MethodPut, "/"+db, nil)
		}
		if err == nil && code >= 300 {
			err = fmt.Errorf("%s: %d %s", db, code, body)
		}
		if err == nil && db != "_users" {
			security := fmt.Sprintf(`{"admins":{"names":[%q],"roles":[]},"members":{"names":[%q],"roles":[]}}`, c.user, c.user)
			if code, body, err = c.do(context.Background(), http.MethodPut, "/"+db+"/_security", []byte(security)); err == nil && code >= 300 {
				err = fmt.Errorf("%s/_security: %d %s", db, code, body)
			}
		}
		if err != nil {
			return fmt.Errorf("unable to connect to CouchDB. Check the admin username and password: %w", err)
		}
	}
	return nil
}

func (c *couchClient) healthCheck(ctx context.Context) error {
	code, _, err := c.do(ctx, http.MethodHead, "/", nil)
	if err == nil && code != http.StatusOK {
		err = fmt.Errorf("status %d", code)
	}
	if err != nil {
		return fmt.Errorf("failed to connect to couch db [%w]", err)
	}
	return nil
}

// peer serves the requests of the peer CLI, each signed by its MSP identity and
// checked against the peer's access rules (core/aclmgmt/defaultaclprovider.go):
// cscc/JoinChain, _lifecycle/InstallChaincode and QueryInstalledChaincodes need the
// local MSP's Admins, cscc/GetChannels its Members.
type peer struct {
	mu  sync.Mutex
	msp *localMSP
	dir string
}

// peerRequest is what the stand-in CLI sends the stand-in peer.
type peerRequest struct {
	Op      string `json:"op"`
	Block   []byte `json:"block,omitempty"`
	Package []byte `json:"package,omitempty"`
}

type peerResponse struct {
	Status   int         `json:"status"`
	Message  string      `json:"message,omitempty"`
	Channels []string    `json:"channels,omitempty"`
	Packages [][2]string `json:"packages,omitempty"` // package ID, label
}

func (p *peer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 16<<20))
	resp := peerResponse{Status: http.StatusOK}
	var req peerRequest
	if err == nil {
		err = json.Unmarshal(body, &req)
	}
	if err == nil {
		err = p.authorize(r, body, req.Op)
	}
	if err == nil {
		resp, err = p.handle(req)
	}
	if err != nil {
		resp = peerResponse{Status: http.StatusInternalServerError, Message: err.Error()}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(resp)
}

func (p *peer) authorize(r *http.Request, body []byte, op string) error {
	certPEM, err := base64.StdEncoding.DecodeString(r.Header.Get("X-Fabric-Creator"))
	if err != nil {
		return err
	}
	sig, err := base64.StdEncoding.DecodeString(r.Header.Get("X-Fabric-Signature"))
	if err != nil {
		return err
	}
	cert, err := parseCert(certPEM)
	if err != nil {
		return fmt.Errorf("access denied: %w", err)
	}
	key, ok := cert.PublicKey.(*ecdsa.PublicKey)
	digest := sha256.Sum256(body)
	if !ok || !ecdsa.VerifyASN1(key, digest[:], sig) {
		return errors.New("access denied: the signature is not the creator's")
	}
	if op == "channels" {
		_, err := cert.Verify(verifyAny(p.msp.roots))
		return err
	}
	if err := p.msp.isAdmin(cert); err != nil {
		return fmt.Errorf("access denied for [%s]: %w", op, err)
	}
	return nil
}

func (p *peer) handle(req peerRequest) (peerResponse, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	chains := filepath.Join(p.dir, "ledgersData", "chains")
	installed := filepath.Join(p.dir, "lifecycle", "chaincodes")
	switch req.Op {
	case "channels":
		entries, err := os.ReadDir(chains)
		resp := peerResponse{Status: http.StatusOK}
		for _, e := range entries {
			resp.Channels = append(resp.Channels, e.Name())
		}
		return resp, err
	case "join":
		channel, err := configBlockChannel(req.Block)
		if err != nil {
			return peerResponse{}, fmt.Errorf("failed validating block: %w", err)
		}
		path := filepath.Join(chains, channel)
		if _, err := os.Stat(path); err == nil {
			// core/peer/peer.go CreateChannel and kv_ledger_provider.go.
			return peerResponse{}, fmt.Errorf("cannot create ledger from genesis block: ledger [%s] already exists with state [ACTIVE]", channel)
		}
		return peerResponse{Status: http.StatusOK}, os.WriteFile(path, req.Block, 0o640)
	case "install":
		label, err := packageLabel(req.Package)
		if err != nil {
			return peerResponse{}, fmt.Errorf("failed to invoke backing implementation of 'InstallChaincode': could not parse as a chaincode install package: %w", err)
		}
		// core/chaincode/persistence/persistence.go PackageID and CCFileName;
		// lifecycle.go: a second install of the same package is refused.
		sum := sha256.Sum256(req.Package)
		id := label + ":" + hex.EncodeToString(sum[:])
		file := filepath.Join(installed, strings.Replace(id, ":", ".", 1)+".tar.gz")
		if _, err := os.Stat(file); err == nil {
			return peerResponse{}, fmt.Errorf("failed to invoke backing implementation of 'InstallChaincode': chaincode already successfully installed (package ID '%s')", id)
		}
		return peerResponse{Status: http.StatusOK, Packages: [][2]string{{id, label}}}, os.WriteFile(file, req.Package, 0o640)
	case "queryinstalled":
		entries, err := os.ReadDir(installed)
		resp := peerResponse{Status: http.StatusOK}
		// persistence.go ListInstalledChaincodes reads <label>.<sha256 hex>.tar.gz.
		for _, e := range entries {
			name := strings.TrimSuffix(e.Name(), ".tar.gz")
			if len(name) < 66 || name[len(name)-65] != '.' {
				continue
			}
			label := name[:len(name)-65]
			resp.Packages = append(resp.Packages, [2]string{label + ":" + name[len(name)-64:], label})
		}
		return resp, err
	}
	return peerResponse{}, fmt.Errorf("unknown operation %q", req.Op)
}

// packageLabel reads the label of a chaincode install package: a gzipped tar whose
// metadata.json holds {"label": …} (core/chaincode/persistence/chaincode_package.go
// ParseChaincodePackage, MetadataFile).
func packageLabel(pkg []byte) (string, error) {
	zr, err := gzip.NewReader(bytes.NewReader(pkg))
	if err != nil {
		return "", err
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err != nil {
			return "", errors.New("did not find any package metadata (missing metadata.json)")
		}
		if h.Name == "metadata.json" {
			var m struct {
				Label string `json:"label"`
			}
			if err := json.NewDecoder(tr).Decode(&m); err != nil {
				return "", err
			}
			if m.Label == "" {
				return "", errors.New("empty label")
			}
			return m.Label, nil
		}
	}
}
