package fabric_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric"
)

// signer is an orderer's signing identity: its certificate (PEM) and key.
type signer struct {
	mspID string
	cert  []byte
	key   *ecdsa.PrivateKey
}

func newSigner(t *testing.T, mspID, name string) signer {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	template := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name, Organization: []string{mspID}},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return signer{mspID, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), key}
}

// cutBlock encodes block number holding envelope, signed by signers as an orderer's
// BlockWriter signs (Fabric v2.5.16 orderer/common/multichannel/blockwriter.go
// addBlockSignature): SHA-256 ECDSA over the metadata value, the signature header and
// the header's ASN.1 bytes (protoutil/blockutils.go BlockHeaderBytes), low-S as
// bccsp/sw signs. The encoding is checked against a real orderer's block by
// configtx's TestBlockSignatureOfARealOrderer.
func cutBlock(t *testing.T, number uint64, envelope []byte, signers ...signer) []byte {
	t.Helper()
	bytesField := func(b []byte, num protowire.Number, v []byte) []byte {
		return protowire.AppendBytes(protowire.AppendTag(b, num, protowire.BytesType), v)
	}
	dataHash := sha256.Sum256(envelope)
	header := protowire.AppendVarint(protowire.AppendTag(nil, 1, protowire.VarintType), number)
	header = bytesField(header, 3, dataHash[:])
	headerDER, err := asn1.Marshal(struct {
		Number       *big.Int
		PreviousHash []byte
		DataHash     []byte
	}{new(big.Int).SetUint64(number), nil, dataHash[:]})
	if err != nil {
		t.Fatal(err)
	}
	value := bytesField(nil, 1, []byte{}) // OrdererBlockMetadata{last_config: {}}
	metadata := bytesField(nil, 1, value)
	for _, s := range signers {
		creator := bytesField(bytesField(nil, 1, []byte(s.mspID)), 2, s.cert)
		sigHeader := bytesField(bytesField(nil, 1, creator), 2, []byte("nonce"))
		digest := sha256.Sum256(append(append(append([]byte{}, value...), sigHeader...), headerDER...))
		r, sv, err := ecdsa.Sign(rand.Reader, s.key, digest[:])
		if err != nil {
			t.Fatal(err)
		}
		if half := new(big.Int).Rsh(elliptic.P256().Params().N, 1); sv.Cmp(half) > 0 {
			sv.Sub(elliptic.P256().Params().N, sv)
		}
		sig, err := asn1.Marshal(struct{ R, S *big.Int }{r, sv})
		if err != nil {
			t.Fatal(err)
		}
		metadata = bytesField(metadata, 2, bytesField(bytesField(nil, 1, sigHeader), 2, sig))
	}
	block := bytesField(nil, 1, header)
	block = bytesField(block, 2, bytesField(nil, 1, envelope))
	return bytesField(block, 3, bytesField(nil, 1, metadata))
}

// genesisEnvelope is the config transaction of channel trade's frozen genesis block.
func genesisEnvelope(t *testing.T, n *model.Network) []byte {
	t.Helper()
	block, err := base64.StdEncoding.DecodeString(n.Fabric.Channels["trade"].GenesisBlock)
	if err != nil {
		t.Fatal(err)
	}
	// Block.data (2) → BlockData.data (1), the only entry.
	for len(block) > 0 {
		num, typ, k := protowire.ConsumeTag(block)
		block = block[k:]
		if num == 2 && typ == protowire.BytesType {
			data, _ := protowire.ConsumeBytes(block)
			_, _, k = protowire.ConsumeTag(data)
			envelope, _ := protowire.ConsumeBytes(data[k:])
			return envelope
		}
		block = block[protowire.ConsumeFieldValue(num, typ, block):]
	}
	t.Fatal("the genesis block has no data")
	return nil
}

// A config block recorded with channels record --from must come from the ordering
// service: signed by a consenter of the recorded config with the certificate the model
// holds for it. A party's own key, another orderer's or none is refused; the frozen
// genesis block is the one block 0 accepted.
func TestConfigBlockMustBeSignedByAConsenter(t *testing.T) {
	n := launchedWith(t, []string{"contoso", "fabrikam", "northwind"}, []string{"contoso", "fabrikam", "northwind"})
	consenter := newSigner(t, "ContosoMSP", "contoso-orderer-1")
	id := n.Identities["contoso-orderer-1"]
	id.SignCert = string(consenter.cert)
	n.Identities["contoso-orderer-1"] = id
	envelope := genesisEnvelope(t, n)

	if err := fabric.CheckConfigBlock(n, "trade", cutBlock(t, 1, envelope, consenter)); err != nil {
		t.Errorf("a block the consenter signed: %v", err)
	}
	frozen, _ := base64.StdEncoding.DecodeString(n.Fabric.Channels["trade"].GenesisBlock)
	if err := fabric.CheckConfigBlock(n, "trade", frozen); err != nil {
		t.Errorf("the frozen genesis block: %v", err)
	}

	// A member's admin (here: a key the model does not hold for any consenter) signing
	// a block of its own making, with the consenter's name in its certificate.
	mallory := newSigner(t, "ContosoMSP", "contoso-orderer-1")
	impostor := consenter
	impostor.key = mallory.key
	for name, block := range map[string][]byte{
		"another key":                   cutBlock(t, 1, envelope, mallory),
		"the consenter's cert, not key": cutBlock(t, 1, envelope, impostor),
		"no signature":                  cutBlock(t, 1, envelope),
	} {
		err := fabric.CheckConfigBlock(n, "trade", block)
		if err == nil || !strings.Contains(err.Error(), "block 1 is not signed by the channel's orderers") {
			t.Errorf("%s: %v", name, err)
		}
	}
	if err := fabric.CheckConfigBlock(n, "trade", cutBlock(t, 0, envelope)); err == nil || !strings.Contains(err.Error(), "not channel trade's frozen genesis block") {
		t.Errorf("a block 0 other than the frozen one: %v", err)
	}
}
