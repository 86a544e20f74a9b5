package configtx

import (
	"errors"
	"fmt"
	"slices"
	"strconv"

	"google.golang.org/protobuf/encoding/protowire"
)

// NewConsenter is an orderer joining a running channel's consenter set: where the
// others dial it, the TLS certificate (PEM) it presents as client and server, and, for
// SmartBFT, the signing certificate (PEM) it signs blocks with.
type NewConsenter struct {
	Host     string
	Port     uint32
	TLSCert  []byte
	Identity []byte
}

func (n NewConsenter) endpoint() string { return n.Host + ":" + strconv.FormatUint(uint64(n.Port), 10) }

// WithConsenter returns a copy of c with one more consenter, owned by org, changed as
// Fabric's reconfiguration tutorial changes a config by hand (Fabric v3.1.5
// docs/source/create_channel/add_orderer.md, "Add the orderer to the known endpoints",
// "...to the known identities", "...to the policy rules", "...to the consenter
// mapping"):
//
//   - etcdraft: the consenter appended to the ConsensusType metadata
//     (etcdraft.ConfigMetadata.consenters), options and state kept;
//   - BFT: the consenter appended to the Orderers value's consenter_mapping with the
//     next free ID, and BlockValidation re-derived from the new mapping, as
//     orderer/consensus/smartbft/configverifier.go checkConsentersMatchPolicy requires
//     of every config;
//   - its endpoint appended to the org's Endpoints under /Channel/Orderer, and to the
//     channel's OrdererAddresses when the config has that (deprecated) value;
//   - org added under /Channel/Orderer, whole, when it runs no orderer of the channel
//     yet: a Raft consenter's TLS certificate must chain to an orderer org's TLS root
//     (orderer/consensus/etcdraft/util.go VerifyConfigMetadata, createX509VerifyOptions).
func WithConsenter(c *Config, org Org, n NewConsenter) (*Config, error) {
	if n.Host == "" || n.Port == 0 || len(n.TLSCert) == 0 {
		return nil, fmt.Errorf("new consenter %q: host, port and TLS certificate are required", n.endpoint())
	}
	updated, err := clone(c)
	if err != nil {
		return nil, err
	}
	orderer := updated.Channel.Groups[ordererGroupKey]
	if orderer == nil {
		return nil, errors.New("the config has no /Channel/Orderer group")
	}
	current, err := c.Consenters()
	if err != nil {
		return nil, err
	}
	if slices.Contains(current, n.endpoint()) {
		return nil, fmt.Errorf("%s is already a consenter of the channel", n.endpoint())
	}
	typ, _, err := consensusTypeOf(orderer)
	if err != nil {
		return nil, err
	}
	switch typ {
	case etcdRaftType:
		err = editRaftConsenters(orderer, func(list [][]byte) ([][]byte, error) {
			return append(list, consenter(Consenter{Host: n.Host, Port: n.Port, ClientTLSCert: n.TLSCert, ServerTLSCert: n.TLSCert})), nil
		})
	case bftType:
		if org.MSPID == "" || len(n.Identity) == 0 {
			return nil, fmt.Errorf("BFT consenter %s: MSP ID and identity certificate are required", n.endpoint())
		}
		err = editBFTConsenters(orderer, func(list []BFTConsenter) ([]BFTConsenter, error) {
			var next uint32
			for _, b := range list {
				next = max(next, b.ID)
			}
			// The next ID above every one in use: a removed consenter's ID is never
			// given to another orderer.
			return append(list, BFTConsenter{ID: next + 1, Host: n.Host, Port: n.Port, MSPID: org.MSPID,
				Identity: n.Identity, ClientTLSCert: n.TLSCert, ServerTLSCert: n.TLSCert}), nil
		})
	default:
		err = fmt.Errorf("consensus type %q: consenters not changed", typ)
	}
	if err != nil {
		return nil, err
	}

	name := org.groupName()
	if g, ok := orderer.Groups[name]; ok {
		if err := editAddresses(g, endpointsKey, g.ModPolicy, func(a []string) []string { return append(a, n.endpoint()) }); err != nil {
			return nil, fmt.Errorf("/Channel/Orderer/%s: %w", name, err)
		}
	} else {
		org.OrdererEndpoints, org.AnchorPeers = []string{n.endpoint()}, nil
		if err := validateOrgs("orderer", []Org{org}); err != nil {
			return nil, err
		}
		g, err := decodeGroup(orgGroup(org, ordererOrgPolicies, func(o Org) (string, []byte) {
			return endpointsKey, ordererAddresses(o.OrdererEndpoints)
		}).marshal())
		if err != nil {
			return nil, err
		}
		orderer.Groups[name] = g
	}
	if _, ok := updated.Channel.Values[ordererAddressesKey]; ok {
		if err := editAddresses(updated.Channel, ordererAddressesKey, "", func(a []string) []string { return append(a, n.endpoint()) }); err != nil {
			return nil, fmt.Errorf("/Channel: %w", err)
		}
	}
	return updated, nil
}

