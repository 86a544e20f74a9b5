package ccaas_test

import (
	"archive/tar"
	"bytes"
	"testing"
	"time"

	"github.com/flux-ledger/flux-ledger/generator/render/fabric/ccaas"
)

// The same input gives the same bytes, hence the same package ID: regenerating the
// repository must not ask the peers to install a new package.
func TestSameInputSameBytes(t *testing.T) {
	server, client := newPKI(t, "cc-server"), newPKI(t, "peer0")
	s := plainSpec()
	s.Connection.TLS = &ccaas.TLS{RootCert: server.caPEM, ClientCert: client.certPEM, ClientKey: client.keyPEM}
	first := build(t, s)
	for i := 0; i < 10; i++ {
		if got := build(t, s); !bytes.Equal(got.Bytes, first.Bytes) || got.ID != first.ID {
			t.Fatalf("build %d differs from the first", i+1)
		}
	}
}

// Any change of input gives another package ID: each org's package (its own address)
// is its own package on the peer.
func TestChangedInputChangesID(t *testing.T) {
	server, client := newPKI(t, "cc-server"), newPKI(t, "peer0")
	changes := map[string]func(*ccaas.Spec){
		"label":        func(s *ccaas.Spec) { s.Label = "basic_1.1" },
		"type":         func(s *ccaas.Spec) { s.Type = "CCAAS" },
		"address":      func(s *ccaas.Spec) { s.Connection.Address = "basic-ccaas.beta.svc:9999" },
		"port":         func(s *ccaas.Spec) { s.Connection.Address = "basic-ccaas.alpha.svc:9998" },
		"dial timeout": func(s *ccaas.Spec) { s.Connection.DialTimeout = 11 * time.Second },
		"tls":          func(s *ccaas.Spec) { s.Connection.TLS = &ccaas.TLS{RootCert: server.caPEM} },
		"client auth": func(s *ccaas.Spec) {
			s.Connection.TLS = &ccaas.TLS{RootCert: server.caPEM, ClientCert: client.certPEM, ClientKey: client.keyPEM}
		},
	}
	seen := map[string]string{build(t, plainSpec()).ID: "base"}
	for name, change := range changes {
		s := plainSpec()
		change(&s)
		id := build(t, s).ID
		if other, ok := seen[id]; ok {
			t.Errorf("changing the %s gives the same ID as %s", name, other)
		}
		seen[id] = name
	}
}

// Nothing of the machine, user or clock is in the archives: every tar header is a
// USTAR regular file, mode 0644, owned by 0:0 with no names, at one fixed time; the
// gzip headers carry no file name or comment, a fixed time and OS 255 (unknown).
func TestFixedHeaders(t *testing.T) {
	p := build(t, plainSpec())
	outer, gz := readTarGz(t, p.Bytes)
	inner, innerGz := readTarGz(t, outer[1].data)
	mtime := outer[0].hdr.ModTime
	if mtime.Unix() <= 0 {
		t.Fatalf("tar ModTime %v, want a fixed date after 1970", mtime)
	}
	for _, h := range []struct {
		name string
		gz   gzipFields
	}{{"package", gzipFields{gz.Name, gz.Comment, gz.ModTime, gz.OS, gz.Extra}}, {"code.tar.gz", gzipFields{innerGz.Name, innerGz.Comment, innerGz.ModTime, innerGz.OS, innerGz.Extra}}} {
		if h.gz.name != "" || h.gz.comment != "" || h.gz.extra != nil || h.gz.os != 255 || !h.gz.modTime.Equal(mtime) {
			t.Errorf("%s gzip header %+v", h.name, h.gz)
		}
	}
	for _, e := range append(outer, inner...) {
		h := e.hdr
		if h.Typeflag != tar.TypeReg || h.Mode != 0o644 || h.Uid != 0 || h.Gid != 0 || h.Uname != "" || h.Gname != "" ||
			!h.ModTime.Equal(mtime) || h.Format != tar.FormatUSTAR || len(h.PAXRecords) != 0 {
			t.Errorf("tar header of %s: %+v", h.Name, h)
		}
	}
	// RFC 1952: bytes 4-7 MTIME, byte 9 OS.
	if p.Bytes[9] != 255 || bytes.Equal(p.Bytes[4:8], []byte{0, 0, 0, 0}) {
		t.Errorf("gzip header bytes % x", p.Bytes[:10])
	}
}

type gzipFields struct {
	name, comment string
	modTime       time.Time
	os            byte
	extra         []byte
}
