package configtx

import (
	"sort"

	"google.golang.org/protobuf/encoding/protowire"
)

// msg appends protobuf fields in the way Go's proto.Marshal does for proto3: fields in
// ascending number order (callers add them so), zero scalars and empty strings/bytes
// left out, sub-messages always written when present, repeated elements always written
// (even empty ones). Fabric decodes any valid order; the convention only keeps the
// bytes easy to compare with what Fabric itself writes.
type msg []byte

func (m msg) uint(num protowire.Number, v uint64) msg {
	if v == 0 {
		return m
	}
	return m.varint(num, v)
}

// varint writes a varint field even when 0: a field with presence (in a oneof).
func (m msg) varint(num protowire.Number, v uint64) msg {
	m = protowire.AppendTag(m, num, protowire.VarintType)
	return protowire.AppendVarint(m, v)
}

// int32 encodes a proto3 int32 (or enum): negative values are sign-extended to 64 bits.
func (m msg) int32(num protowire.Number, v int32) msg {
	return m.uint(num, uint64(int64(v)))
}

func (m msg) bool(num protowire.Number, v bool) msg {
	if !v {
		return m
	}
	return m.uint(num, 1)
}

func (m msg) bytes(num protowire.Number, v []byte) msg {
	if len(v) == 0 {
		return m
	}
	return m.field(num, v)
}

func (m msg) string(num protowire.Number, v string) msg {
	return m.bytes(num, []byte(v))
}

// field writes a length-delimited field even when empty: a present sub-message, or one
// element of a repeated bytes/string/message field.
func (m msg) field(num protowire.Number, v []byte) msg {
	m = protowire.AppendTag(m, num, protowire.BytesType)
	return protowire.AppendBytes(m, v)
}

func (m msg) repeated(num protowire.Number, vs [][]byte) msg {
	for _, v := range vs {
		m = m.field(num, v)
	}
	return m
}

func (m msg) strings(num protowire.Number, vs []string) msg {
	for _, v := range vs {
		m = m.field(num, []byte(v))
	}
	return m
}

// mapOf writes a protobuf map<string, Message> field: one entry message per key
// (key = 1, value = 2), keys sorted as Go's deterministic marshalling sorts them, so
// the bytes do not depend on Go's map order.
func (m msg) mapOf(num protowire.Number, entries map[string][]byte) msg {
	keys := make([]string, 0, len(entries))
	for k := range entries {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		m = m.field(num, msg(nil).string(1, k).field(2, entries[k]))
	}
	return m
}