// WithoutConsenter returns a copy of c without the consenter at endpoint ("host:port"),
// which orgName's orderer runs: out of the consenter list (and for BFT out of
// BlockValidation), out of the org's Endpoints and the channel's OrdererAddresses, and
// with dropOrg, the org's group removed from /Channel/Orderer (it orders nothing on
// the channel any more). Fabric refuses an empty consenter set
// (orderer/consensus/etcdraft/util.go VerifyConfigMetadata); the protocols' own
// minimums are the schema's.
func WithoutConsenter(c *Config, orgName, endpoint string, dropOrg bool) (*Config, error) {
	updated, err := clone(c)
	if err != nil {
		return nil, err
	}
	orderer := updated.Channel.Groups[ordererGroupKey]
	if orderer == nil {
		return nil, errors.New("the config has no /Channel/Orderer group")
	}
	org, ok := orderer.Groups[orgName]
	if !ok {
		return nil, fmt.Errorf("%s is not an orderer organisation of the channel", orgName)
	}
	typ, _, err := consensusTypeOf(orderer)
	if err != nil {
		return nil, err
	}
	found := false
	switch typ {
	case etcdRaftType:
		err = editRaftConsenters(orderer, func(list [][]byte) ([][]byte, error) {
			return slices.DeleteFunc(list, func(b []byte) bool {
				host, port, err := consenterEndpoint(b, 1)
				hit := err == nil && host+":"+strconv.FormatUint(port, 10) == endpoint
				found = found || hit
				return hit
			}), nil
		})
	case bftType:
		err = editBFTConsenters(orderer, func(list []BFTConsenter) ([]BFTConsenter, error) {
			var owner string
			list = slices.DeleteFunc(list, func(b BFTConsenter) bool {
				hit := b.Host+":"+strconv.FormatUint(uint64(b.Port), 10) == endpoint
				if hit {
					found, owner = true, b.MSPID
				}
				return hit
			})
			if found && owner != orgName {
				return nil, fmt.Errorf("consenter %s belongs to %s, not %s", endpoint, owner, orgName)
			}
			return list, nil
		})
	default:
		err = fmt.Errorf("consensus type %q: consenters not changed", typ)
	}
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("%s is not a consenter of the channel", endpoint)
	}
	without := func(a []string) []string { return slices.DeleteFunc(a, func(s string) bool { return s == endpoint }) }
	if dropOrg {
		delete(orderer.Groups, orgName)
	} else if _, ok := org.Values[endpointsKey]; ok {
		if err := editAddresses(org, endpointsKey, org.ModPolicy, without); err != nil {
			return nil, fmt.Errorf("/Channel/Orderer/%s: %w", orgName, err)
		}
	}
	if _, ok := updated.Channel.Values[ordererAddressesKey]; ok {
		if err := editAddresses(updated.Channel, ordererAddressesKey, "", without); err != nil {
			return nil, fmt.Errorf("/Channel: %w", err)
		}
	}
	return updated, nil
}

// consensusTypeOf reads orderer.ConsensusType{type = 1, metadata = 2}.
func consensusTypeOf(orderer *ConfigGroup) (typ string, metadata []byte, err error) {
	v := orderer.Values[consensusTypeKey]
	if v == nil {
		return "", nil, errors.New("the config has no /Channel/Orderer/ConsensusType")
	}
	err = eachField(v.Content, func(num protowire.Number, _ uint64, b []byte) error {
		switch num {
		case 1:
			typ = string(b)
		case 2:
			metadata = b
		}
		return nil
	})
	if err != nil {
		return "", nil, fmt.Errorf("ConsensusType: %w", err)
	}
	return typ, metadata, nil
}

