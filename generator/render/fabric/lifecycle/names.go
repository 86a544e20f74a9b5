package lifecycle

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"strings"
)

// maxName bounds the names made here: a Job's name becomes its pods' job-name label
// value, and a Service's name a DNS label, both at most 63 characters.
const maxName = 63

// dnsLabel joins parts with "-" into a DNS-1035 label. Channel names may hold '.' and
// chaincode names '_', which a label may not: a name that had to be changed, or
// shortened, ends with a hash of its parts so two inputs never meet in one name.
func dnsLabel(parts ...string) string { return dnsLabelMax(maxName, parts...) }

// dnsLabelMax is dnsLabel for names of at most limit characters.
func dnsLabelMax(limit int, parts ...string) string {
	raw := strings.Join(parts, "-")
	name := sanitize(raw)
	if name == raw && len(name) <= limit {
		return name
	}
	suffix := "-" + shortHash([]byte(raw))[:8]
	return strings.TrimRight(name[:min(len(name), limit-len(suffix))], "-") + suffix
}

// sanitize lower-cases raw and turns every character a DNS label may not hold into '-'.
func sanitize(raw string) string {
	var b strings.Builder
	for _, r := range raw {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-':
			b.WriteRune(r)
		case r >= 'A' && r <= 'Z':
			b.WriteRune(r - 'A' + 'a')
		default:
			b.WriteRune('-')
		}
	}
	return b.String()
}

// shortHash is the first 10 hex digits of the SHA-256 of the parts, each prefixed
// with its length so that no two lists of parts hash alike.
func shortHash(parts ...[]byte) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write(binary.BigEndian.AppendUint64(nil, uint64(len(p))))
		h.Write(p)
	}
	return hex.EncodeToString(h.Sum(nil))[:10]
}

// hashedName is what, made a DNS label and shortened to fit, followed by the short
// hash of what itself and of content: the hash alone keeps two names apart.
func hashedName(what string, content ...[]byte) string {
	suffix := "-" + shortHash(append([][]byte{[]byte(what)}, content...)...)
	name := sanitize(what)
	return strings.TrimRight(name[:min(len(name), maxName-len(suffix))], "-") + suffix
}
