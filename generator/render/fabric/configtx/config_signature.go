package configtx

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"

	"google.golang.org/protobuf/encoding/protowire"
)

// A ConfigSignature is one admin's signature of a config update, made as Fabric makes
// it, so that a party signs with flux-ledger exactly what `peer channel signconfigtx`
// would have added to the envelope (Fabric v2.5.16 internal/peer/channel/create.go
// sanityCheckAndSignConfigTx, which signconfigtx.go calls):
//
//	ConfigSignature{signature_header = 1, signature = 2}   (fabric-protos common/configtx.proto)
//	SignatureHeader{creator = 1, nonce = 2}                 (common/common.proto)
//	creator: SerializedIdentity{mspid = 1, id_bytes = 2}    (msp/identities.proto)
//
// id_bytes is the signer's certificate as PEM (msp/identities.go identity.Serialize),
// the nonce 24 random bytes (protoutil/commonutils.go NewSignatureHeader, CreateNonce,
// getRandomNonce), and the signature an ECDSA signature, ASN.1 DER, of the SHA-256 of
// signature_header || config_update (msp/identities.go signingidentity.Sign hashes with
// the MSP's SHA2 family; bccsp/sw/ecdsa.go signECDSA signs and makes S low with
// bccsp/utils/ecdsa.go ToLowS). The orderer checks the same concatenation
// (protoutil/signeddata.go ConfigUpdateEnvelopeAsSignedData) and refuses a high-S
// signature (bccsp/sw/ecdsa.go verifyECDSA). The same holds in v3.1.5.
type ConfigSignature struct {
	// SignatureHeader is the encoded header exactly as signed.
	SignatureHeader []byte
	Signature       []byte
	// Decoded from SignatureHeader.
	MSPID   string
	IDBytes []byte
	Nonce   []byte
}

// Marshal encodes the ConfigSignature.
func (s *ConfigSignature) Marshal() []byte {
	return msg(nil).bytes(1, s.SignatureHeader).bytes(2, s.Signature)
}

// SignConfigUpdate signs an encoded common.ConfigUpdate as the admin of mspID whose
// certificate (PEM, as the MSP serializes it) is certPEM and whose key is key.
func SignConfigUpdate(configUpdate []byte, mspID string, certPEM []byte, key *ecdsa.PrivateKey, random io.Reader) (*ConfigSignature, error) {
	if key == nil || key.Curve != elliptic.P256() {
		return nil, errors.New("the signing key is not an ECDSA P-256 key")
	}
	if random == nil {
		random = rand.Reader
	}
	nonce := make([]byte, nonceSize)
	if _, err := io.ReadFull(random, nonce); err != nil {
		return nil, fmt.Errorf("nonce: %w", err)
	}
	creator := msg(nil).string(1, mspID).bytes(2, certPEM)
	header := msg(nil).bytes(1, creator).bytes(2, nonce)
	digest := signedDigest(header, configUpdate)
	r, s, err := ecdsa.Sign(random, key, digest)
	if err != nil {
		return nil, err
	}
	if s.Cmp(halfOrder(key.Curve)) > 0 {
		s.Sub(key.Curve.Params().N, s) // ToLowS
	}
	sig, err := asn1.Marshal(ecdsaSignature{R: r, S: s})
	if err != nil {
		return nil, err
	}
	return &ConfigSignature{SignatureHeader: header, Signature: sig, MSPID: mspID, IDBytes: certPEM, Nonce: nonce}, nil
}

type ecdsaSignature struct{ R, S *big.Int }

func signedDigest(header, configUpdate []byte) []byte {
	sum := sha256.Sum256(append(append([]byte{}, header...), configUpdate...))
	return sum[:]
}

func halfOrder(c elliptic.Curve) *big.Int { return new(big.Int).Rsh(c.Params().N, 1) }