// editRaftConsenters rewrites the etcdraft consenter list inside ConsensusType:
// ConsensusType{type = 1, metadata = 2, state = 3} and ConfigMetadata{repeated
// consenters = 1, options = 2} (orderer/configuration.proto,
// orderer/etcdraft/configuration.proto). Every other field is kept as it was, in
// field order, as Go's proto.Marshal writes it.
func editRaftConsenters(orderer *ConfigGroup, edit func([][]byte) ([][]byte, error)) error {
	ct := orderer.Values[consensusTypeKey]
	var typ string
	var metadata []byte
	var state uint64
	if err := eachField(ct.Content, func(num protowire.Number, v uint64, b []byte) error {
		switch num {
		case 1:
			typ = string(b)
		case 2:
			metadata = b
		case 3:
			state = v
		default:
			return fmt.Errorf("ConsensusType field %d: not kept", num)
		}
		return nil
	}); err != nil {
		return err
	}
	var list [][]byte
	var options []byte
	hasOptions := false
	if err := eachField(metadata, func(num protowire.Number, _ uint64, b []byte) error {
		switch num {
		case 1:
			list = append(list, b)
		case 2:
			options, hasOptions = b, true
		default:
			return fmt.Errorf("etcdraft ConfigMetadata field %d: not kept", num)
		}
		return nil
	}); err != nil {
		return err
	}
	list, err := edit(list)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		return errors.New("etcdraft: the channel would have no consenter left")
	}
	md := msg(nil).repeated(1, list)
	if hasOptions {
		md = md.field(2, options)
	}
	ct.Content = msg(nil).string(1, typ).bytes(2, md).uint(3, state)
	return nil
}

// editBFTConsenters rewrites the Orderers value's consenter mapping (Fabric v3
// common/configuration.proto: Orderers{repeated consenter_mapping = 1}) and the
// orderer group's BlockValidation policy to match it.
func editBFTConsenters(orderer *ConfigGroup, edit func([]BFTConsenter) ([]BFTConsenter, error)) error {
	v := orderer.Values[orderersKey]
	if v == nil {
		return errors.New("BFT config has no /Channel/Orderer/Orderers")
	}
	var list []BFTConsenter
	if err := eachField(v.Content, func(num protowire.Number, _ uint64, b []byte) error {
		if num != 1 {
			return fmt.Errorf("Orderers field %d: not kept", num) //nolint:staticcheck // names Fabric's Orderers config value
		}
		c, err := decodeBFTConsenter(b)
		list = append(list, c)
		return err
	}); err != nil {
		return err
	}
	list, err := edit(list)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		return errors.New("BFT: the channel would have no consenter left")
	}
	var mapping msg
	for _, c := range list {
		mapping = mapping.field(1, bftConsenter(c))
	}
	v.Content = mapping
	bv := orderer.Policies[blockValidationPolicy]
	if bv == nil {
		return errors.New("BFT config has no /Channel/Orderer/BlockValidation policy")
	}
	bv.Content = bftBlockValidation(list).marshal()
	return nil
}

// decodeBFTConsenter reads common.Consenter{id = 1, host = 2, port = 3, msp_id = 4,
// identity = 5, client_tls_cert = 6, server_tls_cert = 7}.
func decodeBFTConsenter(b []byte) (BFTConsenter, error) {
	var c BFTConsenter
	err := eachField(b, func(num protowire.Number, v uint64, d []byte) error {
		switch num {
		case 1:
			c.ID = uint32(v)
		case 2:
			c.Host = string(d)
		case 3:
			c.Port = uint32(v)
		case 4:
			c.MSPID = string(d)
		case 5:
			c.Identity = append([]byte{}, d...)
		case 6:
			c.ClientTLSCert = append([]byte{}, d...)
		case 7:
			c.ServerTLSCert = append([]byte{}, d...)
		default:
			return fmt.Errorf("Consenter field %d: not kept", num)
		}
		return nil
	})
	return c, err
}

// consenterEndpoint reads the host and port of an encoded consenter whose host is field
// hostField and port the next one.
func consenterEndpoint(b []byte, hostField protowire.Number) (string, uint64, error) {
	var host string
	var port uint64
	err := eachField(b, func(n protowire.Number, v uint64, d []byte) error {
		switch n {
		case hostField:
			host = string(d)
		case hostField + 1:
			port = v
		}
		return nil
	})
	return host, port, err
}

// editAddresses rewrites a common.OrdererAddresses{repeated addresses = 1} value (an
// org's Endpoints, the channel's OrdererAddresses), creating it with modPolicy when
// absent. An edit that leaves no address removes the value: configtxgen leaves an
// empty one out (encoder.go NewOrdererOrgGroup).
func editAddresses(g *ConfigGroup, key, modPolicy string, edit func([]string) []string) error {
	var addresses []string
	v, ok := g.Values[key]
	if ok {
		if err := eachField(v.Content, func(num protowire.Number, _ uint64, b []byte) error {
			if num == 1 {
				addresses = append(addresses, string(b))
			}
			return nil
		}); err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
	} else {
		v = &ConfigItem{ModPolicy: modPolicy}
	}
	addresses = edit(addresses)
	if len(addresses) == 0 {
		delete(g.Values, key)
		return nil
	}
	v.Content = ordererAddresses(addresses)
	g.Values[key] = v
	return nil
}

