package configtx_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/flux-ledger/flux-ledger/generator/render/fabric/configtx"
)

// The block's frame, as Fabric v2.5.16's common/genesis/genesis.go factory.Block
// builds it, read back with Fabric's official protos.
func TestGenesisBlockFrame(t *testing.T) {
	n := newNetwork(t)
	block := encode(t, n.channel)
	d := decodeBlock(t, block)

	if d.Header.Number != 0 || d.Header.PreviousHash != "" {
		t.Errorf("header: number %d, previous hash %q; want block 0 with no previous hash", d.Header.Number, d.Header.PreviousHash)
	}
	env := d.Data[0].Envelope
	ch := env.ChannelHeader
	// common/common.proto HeaderType CONFIG = 1; genesis.go msgVersion = 1, epoch = 0.
	if ch.Type != 1 || ch.Version != 1 || ch.Epoch != 0 {
		t.Errorf("channel header type %d version %d epoch %d; want CONFIG (1), 1, 0", ch.Type, ch.Version, ch.Epoch)
	}
	if ch.ChannelID != "ledger-one" {
		t.Errorf("channel ID %q", ch.ChannelID)
	}
	// protoutil.MakeChannelHeader: whole seconds, nanos 0.
	if ch.Timestamp == nil || ch.Timestamp.Seconds != configtx.DefaultTimestamp.Unix() || ch.Timestamp.Nanos != 0 {
		t.Errorf("timestamp %+v; want %d s", ch.Timestamp, configtx.DefaultTimestamp.Unix())
	}
	if ch.Extension != "" || ch.TLSCertHash != "" || env.Signature != "" || env.SignatureHeader.Creator != "" {
		t.Errorf("a genesis block is unsigned and has no creator, extension or TLS hash: %+v", env)
	}
	// protoutil/commonutils.go getRandomNonce: 24 bytes; protoutil/proputils.go
	// ComputeTxID: hex(SHA-256(nonce || creator)).
	nonce, err := hex.DecodeString(env.SignatureHeader.Nonce)
	if err != nil || len(nonce) != 24 {
		t.Fatalf("nonce %q: want 24 bytes", env.SignatureHeader.Nonce)
	}
	if sum := sha256.Sum256(nonce); ch.TxID != hex.EncodeToString(sum[:]) {
		t.Errorf("tx id %s is not SHA-256(nonce)", ch.TxID)
	}
	ce := env.ConfigEnvelope
	if ce.Config.Sequence != 0 || ce.HasLastUpdate {
		t.Errorf("config sequence %d, last update %v; want 0 and none", ce.Config.Sequence, ce.HasLastUpdate)
	}
	if got := keys(ce.Config.ChannelGroup.Groups); len(got) != 2 || ce.Config.ChannelGroup.Groups["Orderer"].ModPolicy == "" || ce.Config.ChannelGroup.Groups["Application"].ModPolicy == "" {
		t.Errorf("channel groups %v; want Orderer and Application (no Consortiums: no system channel)", got)
	}
}

// protoutil/blockutils.go BlockDataHash: SHA-256 over the data entries concatenated.
func TestGenesisBlockDataHash(t *testing.T) {
	d := decodeBlock(t, encode(t, newNetwork(t).channel))
	var all []byte
	for _, e := range d.Data {
		raw, err := hex.DecodeString(e.Raw)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, raw...)
	}
	sum := sha256.Sum256(all)
	if d.Header.DataHash != hex.EncodeToString(sum[:]) {
		t.Errorf("data hash %s; SHA-256 of the data is %x", d.Header.DataHash, sum)
	}
}

// protoutil.NewBlock makes one metadata slot per BlockMetadataIndex (five), and
// genesis.go fills SIGNATURES with OrdererBlockMetadata{last_config: {index: 0}} and
// LAST_CONFIG with LastConfig{index: 0}, both unsigned.
func TestGenesisBlockMetadata(t *testing.T) {
	d := decodeBlock(t, encode(t, newNetwork(t).channel))
	if len(d.Metadata) != 5 {
		t.Fatalf("%d metadata slots; want 5", len(d.Metadata))
	}
	sig := d.Metadata[0]
	if sig.OrdererBlockMetadata == nil || sig.OrdererBlockMetadata.LastConfig == nil || sig.OrdererBlockMetadata.LastConfig.Index != 0 || sig.Signatures != 0 {
		t.Errorf("SIGNATURES slot %+v; want OrdererBlockMetadata with last_config index 0, no signatures", sig)
	}
	// Go's proto.Marshal of Metadata{Value: Marshal(LastConfig{Index: 0})} is empty.
	if d.Metadata[1].Raw != "" {
		t.Errorf("LAST_CONFIG slot %q; want the empty encoding of index 0", d.Metadata[1].Raw)
	}
	for _, m := range d.Metadata[2:] {
		if m.Raw != "" {
			t.Errorf("slot %d: %q; want empty", m.Index, m.Raw)
		}
	}
}

// A caller's timestamp replaces the default, in whole seconds.
func TestGenesisBlockTimestamp(t *testing.T) {
	c := newNetwork(t).channel
	c.Timestamp = time.Date(2026, 5, 4, 3, 2, 1, 999, time.UTC)
	d := decodeBlock(t, encode(t, c))
	if ts := d.Data[0].Envelope.ChannelHeader.Timestamp; ts.Seconds != c.Timestamp.Unix() || ts.Nanos != 0 {
		t.Errorf("timestamp %+v; want %d s, 0 ns", ts, c.Timestamp.Unix())
	}
}

// The block is small enough for a ConfigMap's binaryData (FABRIC-FACTS.md: a 3-org
// configtxgen block is ~30 KB; the limit is 1 MiB) and carries each certificate once
// per place Fabric reads it from.
func TestGenesisBlockSize(t *testing.T) {
	n := newNetwork(t)
	block := encode(t, n.channel)
	if len(block) > 64*1024 {
		t.Errorf("block is %d bytes", len(block))
	}
	ca := n.parties["gamma"].ca.pem
	// Root cert once, NodeOUs four times: gamma is an application org only.
	if got := bytes.Count(block, ca); got != 5 {
		t.Errorf("gamma's CA appears %d times; want 5", got)
	}
	if !strings.Contains(string(block), "ledger-one") {
		t.Error("channel ID missing")
	}
}
