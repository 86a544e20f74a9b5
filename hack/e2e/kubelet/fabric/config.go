package main

import (
	"bufio"
	"crypto"
	"crypto/ecdsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"sigs.k8s.io/yaml"
)

// coreConfig is core.yaml as the peer reads it: viper with the prefix CORE,
// AutomaticEnv and "." replaced by "_" (cmd/peer/main.go), so CORE_PEER_TLS_ENABLED
// overrides peer.tls.enabled; keys are case-insensitive, as viper's are. The file is
// $FABRIC_CFG_PATH/core.yaml (core/config/config.go InitViper).
type coreConfig struct {
	tree   map[string]any
	getenv func(string) string
}

func loadCore(getenv func(string) string) (*coreConfig, error) {
	dir := getenv("FABRIC_CFG_PATH")
	data, err := os.ReadFile(filepath.Join(dir, "core.yaml"))
	if err != nil {
		// internal/peer/common/common.go InitConfig's words.
		return nil, fmt.Errorf("Fatal error when initializing core config : error when reading core config file: Config File \"core\" Not Found in \"[%s]\"", dir)
	}
	var tree map[string]any
	if err := yaml.Unmarshal(data, &tree); err != nil {
		return nil, fmt.Errorf("Fatal error when initializing core config : %w", err)
	}
	return &coreConfig{tree: tree, getenv: getenv}, nil
}

func (c *coreConfig) get(key string) any {
	if v := c.getenv("CORE_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))); v != "" {
		return v
	}
	var node any = c.tree
	for _, part := range strings.Split(key, ".") {
		m, ok := node.(map[string]any)
		if !ok {
			return nil
		}
		node = nil
		for k, v := range m {
			if strings.EqualFold(k, part) {
				node = v
			}
		}
	}
	return node
}

func (c *coreConfig) str(key string) string {
	switch v := c.get(key).(type) {
	case nil:
		return ""
	case string:
		return v
	default:
		return fmt.Sprint(v)
	}
}

// boolean is viper's GetBool: cast.ToBool, strconv.ParseBool for strings.
func (c *coreConfig) boolean(key string) bool {
	b, _ := strconv.ParseBool(c.str(key))
	return b
}

// envList reads an ORDERER_* list as the orderer's config does: "[a, b]" is a list,
// its elements trimmed (common/viperutil/config_util.go customDecodeHook).
func envList(v string) []string {
	if len(v) > 1 && v[0] == '[' && v[len(v)-1] == ']' {
		var out []string
		for _, s := range strings.Split(v[1:len(v)-1], ",") {
			out = append(out, strings.TrimSpace(s))
		}
		return out
	}
	if v == "" {
		return nil
	}
	return []string{v}
}

// certPool reads PEM certificates from files into a pool.
func certPool(files ...string) (*x509.CertPool, error) {
	pool := x509.NewCertPool()
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		if !pool.AppendCertsFromPEM(data) {
			return nil, fmt.Errorf("%s: no PEM certificate", f)
		}
	}
	return pool, nil
}

// serverTLS is a TLS server configuration from a key pair and, when clientCAs are
// given, required and verified client certificates (Fabric's comm.ServerConfig with
// RequireClientCert).
func serverTLS(certFile, keyFile string, clientCAs []string) (*tls.Config, error) {
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, err
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}
	if len(clientCAs) > 0 {
		pool, err := certPool(clientCAs...)
		if err != nil {
			return nil, err
		}
		cfg.ClientCAs, cfg.ClientAuth = pool, tls.RequireAndVerifyClientCert
	}
	return cfg, nil
}

// localMSP is a local MSP directory as Fabric's msp/configbuilder.go reads it:
// cacerts/, signcerts/ (the identity), keystore/ (its private key), config.yaml
// (NodeOUs, whose AdminOUIdentifier names the admin role).
type localMSP struct {
	cert    *x509.Certificate
	certPEM []byte
	key     crypto.Signer
	roots   *x509.CertPool
	adminOU string
}

