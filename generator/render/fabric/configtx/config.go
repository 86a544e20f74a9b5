package configtx

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"google.golang.org/protobuf/encoding/protowire"
)

// Config is a channel's config as the chain holds it: common.Config{sequence = 1,
// channel_group = 2} (fabric-protos common/configtx.proto), read from a config block
// with protowire. Values and policies stay encoded: comparing and copying them is all
// a config update needs.
type Config struct {
	Sequence uint64
	Channel  *ConfigGroup
}

// ConfigGroup is common.ConfigGroup{version = 1, map groups = 2, map values = 3,
// map policies = 4, mod_policy = 5}.
type ConfigGroup struct {
	Version   uint64
	Groups    map[string]*ConfigGroup
	Values    map[string]*ConfigItem
	Policies  map[string]*ConfigItem
	ModPolicy string
}

// ConfigItem is a common.ConfigValue{version = 1, value = 2, mod_policy = 3} or a
// common.ConfigPolicy{version = 1, policy = 2, mod_policy = 3}. Content is the value's
// bytes or the encoded common.Policy; nil means absent (a read set names an element
// and its version only).
type ConfigItem struct {
	Version   uint64
	Content   []byte
	ModPolicy string
}

func newConfigGroup() *ConfigGroup {
	return &ConfigGroup{Groups: map[string]*ConfigGroup{}, Values: map[string]*ConfigItem{}, Policies: map[string]*ConfigItem{}}
}

// Marshal encodes the group as Go's deterministic proto.Marshal does (map keys
// sorted, zero scalars left out).
func (g *ConfigGroup) Marshal() []byte {
	groups := map[string][]byte{}
	for k, sub := range g.Groups {
		groups[k] = sub.Marshal()
	}
	item := func(i *ConfigItem) []byte {
		m := msg(nil).uint(1, i.Version)
		if i.Content != nil {
			m = m.field(2, i.Content)
		}
		return m.string(3, i.ModPolicy)
	}
	values := map[string][]byte{}
	for k, v := range g.Values {
		// ConfigValue.value is bytes: proto3 leaves an empty one out.
		values[k] = msg(nil).uint(1, v.Version).bytes(2, v.Content).string(3, v.ModPolicy)
	}
	policies := map[string][]byte{}
	for k, p := range g.Policies {
		policies[k] = item(p)
	}
	return msg(nil).uint(1, g.Version).mapOf(2, groups).mapOf(3, values).mapOf(4, policies).string(5, g.ModPolicy)
}

// GroupNames returns the names of the group's sub-groups, ascending.
func (g *ConfigGroup) GroupNames() []string { return slices.Sorted(maps.Keys(g.Groups)) }

// Application is /Channel/Application, or nil.
func (c *Config) Application() *ConfigGroup {
	if c == nil || c.Channel == nil {
		return nil
	}
	return c.Channel.Groups[applicationGroupKey]
}

// DecodeConfigBlock reads a config block — a genesis block or one fetched with
// `peer channel fetch config` — and returns its channel ID and config: the block's
// first envelope must be a CONFIG transaction (HeaderType 1), whose payload data is a
// common.ConfigEnvelope{config = 1, last_update = 2} (common/common.proto,
// common/configtx.proto).
func DecodeConfigBlock(block []byte) (string, *Config, error) {
	data, err := field(block, 2, "Block.data")
	if err != nil {
		return "", nil, err
	}
	envelope, err := field(data, 1, "BlockData.data")
	if err != nil {
		return "", nil, err
	}
	payload, err := field(envelope, 1, "Envelope.payload")
	if err != nil {
		return "", nil, err
	}
	header, err := field(payload, 1, "Payload.header")
	if err != nil {
		return "", nil, err
	}
	chHeader, err := field(header, 1, "Header.channel_header")
	if err != nil {
		return "", nil, err
	}
	var typ uint64
	var channelID string
	err = eachField(chHeader, func(num protowire.Number, v uint64, b []byte) error {
		switch num {
		case 1:
			typ = v
		case 4:
			channelID = string(b)
		}
		return nil
	})
	if err != nil {
		return "", nil, fmt.Errorf("ChannelHeader: %w", err)
	}
	if typ != headerTypeConfig {
		return "", nil, fmt.Errorf("the block's first transaction is of type %d, not a config transaction (%d): not a config block", typ, headerTypeConfig)
	}
	body, err := field(payload, 2, "Payload.data")
	if err != nil {
		return "", nil, err
	}
	config, err := field(body, 1, "ConfigEnvelope.config")
	if err != nil {
		return "", nil, err
	}
	c, err := DecodeConfig(config)
	return channelID, c, err
}

