package configtx

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"regexp"
	"slices"
)

// Fabric's name rules (common/configtx/validator.go): a channel ID matches
// [a-z][a-z0-9.-]*, a config element name (an org's group key) [a-zA-Z0-9.-]+ and is
// not "." or ".."; both at most 249 characters.
var (
	channelIDPattern = regexp.MustCompile(`^[a-z][a-z0-9.-]*$`)
	configIDPattern  = regexp.MustCompile(`^[a-zA-Z0-9.-]+$`)
)

const maxNameLength = 249

// validate refuses what Fabric would refuse when it loads the block, so the error comes
// from flux-ledger, naming the input, instead of from an orderer at join time.
func validate(c Channel) error {
	if len(c.ID) > maxNameLength || !channelIDPattern.MatchString(c.ID) {
		return fmt.Errorf("channel ID %q: Fabric allows [a-z][a-z0-9.-]*, at most %d characters", c.ID, maxNameLength)
	}
	if err := validateOrderer(c.Orderer); err != nil {
		return err
	}
	if len(c.OrdererOrgs) == 0 {
		return fmt.Errorf("channel %s: no orderer org", c.ID)
	}
	if len(c.ApplicationOrgs) == 0 {
		return fmt.Errorf("channel %s: no application org", c.ID)
	}
	if err := validateOrgs("orderer", c.OrdererOrgs); err != nil {
		return err
	}
	if err := validateOrgs("application", c.ApplicationOrgs); err != nil {
		return err
	}
	return validateV3(c)
}

// validateV3 applies Fabric v3.1.5's configtxgen rules (internal/configtxgen/encoder/
// encoder.go NewOrdererGroup, NewOrdererOrgGroup): BFT needs the V3_0 channel
// capability; under V3_0 the channel-wide orderer addresses are gone and every orderer
// org must list its endpoints. A BFT consenter must also belong to an orderer org of
// the channel: BlockValidation checks its block signatures against that org's MSP.
func validateV3(c Channel) error {
	v3 := slices.Contains(c.Capabilities.Channel, "V3_0")
	bft, isBFT := c.Orderer.Consensus.(SmartBFT)
	if isBFT && !v3 {
		return fmt.Errorf("orderer: BFT needs the V3_0 channel capability")
	}
	if !v3 {
		return nil
	}
	if len(c.Orderer.Addresses) > 0 {
		return fmt.Errorf("orderer: channel-wide orderer addresses cannot be used with V3_0; list each org's endpoints")
	}
	ordererMSPs := map[string]bool{}
	for _, o := range c.OrdererOrgs {
		if len(o.OrdererEndpoints) == 0 {
			return fmt.Errorf("orderer org %s: V3_0 needs its orderer endpoints", o.groupName())
		}
		ordererMSPs[o.MSPID] = true
	}
	for _, cons := range bft.Consenters {
		if !ordererMSPs[cons.MSPID] {
			return fmt.Errorf("consenter %s:%d: MSP %q is not an orderer org of the channel", cons.Host, cons.Port, cons.MSPID)
		}
	}
	return nil
}

// validateOrderer applies common/channelconfig/orderer.go validateBatchSize and
// validateBatchTimeout.
func validateOrderer(o Orderer) error {
	b := o.BatchSize
	switch {
	case b.MaxMessageCount == 0 || b.AbsoluteMaxBytes == 0 || b.PreferredMaxBytes == 0:
		return fmt.Errorf("orderer batch size: max message count, absolute and preferred max bytes must all be set")
	case b.PreferredMaxBytes > b.AbsoluteMaxBytes:
		return fmt.Errorf("orderer batch size: preferred max bytes %d above absolute max bytes %d", b.PreferredMaxBytes, b.AbsoluteMaxBytes)
	case o.BatchTimeout <= 0:
		return fmt.Errorf("orderer batch timeout %s: must be positive", o.BatchTimeout)
	}
	return nil
}

func validateOrgs(kind string, orgs []Org) error {
	seen := map[string]bool{}
	for _, o := range orgs {
		name := o.groupName()
		if len(name) > maxNameLength || !configIDPattern.MatchString(name) || name == "." || name == ".." {
			return fmt.Errorf("%s org %q: Fabric allows [a-zA-Z0-9.-]+ as a group name", kind, name)
		}
		if seen[name] {
			return fmt.Errorf("%s org %s: listed twice", kind, name)
		}
		seen[name] = true
		if o.MSPID == "" {
			return fmt.Errorf("%s org %s: no MSP ID", kind, name)
		}
		if len(o.RootCerts) == 0 {
			return fmt.Errorf("%s org %s: no root certificate", kind, name)
		}
		if kind == "orderer" && len(o.AnchorPeers) > 0 {
			return fmt.Errorf("orderer org %s: anchor peers belong to application orgs", name)
		}
		if kind == "application" && len(o.OrdererEndpoints) > 0 {
			return fmt.Errorf("application org %s: orderer endpoints belong to orderer orgs", name)
		}
		for _, p := range o.AnchorPeers {
			if p.Host == "" || p.Port <= 0 {
				return fmt.Errorf("application org %s: anchor peer %q:%d needs a host and a port", name, p.Host, p.Port)
			}
		}
		if err := validateCerts(kind, name, o); err != nil {
			return err
		}
	}
	return nil
}

// validateCerts checks that every certificate is one PEM CERTIFICATE block that parses:
// Fabric's MSP setup rejects anything else when a node loads the channel.
func validateCerts(kind, name string, o Org) error {
	type certs struct {
		what string
		list [][]byte
	}
	all := []certs{{"root", o.RootCerts}, {"intermediate", o.IntermediateCerts}, {"TLS root", o.TLSRootCerts}}
	if n := o.NodeOUs; n != nil {
		all = append(all, certs{"NodeOUs", [][]byte{n.Client.Certificate, n.Peer.Certificate, n.Admin.Certificate, n.Orderer.Certificate}})
	}
	for _, cs := range all {
		what := cs.what
		for _, c := range cs.list {
			block, rest := pem.Decode(c)
			if block == nil || block.Type != "CERTIFICATE" || len(bytes.TrimSpace(rest)) != 0 {
				return fmt.Errorf("%s org %s: a %s certificate is not a single PEM CERTIFICATE", kind, name, what)
			}
			if _, err := x509.ParseCertificate(block.Bytes); err != nil {
				return fmt.Errorf("%s org %s: %s certificate: %w", kind, name, what, err)
			}
		}
	}
	return nil
}
