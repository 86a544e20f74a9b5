package fabric

import (
	"bytes"
	"crypto/ecdsa"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/flux-ledger/flux-ledger/generator/identity/msp"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric/configtx"
)

// CheckConfigBlock checks that block, offered as channel's config from now on (flux-ledger
// channels record --from), was cut by the channel's ordering service and not made up
// by whoever records it: its data hashes to its header, and the consenters of the
// channel's config as recorded so far signed it — one of them on a Raft channel (the
// leader signs every block; etcdraft's /Channel/Orderer/BlockValidation is ANY Writers
// of the orderer organisations), a quorum on a SmartBFT channel (SmartBFT
// internal/bft/util.go computeQuorum, vendored by Fabric v3.1.5: f = (n-1)/3, quorum
// ⌈(n+f+1)/2⌉). A signer counts when its signature verifies with the signing
// certificate of a consenter node in the model (cue/identities/) or, for a SmartBFT
// identifier header, with the identity of the consenter of that id in the recorded
// config. Block 0 carries no signature: it must be the frozen genesis block itself.
func CheckConfigBlock(network *model.Network, channel string, block []byte) error {
	number, err := configtx.BlockNumber(block)
	if err != nil {
		return err
	}
	ch := network.Fabric.Channels[channel]
	if number == 0 {
		frozen, err := base64.StdEncoding.DecodeString(ch.GenesisBlock)
		if err != nil || !bytes.Equal(frozen, block) {
			return fmt.Errorf("block 0 is not channel %s's frozen genesis block (cue/genesis.cue)", channel)
		}
		return nil
	}
	state, config, _, err := OnChain(network, channel)
	if err != nil {
		return err
	}
	signatures, err := configtx.BlockSignatures(block)
	if err != nil {
		return err
	}
	byID, err := config.BFTConsenterIdentities()
	if err != nil {
		return fmt.Errorf("channel %s: recorded config: %w", channel, err)
	}
	need := 1
	if len(byID) > 0 {
		n := len(state.Consenters)
		f := (n - 1) / 3
		need = int(math.Ceil(float64(n+f+1) / 2))
	}
	var signedBy []string
	for _, s := range signatures {
		for _, node := range state.Consenters {
			cert := []byte(network.Identities[node].SignCert)
			if s.ByID {
				cert = byID[s.ConsenterID]
				if !bytes.Equal(cert, []byte(network.Identities[node].SignCert)) {
					continue
				}
			} else if !bytes.Equal(s.Cert, cert) {
				continue
			}
			pub, err := certKey(cert)
			if err == nil && s.Verify(pub) == nil && !slices.Contains(signedBy, node) {
				signedBy = append(signedBy, node)
			}
		}
	}
	if len(signedBy) < need {
		return fmt.Errorf("block %d is not signed by the channel's orderers: %d of its %d signatures verify with the signing certificate of a consenter the record lists (%s), %d needed",
			number, len(signedBy), len(signatures), strings.Join(state.Consenters, ", "), need)
	}
	return nil
}

func certKey(certPEM []byte) (*ecdsa.PublicKey, error) {
	c, err := msp.ParseCertPEM(certPEM)
	if err != nil {
		return nil, err
	}
	pub, ok := c.PublicKey.(*ecdsa.PublicKey)
	if !ok {
		return nil, errors.New("not an ECDSA key")
	}
	return pub, nil
}
