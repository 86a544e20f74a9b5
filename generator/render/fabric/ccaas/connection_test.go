package ccaas_test

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"strings"
	"testing"
	"text/template"
	"time"

	"github.com/flux-ledger/flux-ledger/generator/render/fabric/ccaas"
)

// builderConnection mirrors Fabric v2.5.16 and v3.1.5 ccaas_builder/cmd/build/main.go
// (and release/main.go) type connection, tags and types as there.
type builderConnection struct {
	Address     string `json:"address"`
	DialTimeout string `json:"dial_timeout"`
	TLS         bool   `json:"tls_required"`
	ClientAuth  bool   `json:"client_auth_required"`
	RootCert    string `json:"root_cert"`
	ClientKey   string `json:"client_key"`
	ClientCert  string `json:"client_cert"`
}

// connectionOf returns the connection.json inside a package, decoded as the build step
// decodes it, refusing fields the builder does not know (it would drop them).
func connectionOf(t *testing.T, pkg []byte) builderConnection {
	t.Helper()
	_, code := parseLikeFabric(t, pkg)
	inner, _ := readTarGz(t, code)
	dec := json.NewDecoder(bytes.NewReader(inner[0].data))
	dec.DisallowUnknownFields()
	var c builderConnection
	if err := dec.Decode(&c); err != nil {
		t.Fatalf("connection.json: %v", err)
	}
	return c
}

// afterBuildStep is what the peer reads from the release directory: the build step
// re-marshals its struct, copying the TLS fields only when tls_required
// (ccaas_builder/cmd/build/main.go run), and the peer then parses dial_timeout with
// time.ParseDuration (core/container/externalbuilder/instance.go Duration.UnmarshalJSON)
// and applies ChaincodeServerUserData.ChaincodeServerInfo's checks.
func afterBuildStep(t *testing.T, c builderConnection) (time.Duration, builderConnection) {
	t.Helper()
	out := builderConnection{Address: c.Address, DialTimeout: c.DialTimeout}
	if c.TLS {
		out.TLS, out.ClientAuth, out.RootCert, out.ClientKey, out.ClientCert = true, c.ClientAuth, c.RootCert, c.ClientKey, c.ClientCert
	}
	d, err := time.ParseDuration(out.DialTimeout)
	if err != nil {
		t.Fatalf("the peer cannot parse dial_timeout %q: %v", out.DialTimeout, err)
	}
	if out.Address == "" {
		t.Fatal("chaincode address not provided")
	}
	if out.TLS {
		if out.ClientAuth && (out.ClientKey == "" || out.ClientCert == "") {
			t.Fatal("chaincode tls key or cert not provided")
		}
		if out.RootCert == "" {
			t.Fatal("chaincode tls root cert not provided")
		}
	}
	return d, out
}

func TestPlainConnection(t *testing.T) {
	c := connectionOf(t, build(t, plainSpec()).Bytes)
	d, c := afterBuildStep(t, c)
	if c.Address != "basic-ccaas.alpha.svc:9999" || d != 10*time.Second || c.TLS || c.ClientAuth || c.RootCert != "" {
		t.Fatalf("connection %+v, dial timeout %v", c, d)
	}
}

// Fabric v2.5.16 ccaas_builder/cmd/build/main.go copies dial_timeout as a string, so an
// absent one becomes "", which core/container/externalbuilder/instance.go
// Duration.UnmarshalJSON refuses; the peer's default (DialTimeout, 3s) is written instead.
func TestZeroDialTimeoutWritesPeerDefault(t *testing.T) {
	s := plainSpec()
	s.Connection.DialTimeout = 0
	d, _ := afterBuildStep(t, connectionOf(t, build(t, s).Bytes))
	if d != 3*time.Second {
		t.Fatalf("dial timeout %v, want the peer's default 3s", d)
	}
}