// DecodeConfigSignature reads an encoded ConfigSignature and its header's creator.
func DecodeConfigSignature(b []byte) (*ConfigSignature, error) {
	s := &ConfigSignature{}
	if err := eachField(b, func(num protowire.Number, _ uint64, data []byte) error {
		switch num {
		case 1:
			s.SignatureHeader = data
		case 2:
			s.Signature = data
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("ConfigSignature: %w", err)
	}
	if len(s.SignatureHeader) == 0 || len(s.Signature) == 0 {
		return nil, errors.New("ConfigSignature: no signature_header or no signature")
	}
	var err error
	if s.MSPID, s.IDBytes, s.Nonce, err = decodeSignatureHeader(s.SignatureHeader); err != nil {
		return nil, err
	}
	return s, nil
}

// Verify checks the signature over signature_header || configUpdate with pub as the
// orderer does (verifyFabricECDSA).
func (s *ConfigSignature) Verify(configUpdate []byte, pub *ecdsa.PublicKey) error {
	return verifyFabricECDSA(s.Signature, append(append([]byte{}, s.SignatureHeader...), configUpdate...), pub, "the admin certificate's key")
}

// decodeSignatureHeader reads a common.SignatureHeader{creator = 1, nonce = 2} and its
// creator, msp.SerializedIdentity{mspid = 1, id_bytes = 2}.
func decodeSignatureHeader(header []byte) (mspID string, cert, nonce []byte, err error) {
	var creator []byte
	if err := eachField(header, func(num protowire.Number, _ uint64, data []byte) error {
		switch num {
		case 1:
			creator = data
		case 2:
			nonce = data
		}
		return nil
	}); err != nil {
		return "", nil, nil, fmt.Errorf("SignatureHeader: %w", err)
	}
	if err := eachField(creator, func(num protowire.Number, _ uint64, data []byte) error {
		switch num {
		case 1:
			mspID = string(data)
		case 2:
			cert = data
		}
		return nil
	}); err != nil {
		return "", nil, nil, fmt.Errorf("SerializedIdentity: %w", err)
	}
	if mspID == "" || len(cert) == 0 {
		return "", nil, nil, errors.New("SignatureHeader: no creator (SerializedIdentity with mspid and id_bytes)")
	}
	return mspID, cert, nonce, nil
}

// verifyFabricECDSA checks signature over message with pub as Fabric does: DER with R and S positive (bccsp/utils/ecdsa.go
// UnmarshalECDSASignature), S at most half the group order (verifyECDSA refuses a
// high-S signature outright), then ECDSA over the SHA-256 digest. Trailing bytes after
// the DER are refused too: Fabric's asn1.Unmarshal ignores them, but no signer of
// Fabric's writes them, so they only hide something.
func verifyFabricECDSA(signature, message []byte, pub *ecdsa.PublicKey, whose string) error {
	var v ecdsaSignature
	rest, err := asn1.Unmarshal(signature, &v)
	if err != nil {
		return fmt.Errorf("the signature is not ASN.1 DER: %w", err)
	}
	if len(rest) > 0 || v.R == nil || v.S == nil || v.R.Sign() != 1 || v.S.Sign() != 1 {
		return errors.New("the signature is not a well-formed ECDSA signature")
	}
	if v.S.Cmp(halfOrder(pub.Curve)) > 0 {
		return errors.New("the signature is high-S, which Fabric refuses (bccsp/sw/ecdsa.go verifyECDSA)")
	}
	digest := sha256.Sum256(message)
	if !ecdsa.Verify(pub, digest[:], v.R, v.S) {
		return errors.New("the signature does not verify with " + whose)
	}
	return nil
}

// EnvelopeConfigUpdate reads the encoded common.ConfigUpdate out of a config update
// envelope: Envelope.payload (1) → Payload.data (2) → ConfigUpdateEnvelope.config_update (1).
// Every admin signs these bytes, not the envelope.
func EnvelopeConfigUpdate(envelope []byte) ([]byte, error) {
	payload, err := field(envelope, 1, "Envelope.payload")
	if err != nil {
		return nil, err
	}
	data, err := field(payload, 2, "Payload.data")
	if err != nil {
		return nil, err
	}
	return field(data, 1, "ConfigUpdateEnvelope.config_update")
}

// SignedEnvelope returns envelope with signatures set as its ConfigUpdateEnvelope's
// signatures (field 2), in the order given; the header is kept as it is.
func SignedEnvelope(envelope []byte, signatures []*ConfigSignature) ([]byte, error) {
	payload, err := field(envelope, 1, "Envelope.payload")
	if err != nil {
		return nil, err
	}
	header, err := field(payload, 1, "Payload.header")
	if err != nil {
		return nil, err
	}
	update, err := EnvelopeConfigUpdate(envelope)
	if err != nil {
		return nil, err
	}
	data := msg(nil).field(1, update)
	for _, s := range signatures {
		data = data.field(2, s.Marshal())
	}
	return msg(nil).field(1, msg(nil).field(1, header).field(2, data)), nil
}