// DecodeConfig reads an encoded common.Config.
func DecodeConfig(b []byte) (*Config, error) {
	c := &Config{}
	err := eachField(b, func(num protowire.Number, v uint64, data []byte) error {
		switch num {
		case 1:
			c.Sequence = v
		case 2:
			g, err := decodeGroup(data)
			if err != nil {
				return fmt.Errorf("channel_group: %w", err)
			}
			c.Channel = g
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("Config: %w", err)
	}
	if c.Channel == nil {
		return nil, errors.New("Config: no channel_group")
	}
	return c, nil
}

// Marshal encodes the config as common.Config.
func (c *Config) Marshal() []byte {
	return msg(nil).uint(1, c.Sequence).field(2, c.Channel.Marshal())
}

func decodeGroup(b []byte) (*ConfigGroup, error) {
	g := newConfigGroup()
	err := eachField(b, func(num protowire.Number, v uint64, data []byte) error {
		switch num {
		case 1:
			g.Version = v
		case 2, 3, 4:
			key, value, err := mapEntry(data)
			if err != nil {
				return err
			}
			if num == 2 {
				sub, err := decodeGroup(value)
				if err != nil {
					return fmt.Errorf("group %s: %w", key, err)
				}
				g.Groups[key] = sub
				return nil
			}
			item, err := decodeItem(value)
			if err != nil {
				return fmt.Errorf("%s: %w", key, err)
			}
			if num == 3 {
				g.Values[key] = item
			} else {
				g.Policies[key] = item
			}
		case 5:
			g.ModPolicy = string(data)
		}
		return nil
	})
	return g, err
}

func decodeItem(b []byte) (*ConfigItem, error) {
	i := &ConfigItem{}
	err := eachField(b, func(num protowire.Number, v uint64, data []byte) error {
		switch num {
		case 1:
			i.Version = v
		case 2:
			i.Content = append([]byte{}, data...)
		case 3:
			i.ModPolicy = string(data)
		}
		return nil
	})
	return i, err
}

// mapEntry reads one map<string, bytes-like> entry {key = 1, value = 2}.
func mapEntry(b []byte) (string, []byte, error) {
	var key string
	value := []byte{}
	err := eachField(b, func(num protowire.Number, _ uint64, data []byte) error {
		switch num {
		case 1:
			key = string(data)
		case 2:
			value = data
		}
		return nil
	})
	return key, value, err
}

// eachField calls fn with every field of an encoded message: the varint for varint
// fields, the bytes for length-delimited ones; other wire types are skipped.
func eachField(b []byte, fn func(num protowire.Number, v uint64, data []byte) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		var v uint64
		var data []byte
		switch typ {
		case protowire.VarintType:
			v, n = protowire.ConsumeVarint(b)
		case protowire.BytesType:
			data, n = protowire.ConsumeBytes(b)
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return fmt.Errorf("field %d: %w", num, protowire.ParseError(n))
		}
		b = b[n:]
		if err := fn(num, v, data); err != nil {
			return err
		}
	}
	return nil
}

// field returns the first occurrence of a length-delimited field: the messages on the
// path read here are never repeated, except BlockData.data, whose first entry is the
// config transaction.
func field(b []byte, want protowire.Number, name string) ([]byte, error) {
	var out []byte
	found := false
	err := eachField(b, func(num protowire.Number, _ uint64, data []byte) error {
		if num == want && !found {
			out, found = data, true
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if !found {
		return nil, fmt.Errorf("no %s", name)
	}
	return out, nil
}

// Consenters lists the consenters the config names, "host:port" in its order: an
// etcdraft ConsensusType's metadata, etcdraft.ConfigMetadata{repeated consenters = 1}
// with Consenter{host = 1, port = 2} (orderer/etcdraft/configuration.proto), or for
// BFT the Orderers value's consenter_mapping = 1 with Consenter{id = 1, host = 2,
// port = 3} (common/configuration.proto).
func (c *Config) Consenters() ([]string, error) {
	orderer := c.Channel.Groups[ordererGroupKey]
	if orderer == nil || orderer.Values[consensusTypeKey] == nil {
		return nil, errors.New("the config has no /Channel/Orderer/ConsensusType")
	}
	var typ string
	var metadata []byte
	if err := eachField(orderer.Values[consensusTypeKey].Content, func(num protowire.Number, _ uint64, b []byte) error {
		switch num {
		case 1:
			typ = string(b)
		case 2:
			metadata = b
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("ConsensusType: %w", err)
	}
	list, hostField := metadata, protowire.Number(1)
	switch typ {
	case etcdRaftType:
	case bftType:
		if orderer.Values[orderersKey] == nil {
			return nil, errors.New("BFT config has no /Channel/Orderer/Orderers")
		}
		list, hostField = orderer.Values[orderersKey].Content, 2
	default:
		return nil, fmt.Errorf("consensus type %q: consenters not read", typ)
	}
	var out []string
	err := eachField(list, func(num protowire.Number, _ uint64, b []byte) error {
		if num != 1 {
			return nil
		}
		host, port, err := consenterEndpoint(b, hostField)
		out = append(out, fmt.Sprintf("%s:%d", host, port))
		return err
	})
	return out, err
}