func loadMSP(dir string) (*localMSP, error) {
	if _, err := os.Stat(dir); err != nil {
		// internal/peer/common/common.go InitCrypto's words.
		return nil, fmt.Errorf("Cannot run peer because cannot init crypto, specified path \"%s\" does not exist or cannot be accessed: %w", dir, err)
	}
	m := &localMSP{}
	cas, err := pemFiles(filepath.Join(dir, "cacerts"))
	if err != nil {
		return nil, err
	}
	if m.roots, err = certPool(cas...); err != nil {
		return nil, err
	}
	signcerts, err := pemFiles(filepath.Join(dir, "signcerts"))
	if err != nil || len(signcerts) == 0 {
		return nil, fmt.Errorf("could not load a valid signer certificate from directory %s/signcerts: %w", dir, err)
	}
	if m.certPEM, err = os.ReadFile(signcerts[0]); err != nil {
		return nil, err
	}
	if m.cert, err = parseCert(m.certPEM); err != nil {
		return nil, fmt.Errorf("%s: %w", signcerts[0], err)
	}
	if _, err := m.cert.Verify(verifyAny(m.roots)); err != nil {
		return nil, fmt.Errorf("signing identity %s is not valid for its MSP: %w", signcerts[0], err)
	}
	// The keystore holds the key whose public half is the signcert's (msp/mspimpl.go
	// getSigningIdentityFromConf finds it by the certificate's key identifier).
	keys, err := pemFiles(filepath.Join(dir, "keystore"))
	if err != nil {
		return nil, err
	}
	for _, f := range keys {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err // a key file the container cannot read: its mode and fsGroup
		}
		if key, err := parseKey(data); err == nil && key.Public().(*ecdsa.PublicKey).Equal(m.cert.PublicKey) {
			m.key = key
		}
	}
	if m.key == nil {
		return nil, errors.New("KeyMaterial not found in SigningIdentityInfo")
	}
	config, err := os.ReadFile(filepath.Join(dir, "config.yaml"))
	if err == nil {
		var c struct {
			NodeOUs struct {
				Enable            bool
				AdminOUIdentifier struct{ OrganizationalUnitIdentifier string }
			}
		}
		if err := yaml.Unmarshal(config, &c); err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Join(dir, "config.yaml"), err)
		}
		if c.NodeOUs.Enable {
			m.adminOU = c.NodeOUs.AdminOUIdentifier.OrganizationalUnitIdentifier
		}
	}
	return m, nil
}

// isAdmin: a certificate of this MSP's CA whose OU is the admin OU (msp/mspimpl.go
// hasOURoleInternal, with NodeOUs enabled).
func (m *localMSP) isAdmin(cert *x509.Certificate) error {
	if _, err := cert.Verify(verifyAny(m.roots)); err != nil {
		return fmt.Errorf("the supplied identity is not valid: %w", err)
	}
	if m.adminOU == "" || !slices.Contains(cert.Subject.OrganizationalUnit, m.adminOU) {
		return fmt.Errorf("The identity is not an admin under this MSP")
	}
	return nil
}

// verifyAny verifies a chain to roots whatever the leaf's extended key usage: MSP
// identities are signing certificates, not TLS ones.
func verifyAny(roots *x509.CertPool) x509.VerifyOptions {
	return x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}
}

func pemFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	return out, nil
}

func parseCert(data []byte) (*x509.Certificate, error) {
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, errors.New("no PEM certificate")
	}
	return x509.ParseCertificate(block.Bytes)
}

func parseKey(data []byte) (crypto.Signer, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("wrong PEM encoding")
	}
	if key, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
		if signer, ok := key.(*ecdsa.PrivateKey); ok {
			return signer, nil
		}
		return nil, errors.New("not an ECDSA key")
	}
	return x509.ParseECPrivateKey(block.Bytes)
}

// iniFiles reads CouchDB's configuration as CouchDB does: default.ini,
// default.d/*.ini, local.ini, local.d/*.ini, later files overriding earlier ones
// ("Configuration Files", docs.couchdb.org config/intro.html). A section.key map.
func iniFiles(etc string) (map[string]string, error) {
	files := []string{filepath.Join(etc, "default.ini")}
	d, _ := filepath.Glob(filepath.Join(etc, "default.d", "*.ini"))
	files = append(files, d...)
	files = append(files, filepath.Join(etc, "local.ini"))
	l, _ := filepath.Glob(filepath.Join(etc, "local.d", "*.ini"))
	files = append(files, l...)
	values := map[string]string{}
	for _, f := range files {
		file, err := os.Open(f)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		section := ""
		scanner := bufio.NewScanner(file)
		for scanner.Scan() {
			line := strings.TrimSpace(scanner.Text())
			switch {
			case line == "" || strings.HasPrefix(line, ";"):
			case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
				section = line[1 : len(line)-1]
			default:
				k, v, ok := strings.Cut(line, "=")
				if !ok {
					file.Close()
					return nil, fmt.Errorf("%s: cannot read %q", f, line)
				}
				values[section+"."+strings.TrimSpace(k)] = strings.TrimSpace(v)
			}
		}
		file.Close()
	}
	return values, nil
}