// Fabric v2.5.16 core/container/externalbuilder/instance.go ChaincodeServerInfo: with
// tls_required the root cert is the server CA, and with client_auth_required the
// client cert and key form the peer's TLS client certificate.
func TestMutualTLSConnection(t *testing.T) {
	server, client := newPKI(t, "cc-server"), newPKI(t, "peer0")
	s := plainSpec()
	s.Connection.TLS = &ccaas.TLS{RootCert: server.caPEM, ClientCert: client.certPEM, ClientKey: client.keyPEM}
	_, c := afterBuildStep(t, connectionOf(t, build(t, s).Bytes))
	if !c.TLS || !c.ClientAuth {
		t.Fatalf("tls_required %v, client_auth_required %v", c.TLS, c.ClientAuth)
	}
	if !x509.NewCertPool().AppendCertsFromPEM([]byte(c.RootCert)) || c.RootCert != string(server.caPEM) {
		t.Fatal("root_cert is not the server CA's PEM")
	}
	if _, err := tls.X509KeyPair([]byte(c.ClientCert), []byte(c.ClientKey)); err != nil {
		t.Fatalf("client_cert/client_key: %v", err)
	}

	// TLS without client certificates: a package with no private key in it.
	s.Connection.TLS = &ccaas.TLS{RootCert: server.caPEM}
	_, c = afterBuildStep(t, connectionOf(t, build(t, s).Bytes))
	if !c.TLS || c.ClientAuth || c.ClientKey != "" || c.ClientCert != "" {
		t.Fatalf("server-only TLS gave %+v", c)
	}
}

// Fabric v2.5.16 ccaas_builder/cmd/build/main.go execTempl runs every string of
// connection.json through text/template with missingkey=error: what is written must
// come out unchanged when no CHAINCODE_AS_A_SERVICE_BUILDER_CONFIG is set.
func TestBuildStepTemplatesLeaveValuesUnchanged(t *testing.T) {
	server, client := newPKI(t, "cc-server"), newPKI(t, "peer0")
	s := plainSpec()
	s.Connection.TLS = &ccaas.TLS{RootCert: server.caPEM, ClientCert: client.certPEM, ClientKey: client.keyPEM}
	c := connectionOf(t, build(t, s).Bytes)
	for _, v := range []string{c.Address, c.DialTimeout, c.RootCert, c.ClientKey, c.ClientCert} {
		tmpl, err := template.New("").Option("missingkey=error").Parse(v)
		if err != nil {
			t.Fatalf("template parse of %q: %v", v, err)
		}
		var out strings.Builder
		if err := tmpl.Execute(&out, map[string]any(nil)); err != nil {
			t.Fatalf("template execute of %q: %v", v, err)
		}
		if out.String() != v {
			t.Errorf("the build step turns %q into %q", v, out.String())
		}
	}
}

// Connections the peer could not use are refused when the package is built.
func TestRefusedConnections(t *testing.T) {
	server, client, other := newPKI(t, "cc-server"), newPKI(t, "peer0"), newPKI(t, "other")
	cases := map[string]struct {
		conn ccaas.Connection
		want string
	}{
		"no port":           {ccaas.Connection{Address: "cc.alpha.svc"}, "host:port"},
		"no host":           {ccaas.Connection{Address: ":9999"}, "no host"},
		"port zero":         {ccaas.Connection{Address: "cc:0"}, "port"},
		"port too large":    {ccaas.Connection{Address: "cc:70000"}, "port"},
		"named port":        {ccaas.Connection{Address: "cc:grpc"}, "port"},
		"template":          {ccaas.Connection{Address: "{{.peername}}-cc:9999"}, "template"},
		"negative timeout":  {ccaas.Connection{Address: "cc:9999", DialTimeout: -time.Second}, "negative"},
		"tls without root":  {ccaas.Connection{Address: "cc:9999", TLS: &ccaas.TLS{}}, "root certificate is required"},
		"root not PEM":      {ccaas.Connection{Address: "cc:9999", TLS: &ccaas.TLS{RootCert: []byte("not pem")}}, "not PEM"},
		"root is a key":     {ccaas.Connection{Address: "cc:9999", TLS: &ccaas.TLS{RootCert: client.keyPEM}}, "want CERTIFICATE"},
		"cert without key":  {ccaas.Connection{Address: "cc:9999", TLS: &ccaas.TLS{RootCert: server.caPEM, ClientCert: client.certPEM}}, "go together"},
		"key without cert":  {ccaas.Connection{Address: "cc:9999", TLS: &ccaas.TLS{RootCert: server.caPEM, ClientKey: client.keyPEM}}, "go together"},
		"mismatched client": {ccaas.Connection{Address: "cc:9999", TLS: &ccaas.TLS{RootCert: server.caPEM, ClientCert: client.certPEM, ClientKey: other.keyPEM}}, "client certificate and key"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := ccaas.Build(ccaas.Spec{Label: "basic_1.0", Connection: c.conn})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one saying %q", err, c.want)
			}
		})
	}
}