// ConsenterCerts is what a config holds for one consenter: the TLS certificate (PEM)
// it presents as server, and on BFT the identity (PEM) it signs with.
type ConsenterCerts struct {
	TLSCert, Identity []byte
}

// ConsenterCertificates maps each consenter's endpoint ("host:port") to its
// certificates: etcdraft Consenter{host = 1, port = 2, client_tls_cert = 3,
// server_tls_cert = 4} (orderer/etcdraft/configuration.proto), BFT Consenter{id = 1,
// host = 2, port = 3, msp_id = 4, identity = 5, client_tls_cert = 6, server_tls_cert
// = 7} (common/configuration.proto).
func (c *Config) ConsenterCertificates() (map[string]ConsenterCerts, error) {
	orderer := c.Channel.Groups[ordererGroupKey]
	if orderer == nil {
		return nil, errors.New("the config has no /Channel/Orderer group")
	}
	typ, metadata, err := consensusTypeOf(orderer)
	if err != nil {
		return nil, err
	}
	out := map[string]ConsenterCerts{}
	switch typ {
	case etcdRaftType:
		err = eachField(metadata, func(num protowire.Number, _ uint64, b []byte) error {
			if num != 1 {
				return nil
			}
			var host string
			var port uint64
			var tls []byte
			if err := eachField(b, func(n protowire.Number, v uint64, d []byte) error {
				switch n {
				case 1:
					host = string(d)
				case 2:
					port = v
				case 4:
					tls = append([]byte{}, d...)
				}
				return nil
			}); err != nil {
				return err
			}
			out[fmt.Sprintf("%s:%d", host, port)] = ConsenterCerts{TLSCert: tls}
			return nil
		})
	case bftType:
		v := orderer.Values[orderersKey]
		if v == nil {
			return nil, errors.New("BFT config has no /Channel/Orderer/Orderers")
		}
		err = eachField(v.Content, func(num protowire.Number, _ uint64, b []byte) error {
			if num != 1 {
				return nil
			}
			bc, err := decodeBFTConsenter(b)
			out[fmt.Sprintf("%s:%d", bc.Host, bc.Port)] = ConsenterCerts{TLSCert: bc.ServerTLSCert, Identity: bc.Identity}
			return err
		})
	default:
		err = fmt.Errorf("consensus type %q: consenters not read", typ)
	}
	return out, err
}

// WithRenewedConsenter returns a copy of c in which the consenter at n's endpoint
// presents n.TLSCert as client and server certificate and, on BFT, signs as
// n.Identity: a consenter's renewed certificates, its endpoint and everything else
// kept (Fabric v3.1.5 docs/source/raft_configuration.md, "Certificate rotation").
func WithRenewedConsenter(c *Config, n NewConsenter) (*Config, error) {
	updated, err := clone(c)
	if err != nil {
		return nil, err
	}
	orderer := updated.Channel.Groups[ordererGroupKey]
	if orderer == nil {
		return nil, errors.New("the config has no /Channel/Orderer group")
	}
	typ, _, err := consensusTypeOf(orderer)
	if err != nil {
		return nil, err
	}
	found := false
	switch typ {
	case etcdRaftType:
		err = editRaftConsenters(orderer, func(list [][]byte) ([][]byte, error) {
			for i, b := range list {
				host, port, err := consenterEndpoint(b, 1)
				if err != nil {
					return nil, err
				}
				if fmt.Sprintf("%s:%d", host, port) == n.endpoint() {
					list[i], found = consenter(Consenter{Host: n.Host, Port: n.Port, ClientTLSCert: n.TLSCert, ServerTLSCert: n.TLSCert}), true
				}
			}
			return list, nil
		})
	case bftType:
		err = editBFTConsenters(orderer, func(list []BFTConsenter) ([]BFTConsenter, error) {
			for i, b := range list {
				if fmt.Sprintf("%s:%d", b.Host, b.Port) == n.endpoint() {
					list[i].ClientTLSCert, list[i].ServerTLSCert, list[i].Identity, found = n.TLSCert, n.TLSCert, n.Identity, true
				}
			}
			return list, nil
		})
	default:
		err = fmt.Errorf("consensus type %q: consenters not changed", typ)
	}
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("%s is not a consenter of the channel", n.endpoint())
	}
	return updated, nil
}
