package configtx_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"os"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/render/fabric/configtx"
)

// realBlock is a config block a Fabric v2.5.16 orderer cut and signed (testdata's
// README says how it was made), and its signer's certificate.
func realBlock(t *testing.T) ([]byte, []byte) {
	t.Helper()
	block, err := os.ReadFile("testdata/fabric-v2.5.16/fabnet-1.block")
	if err != nil {
		t.Fatal(err)
	}
	cert, err := os.ReadFile("testdata/fabric-v2.5.16/contoso-orderer-1.crt")
	if err != nil {
		t.Fatal(err)
	}
	return block, cert
}

func publicKey(t *testing.T, certPEM []byte) *ecdsa.PublicKey {
	t.Helper()
	b, _ := pem.Decode(certPEM)
	if b == nil {
		t.Fatal("no PEM certificate")
	}
	c, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c.PublicKey.(*ecdsa.PublicKey)
}

// The bytes a real orderer signed are the ones BlockSignatures says it signed: the
// Raft leader's signature of the real block verifies with its certificate's key.
func TestBlockSignatureOfARealOrderer(t *testing.T) {
	block, cert := realBlock(t)
	if n, err := configtx.BlockNumber(block); err != nil || n != 1 {
		t.Fatalf("block number %d, %v; want 1", n, err)
	}
	sigs, err := configtx.BlockSignatures(block)
	if err != nil {
		t.Fatal(err)
	}
	if len(sigs) != 1 || sigs[0].MSPID != "ContosoMSP" || string(sigs[0].Cert) != string(cert) || sigs[0].ByID {
		t.Fatalf("signatures %+v, want contoso-orderer-1's", sigs)
	}
	if err := sigs[0].Verify(publicKey(t, cert)); err != nil {
		t.Errorf("the real orderer's signature: %v", err)
	}
	other, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if err := sigs[0].Verify(&other.PublicKey); err == nil {
		t.Error("the signature verified with another key")
	}
}

// A block changed after it was cut is caught: its number (in the signed header) fails
// the signature, its data (hashed into the header) fails the data hash.
func TestBlockSignatureCatchesAChangedBlock(t *testing.T) {
	block, cert := realBlock(t)
	// Block.header (field 1) starts the block: tag, length, then BlockHeader.number
	// (field 1, varint): its tag is byte 2 and its value byte 3.
	if block[0] != 0x0a || block[2] != 0x08 || block[3] != 1 {
		t.Fatalf("the block does not start with header.number = 1: % x", block[:4])
	}
	renumbered := append([]byte{}, block...)
	renumbered[3] = 2
	sigs, err := configtx.BlockSignatures(renumbered)
	if err != nil {
		t.Fatal(err)
	}
	if err := sigs[0].Verify(publicKey(t, cert)); err == nil {
		t.Error("a renumbered block's signature verified")
	}

	// A consenter's host in the config, renamed to a name of the same length.
	const host = "contoso-orderer-1.fabnet.contoso.example"
	if !strings.Contains(string(block), host) {
		t.Fatalf("the block does not name %s", host)
	}
	changed := []byte(strings.Replace(string(block), host, "mallory-orderer-1.fabnet.contoso.example", 1))
	if _, err := configtx.BlockSignatures(changed); err == nil || !strings.Contains(err.Error(), "data_hash") {
		t.Errorf("a block whose data changed: %v, want the data hash refused", err)
	}
}
