package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protowire"
)

// org is one organisation's material, laid out as the rendered pods mount it.
type org struct {
	dir       string
	caKey     *ecdsa.PrivateKey
	ca        *x509.Certificate
	caFile    string
	serial    int64
	mspConfig string
}

func newOrg(t *testing.T) *org {
	t.Helper()
	o := &org{dir: t.TempDir()}
	o.caKey, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ca.test"}, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &o.caKey.PublicKey, o.caKey)
	if err != nil {
		t.Fatal(err)
	}
	o.ca, _ = x509.ParseCertificate(der)
	o.caFile = o.write(t, "ca.pem", pemOf("CERTIFICATE", der), 0o644)
	o.mspConfig = "NodeOUs:\n  Enable: true\n  AdminOUIdentifier:\n    Certificate: cacerts/ca.pem\n    OrganizationalUnitIdentifier: admin\n"
	return o
}

func pemOf(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

func (o *org) write(t *testing.T, name string, data []byte, mode os.FileMode) string {
	t.Helper()
	path := filepath.Join(o.dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, mode); err != nil {
		t.Fatal(err)
	}
	return path
}

// issue writes a certificate and its key (PKCS#8, as flux-ledger renders them) under
// name.pem and name.key.
func (o *org) issue(t *testing.T, name, ou string, hosts ...string) (certFile, keyFile string) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	o.serial++
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(o.serial + 1), Subject: pkix.Name{CommonName: name, OrganizationalUnit: []string{ou}},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, o.ca, &key.PublicKey, o.caKey)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(key)
	return o.write(t, name+".pem", pemOf("CERTIFICATE", der), 0o644), o.write(t, name+".key", pemOf("PRIVATE KEY", pkcs8), 0o400)
}

// msp lays out a local MSP directory for an identity of the given OU.
func (o *org) msp(t *testing.T, name, ou string) string {
	t.Helper()
	cert, key := o.issue(t, name+"-sign", ou)
	certPEM, _ := os.ReadFile(cert)
	keyPEM, _ := os.ReadFile(key)
	caPEM, _ := os.ReadFile(o.caFile)
	o.write(t, name+"/msp/cacerts/ca.pem", caPEM, 0o644)
	o.write(t, name+"/msp/signcerts/cert.pem", certPEM, 0o644)
	o.write(t, name+"/msp/keystore/key.pem", keyPEM, 0o400)
	o.write(t, name+"/msp/config.yaml", []byte(o.mspConfig), 0o644)
	return filepath.Join(o.dir, name, "msp")
}

// configBlock is a block whose one envelope's channel header (fabric-protos
// common/common.proto) is of type typ for channel.
func configBlock(channel string, typ uint64) []byte {
	msg := func(num protowire.Number, body []byte) []byte {
		return protowire.AppendBytes(protowire.AppendTag(nil, num, protowire.BytesType), body)
	}
	var ch []byte
	ch = protowire.AppendTag(ch, 1, protowire.VarintType)
	ch = protowire.AppendVarint(ch, typ)
	ch = append(ch, msg(4, []byte(channel))...)
	payload := msg(1, msg(1, ch))             // Payload.header.channel_header
	envelope := msg(1, payload)               // Envelope.payload
	header := msg(1, msg(1, []byte{0x08, 0})) // Block.header (number 0)
	return append(header, msg(2, msg(1, envelope))...)
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func get(t *testing.T, method, url string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// startOrderer runs the orderer as rendered (the ORDERER_* of the orderer
// StatefulSet) on loopback addresses.
func startOrderer(t *testing.T, o *org, participation string) *instance {
	t.Helper()
	cert, key := o.issue(t, "orderer-tls", "orderer", "localhost", "127.0.0.1")
	in, err := runOrderer(env(map[string]string{
		"ORDERER_GENERAL_LISTENADDRESS": "127.0.0.1", "ORDERER_GENERAL_LISTENPORT": "0",
		"ORDERER_GENERAL_LOCALMSPDIR": o.msp(t, "orderer", "orderer"), "ORDERER_GENERAL_TLS_ENABLED": "true",
		"ORDERER_GENERAL_TLS_CERTIFICATE": cert, "ORDERER_GENERAL_TLS_PRIVATEKEY": key, "ORDERER_GENERAL_TLS_ROOTCAS": "[" + o.caFile + "]",
		"ORDERER_GENERAL_BOOTSTRAPMETHOD": "none", "ORDERER_FILELEDGER_LOCATION": filepath.Join(t.TempDir(), "orderer"),
		"ORDERER_CHANNELPARTICIPATION_ENABLED": participation, "ORDERER_ADMIN_LISTENADDRESS": "127.0.0.1:0",
		"ORDERER_ADMIN_TLS_ENABLED": "true", "ORDERER_ADMIN_TLS_CERTIFICATE": cert, "ORDERER_ADMIN_TLS_PRIVATEKEY": key,
		"ORDERER_ADMIN_TLS_CLIENTAUTHREQUIRED": "true", "ORDERER_ADMIN_TLS_CLIENTROOTCAS": "[" + o.caFile + "]",
		"ORDERER_OPERATIONS_LISTENADDRESS": "127.0.0.1:0",
	}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(in.close)
	return in
}

// osnadminPrints is what cmd/osnadmin/main.go prints for an answer: "Status: <code>",
// the orderer's newline-terminated JSON indented with tabs, then fmt.Println's newline.
func osnadminPrints(t *testing.T, status int, body any) string {
	t.Helper()
	var encoded, out bytes.Buffer
	json.NewEncoder(&encoded).Encode(body)
	fmt.Fprintf(&out, "Status: %d\n", status)
	if err := json.Indent(&out, encoded.Bytes(), "", "\t"); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// osnadmin joins an orderer over mutual TLS once (201 and the channel's info), then
// is told the channel exists (405, exit 0 both times); a client without the admin's
// TLS certificate gets no answer (exit 1, "Error: …"); the block must be the channel's.
func TestOsnadminJoinsTheOrdererOnce(t *testing.T) {
	o := newOrg(t)
	in := startOrderer(t, o, "true")
	clientCert, clientKey := o.issue(t, "admin-tls", "admin")
	block := o.write(t, "genesis.block", configBlock("trade", 1), 0o644)
	_, port, _ := net.SplitHostPort(in.addr("admin"))
	args := []string{"channel", "join", "--channelID", "trade", "--config-block", block, "-o", "localhost:" + port,
		"--ca-file", o.caFile, "--client-cert", clientCert, "--client-key", clientKey}
	info := channelInfo{Name: "trade", URL: "/participation/v1/channels/trade", ConsensusRelation: "consenter", Status: "onboarding"}
	for i, want := range []string{osnadminPrints(t, 201, info), osnadminPrints(t, 405, errorResponse("cannot join: channel already exists"))} {
		out, exit, err := osnadmin(args)
		if err != nil || exit != 0 || out != want {
			t.Errorf("join %d: exit %d, %v, printed\n%q\nwant\n%q", i+1, exit, err, out, want)
		}
	}
	out, exit, _ := osnadmin([]string{"channel", "list", "-o", "localhost:" + port, "--ca-file", o.caFile, "--client-cert", clientCert, "--client-key", clientKey})
	if exit != 0 || !strings.Contains(out, "Status: 200") || !strings.Contains(out, `"name": "trade"`) {
		t.Errorf("list: exit %d\n%s", exit, out)
	}
	// Another CA's client certificate: the handshake fails, no answer.
	other := newOrg(t)
	otherCert, otherKey := other.issue(t, "admin-tls", "admin")
	out, exit, _ = osnadmin([]string{"channel", "list", "-o", "localhost:" + port, "--ca-file", o.caFile, "--client-cert", otherCert, "--client-key", otherKey})
	if exit != 1 || !strings.HasPrefix(out, "Error: ") {
		t.Errorf("foreign client: exit %d, %q", exit, out)
	}
	// A block of another channel is refused before anything is sent.
	if _, _, err := osnadmin([]string{"channel", "join", "-c", "other", "-b", block, "-o", "localhost:" + port, "--ca-file", o.caFile,
		"--client-cert", clientCert, "--client-key", clientKey}); err == nil || !strings.Contains(err.Error(), "does not match channel ID trade") {
		t.Errorf("mismatched block: %v", err)
	}
	// The orderer registers no health check: /healthz is 200 with Fabric's body; POST is 405.
	if code, body := get(t, http.MethodGet, "http://"+in.addr("operations")+"/healthz"); code != 200 || !strings.Contains(body, `"status":"OK"`) {
		t.Errorf("healthz: %d %s", code, body)
	}
	if code, _ := get(t, http.MethodPost, "http://"+in.addr("operations")+"/healthz"); code != http.StatusMethodNotAllowed {
		t.Errorf("POST healthz: %d", code)
	}
}

// With channel participation disabled (the image's default) the API answers 503.
func TestOrdererWithoutChannelParticipation(t *testing.T) {
	o := newOrg(t)
	in := startOrderer(t, o, "")
	clientCert, clientKey := o.issue(t, "admin-tls", "admin")
	_, port, _ := net.SplitHostPort(in.addr("admin"))
	out, exit, _ := osnadmin([]string{"channel", "list", "-o", "localhost:" + port, "--ca-file", o.caFile, "--client-cert", clientCert, "--client-key", clientKey})
	if exit != 0 || out != osnadminPrints(t, 503, errorResponse("channel participation API is disabled")) {
		t.Errorf("exit %d, %q", exit, out)
	}
}

// peerEnv is the environment of the rendered peer container over a core.yaml.
func peerEnv(t *testing.T, o *org, core string, extra map[string]string) map[string]string {
	t.Helper()
	cfg := t.TempDir()
	if err := os.WriteFile(filepath.Join(cfg, "core.yaml"), []byte(core), 0o644); err != nil {
		t.Fatal(err)
	}
	cert, key := o.issue(t, "peer-tls", "peer", "localhost")
	m := map[string]string{
		"FABRIC_CFG_PATH": cfg, "CORE_PEER_MSPCONFIGPATH": o.msp(t, "peer", "peer"), "CORE_PEER_TLS_ENABLED": "true",
		"CORE_PEER_TLS_CERT_FILE": cert, "CORE_PEER_TLS_KEY_FILE": key, "CORE_PEER_TLS_ROOTCERT_FILE": o.caFile,
		"CORE_PEER_LISTENADDRESS": "127.0.0.1:0", "CORE_PEER_CHAINCODELISTENADDRESS": "127.0.0.1:0",
		"CORE_OPERATIONS_LISTENADDRESS": "127.0.0.1:0", "CORE_PEER_FILESYSTEMPATH": t.TempDir(),
	}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

const externalBuilders = "chaincode:\n  externalBuilders:\n  - name: ccaas_builder\n    path: /opt/hyperledger/ccaas_builder\n"

// The peer needs a chaincode runtime; with vm.endpoint it checks the Docker daemon
// there, so /healthz is 503 (component "docker") where none answers — the image's
// core.yaml sets unix:///var/run/docker.sock — and 200 with external builders only.
func TestPeerHealthzRunsFabricsChecks(t *testing.T) {
	o := newOrg(t)
	if _, err := runPeer(env(peerEnv(t, o, "peer:\n  id: p\n", nil))); err == nil || !strings.Contains(err.Error(), "VMEndpoint not set and no ExternalBuilders defined") {
		t.Errorf("no chaincode runtime: %v", err)
	}
	docker := "vm:\n  endpoint: unix://" + filepath.Join(t.TempDir(), "docker.sock") + "\n"
	in, err := runPeer(env(peerEnv(t, o, docker, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer in.close()
	code, body := get(t, http.MethodGet, "http://"+in.addr("operations")+"/healthz")
	var status struct {
		Status       string
		FailedChecks []struct{ Component, Reason string } `json:"failed_checks"`
	}
	json.Unmarshal([]byte(body), &status)
	if code != 503 || status.Status != "Service Unavailable" || len(status.FailedChecks) != 1 || status.FailedChecks[0].Component != "docker" ||
		!strings.HasPrefix(status.FailedChecks[0].Reason, "failed to ping to Docker daemon") {
		t.Errorf("with vm.endpoint: %d %s", code, body)
	}
	// CORE_VM_ENDPOINT="" does not clear it (viper reads an empty variable as unset);
	// the rendered core.yaml leaves vm.endpoint out.
	in2, err := runPeer(env(peerEnv(t, o, externalBuilders, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer in2.close()
	if code, body := get(t, http.MethodGet, "http://"+in2.addr("operations")+"/healthz"); code != 200 {
		t.Errorf("external builders only: %d %s", code, body)
	}
}

// startCouchDB runs the CouchDB image's entrypoint and server with the rendered
// loopback ini over the image's 10-docker-default.ini.
func startCouchDB(t *testing.T, user, password string) (*instance, string) {
	t.Helper()
	root := t.TempDir()
	for name, text := range map[string]string{
		"etc/default.d/10-docker-default.ini": "[chttpd]\nbind_address = any\n",
		"etc/default.d/20-loopback.ini":       "[chttpd]\nbind_address = 127.0.0.1\nport = 0\n",
	} {
		os.MkdirAll(filepath.Dir(filepath.Join(root, name)), 0o755)
		os.WriteFile(filepath.Join(root, name), []byte(text), 0o644)
	}
	os.MkdirAll(filepath.Join(root, "etc", "local.d"), 0o777)
	control := freeAddr(t)
	in, err := runCouchDB(env(map[string]string{"COUCHDB_USER": user, "COUCHDB_PASSWORD": password}), root, control)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(in.close)
	return in, control
}

// CouchDB takes its admin from the environment, binds where the last ini file says,
// answers /_up without credentials and refuses database calls without the admin's;
// the peer creates the system databases, checks CouchDB with HEAD /, and is 503
// (component "couchdb") while CouchDB is away.
func TestPeerUsesCouchDBAsFabricDoes(t *testing.T) {
	couch, control := startCouchDB(t, "admin", "s3cret")
	addr := couch.addr("http")
	if host, _, _ := net.SplitHostPort(addr); host != "127.0.0.1" {
		t.Errorf("CouchDB listens on %s, want the loopback of 20-loopback.ini", addr)
	}
	if code, body := get(t, http.MethodGet, "http://"+addr+"/_up"); code != 200 || !strings.Contains(body, `"status":"ok"`) {
		t.Errorf("/_up: %d %s", code, body)
	}
	if code, body := get(t, http.MethodPut, "http://"+addr+"/_users"); code != 401 || !strings.Contains(body, "not a server admin") {
		t.Errorf("PUT without credentials: %d %s", code, body)
	}
	o := newOrg(t)
	core := externalBuilders + "ledger:\n  state:\n    stateDatabase: CouchDB\n    couchDBConfig:\n      couchDBAddress: " + addr + "\n      username: admin\n      maxRetriesOnStartup: 2\n"
	// Wrong credentials are refused on every request, GET / included.
	if _, err := runPeer(env(peerEnv(t, o, core, map[string]string{"CORE_LEDGER_STATE_COUCHDBCONFIG_PASSWORD": "wrong"}))); err == nil ||
		!strings.Contains(err.Error(), "unable to connect to CouchDB") || !strings.Contains(err.Error(), "401") {
		t.Errorf("wrong password: %v", err)
	}
	in, err := runPeer(env(peerEnv(t, o, core, map[string]string{"CORE_LEDGER_STATE_COUCHDBCONFIG_PASSWORD": "s3cret"})))
	if err != nil {
		t.Fatal(err)
	}
	defer in.close()
	for _, db := range []string{"_users", "_replicator"} {
		req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/"+db, nil)
		req.SetBasicAuth("admin", "s3cret")
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 {
			t.Errorf("%s not created: %v %v", db, err, resp)
		} else {
			resp.Body.Close()
		}
	}
	healthz := "http://" + in.addr("operations") + "/healthz"
	if code, body := get(t, http.MethodGet, healthz); code != 200 {
		t.Errorf("healthz with CouchDB up: %d %s", code, body)
	}
	get(t, http.MethodPost, "http://"+control+"/stop")
	if code, body := get(t, http.MethodGet, healthz); code != 503 || !strings.Contains(body, `"component":"couchdb"`) || !strings.Contains(body, "failed to connect to couch db") {
		t.Errorf("healthz with CouchDB away: %d %s", code, body)
	}
	if code := curl([]string{"-fsS", "-o", os.DevNull, "--max-time", "4", "http://" + addr + "/_up"}, io.Discard); code != 7 {
		t.Errorf("curl of a CouchDB away: exit %d, want 7", code)
	}
	get(t, http.MethodPost, "http://"+control+"/start")
	if code, body := get(t, http.MethodGet, healthz); code != 200 {
		t.Errorf("healthz with CouchDB back: %d %s", code, body)
	}
	// Without an admin the image's entrypoint refuses to start.
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "etc", "local.d"), 0o777)
	if _, err := runCouchDB(env(nil), root, ""); err == nil || !strings.Contains(err.Error(), "Admin Party") {
		t.Errorf("no admin: %v", err)
	}
}

// ccaasPackage is a chaincode install package: a gzipped tar with metadata.json.
func ccaasPackage(t *testing.T, label string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for name, data := range map[string]string{"metadata.json": fmt.Sprintf(`{"type":"ccaas","label":%q}`, label), "code.tar.gz": "x"} {
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data))})
		tw.Write([]byte(data))
	}
	tw.Close()
	zw.Close()
	return buf.Bytes()
}

// The peer CLI, as the Jobs run it, joins the peer once and installs a package once,
// printing what Fabric's CLI prints; the package ID is the label and the package's
// SHA-256; a non-admin identity and a peer whose certificate does not name the
// address are refused.
func TestPeerCLIAnswersAsFabric(t *testing.T) {
	o := newOrg(t)
	peerConfig := peerEnv(t, o, externalBuilders, nil)
	in, err := runPeer(env(peerConfig))
	if err != nil {
		t.Fatal(err)
	}
	defer in.close()
	_, port, _ := net.SplitHostPort(in.addr("grpc"))
	clientCert, clientKey := o.issue(t, "admin-tls", "admin")
	cli := map[string]string{
		"FABRIC_CFG_PATH": peerConfig["FABRIC_CFG_PATH"], "CORE_PEER_MSPCONFIGPATH": o.msp(t, "admin", "admin"),
		"CORE_PEER_ADDRESS": "localhost:" + port, "CORE_PEER_TLS_ENABLED": "true", "CORE_PEER_TLS_ROOTCERT_FILE": o.caFile,
		"CORE_PEER_TLS_CLIENTAUTHREQUIRED": "true", "CORE_PEER_TLS_CLIENTCERT_FILE": clientCert, "CORE_PEER_TLS_CLIENTKEY_FILE": clientKey,
	}
	run := func(e map[string]string, args ...string) (string, string, int) {
		var stdout, stderr bytes.Buffer
		code := peerCLI(args, env(e), &stdout, &stderr)
		return stdout.String(), stderr.String(), code
	}
	block := o.write(t, "genesis.block", configBlock("trade", 1), 0o644)
	if out, _, code := run(cli, "channel", "list"); code != 0 || out != "Channels peers has joined: \n" {
		t.Errorf("list before: %d %q", code, out)
	}
	if _, errOut, code := run(cli, "channel", "join", "--blockpath", block); code != 0 || !strings.Contains(errOut, "Successfully submitted proposal to join channel") {
		t.Errorf("join: %d %s", code, errOut)
	}
	want := "Error: proposal failed (err: bad proposal response 500: cannot create ledger from genesis block: ledger [trade] already exists with state [ACTIVE])\n"
	if _, errOut, code := run(cli, "channel", "join", "-b", block); code != 1 || errOut != want {
		t.Errorf("second join: %d %q", code, errOut)
	}
	if out, _, code := run(cli, "channel", "list"); code != 0 || out != "Channels peers has joined: \ntrade\n" {
		t.Errorf("list after: %d %q", code, out)
	}
	pkg := ccaasPackage(t, "asset-transfer_1.0.0")
	sum := sha256.Sum256(pkg)
	id := "asset-transfer_1.0.0:" + hex.EncodeToString(sum[:])
	pkgFile := o.write(t, "asset-transfer.tar.gz", pkg, 0o644)
	if _, errOut, code := run(cli, "lifecycle", "chaincode", "install", pkgFile); code != 0 || !strings.Contains(errOut, "Chaincode code package identifier: "+id) {
		t.Errorf("install: %d %s", code, errOut)
	}
	if _, errOut, code := run(cli, "lifecycle", "chaincode", "install", pkgFile); code != 1 ||
		!strings.Contains(errOut, "Error: chaincode install failed with status: 500 - failed to invoke backing implementation of 'InstallChaincode': chaincode already successfully installed (package ID '"+id+"')") {
		t.Errorf("second install: %d %s", code, errOut)
	}
	if out, _, code := run(cli, "lifecycle", "chaincode", "queryinstalled"); code != 0 || out != "Installed chaincodes on peer:\nPackage ID: "+id+", Label: asset-transfer_1.0.0\n" {
		t.Errorf("queryinstalled: %d %q", code, out)
	}
	// A member that is not an admin may list channels but not join.
	member := map[string]string{}
	for k, v := range cli {
		member[k] = v
	}
	member["CORE_PEER_MSPCONFIGPATH"] = o.msp(t, "client", "client")
	if _, errOut, code := run(member, "channel", "join", "-b", block); code != 1 || !strings.Contains(errOut, "not an admin") {
		t.Errorf("join by a client: %d %s", code, errOut)
	}
	if _, _, code := run(member, "channel", "list"); code != 0 {
		t.Errorf("list by a client: %d", code)
	}
	// The peer's certificate names localhost, not 127.0.0.1.
	byIP := map[string]string{}
	for k, v := range cli {
		byIP[k] = v
	}
	byIP["CORE_PEER_ADDRESS"] = "127.0.0.1:" + port
	if _, errOut, code := run(byIP, "channel", "list"); code != 1 || !strings.Contains(errOut, "failed to create new connection") || !strings.Contains(errOut, "certificate") {
		t.Errorf("address the certificate does not name: %d %s", code, errOut)
	}
}

// curl's exit codes for what the CouchDB probes meet: 0, 22 for an error status
// with --fail, 7 when nothing listens, 28 when the answer takes longer than --max-time.
func TestCurlExitCodes(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/_up", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, `{"status":"ok"}`) })
	mux.HandleFunc("/maintenance", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(404) })
	release := make(chan struct{})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) { <-release })
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: mux}
	go srv.Serve(l)
	defer srv.Close()
	defer close(release)
	base := "http://" + l.Addr().String()
	for _, c := range []struct {
		path string
		args []string
		want int
	}{
		{"/_up", []string{"-fsS", "-o", os.DevNull, "--max-time", "4"}, 0},
		{"/maintenance", []string{"-fsS", "-o", os.DevNull, "--max-time", "4"}, 22},
		{"/maintenance", []string{"-sS", "-o", os.DevNull}, 0},
		{"/slow", []string{"-fsS", "-o", os.DevNull, "--max-time", "0.2"}, 28},
	} {
		var stderr bytes.Buffer
		if got := curl(append(c.args, base+c.path), &stderr); got != c.want {
			t.Errorf("curl %v %s: exit %d, want %d (%s)", c.args, c.path, got, c.want, stderr.String())
		}
	}
	if got := curl([]string{"-fsS", "-o", os.DevNull, "http://" + freeAddr(t) + "/_up"}, io.Discard); got != 7 {
		t.Errorf("nothing listening: exit %d, want 7", got)
	}
}
