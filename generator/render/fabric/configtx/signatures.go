package configtx

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"google.golang.org/protobuf/encoding/protowire"
)

// Requirement is one policy an update must satisfy: the mod_policy of an element the
// update modifies, evaluated as Fabric evaluates it.
type Requirement struct {
	// Element is the modified element's path, e.g. "/Channel/Application".
	Element string
	// Policy is the mod_policy's full path, e.g. "/Channel/Application/Admins".
	Policy string
	// Rule and SubPolicy describe an ImplicitMeta policy ("MAJORITY", "Admins").
	Rule, SubPolicy string
	// Orgs are the groups whose SubPolicy the rule counts, ascending; Threshold is how
	// many of them must be satisfied.
	Orgs      []string
	Threshold int
}

// Requirements lists the policies the update needs, by Fabric v2.5.16's
// common/configtx/update.go: the delta set is every write set element whose version
// differs from the read set's (computeDeltaSet); a new element (version 0) needs no
// policy, and an existing one its current mod_policy (verifyDeltaSet, policyForItem:
// a relative mod_policy is read in the element's group — a group's own, for a
// group —, an absolute one from /Channel). ImplicitMeta policies over org groups and
// signature policies over org roles (an org's own Admins) are evaluated here.
func (u *ConfigUpdate) Requirements(original *Config) ([]Requirement, error) {
	var out []Requirement
	var walk func(path string, read, write, current *ConfigGroup) error
	walk = func(path string, read, write, current *ConfigGroup) error {
		if current == nil {
			return nil // a new group: every element in it is new
		}
		if read == nil || read.Version != write.Version {
			r, err := requirement(path, path, current.ModPolicy, current, original.Channel)
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		// Values, then policies: each written element whose version is not the read
		// set's, and that exists now, needs its current mod_policy.
		for _, kind := range []struct{ read, write, current map[string]*ConfigItem }{
			{nilSafe(read).Values, write.Values, current.Values},
			{nilSafe(read).Policies, write.Policies, current.Policies},
		} {
			for _, k := range sortedKeys(kind.write) {
				w, cur := kind.write[k], kind.current[k]
				if r, ok := kind.read[k]; (ok && r.Version == w.Version) || cur == nil {
					continue
				}
				r, err := requirement(path+"/"+k, path, cur.ModPolicy, current, original.Channel)
				if err != nil {
					return err
				}
				out = append(out, r)
			}
		}
		for _, k := range sortedKeys(write.Groups) {
			var r *ConfigGroup
			if read != nil {
				r = read.Groups[k]
			}
			if err := walk(path+"/"+k, r, write.Groups[k], current.Groups[k]); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk("/"+channelGroupKey, u.ReadSet, u.WriteSet, original.Channel); err != nil {
		return nil, err
	}
	return out, nil
}

func nilSafe(g *ConfigGroup) *ConfigGroup {
	if g == nil {
		return &ConfigGroup{}
	}
	return g
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// requirement evaluates modPolicy, relative to the group at groupPath or absolute
// from root (/Channel), when it is a signature policy over org roles or an
// ImplicitMeta policy of its group: Fabric v2.5.16 common/policies/implicitmeta.go
// NewImplicitMetaPolicy counts the SubPolicy of every sub-group, and its threshold is
// 1 for ANY, all of them for ALL and len/2+1 for MAJORITY.
func requirement(element, groupPath, modPolicy string, group, root *ConfigGroup) (Requirement, error) {
	if strings.HasPrefix(modPolicy, "/") {
		parts := strings.Split(modPolicy[1:], "/")
		if len(parts) < 2 || parts[0] != channelGroupKey {
			return Requirement{}, fmt.Errorf("%s: mod_policy %q is not a policy under /%s: not evaluated", element, modPolicy, channelGroupKey)
		}
		g := root
		for _, name := range parts[1 : len(parts)-1] {
			if g = g.Groups[name]; g == nil {
				return Requirement{}, fmt.Errorf("%s: mod_policy %s: no group %s", element, modPolicy, name)
			}
		}
		groupPath, modPolicy, group = "/"+strings.Join(parts[:len(parts)-1], "/"), parts[len(parts)-1], g
	}
	if modPolicy == "" || strings.Contains(modPolicy, "/") {
		return Requirement{}, fmt.Errorf("%s: mod_policy %q is not a policy of its own group: not evaluated", element, modPolicy)
	}
	p, ok := group.Policies[modPolicy]
	if !ok {
		return Requirement{}, fmt.Errorf("%s: mod_policy %s is not in %s", element, modPolicy, groupPath)
	}
	var typ, rule uint64
	var value []byte
	if err := eachField(p.Content, func(num protowire.Number, v uint64, b []byte) error {
		switch num {
		case 1:
			typ = v
		case 2:
			value = b
		}
		return nil
	}); err != nil {
		return Requirement{}, fmt.Errorf("%s/%s: %w", groupPath, modPolicy, err)
	}
	if typ == policyTypeSignature {
		r, err := signatureRequirement(value)
		if err != nil {
			return Requirement{}, fmt.Errorf("%s/%s: %w", groupPath, modPolicy, err)
		}
		r.Element, r.Policy = element, groupPath+"/"+modPolicy
		return r, nil
	}
	if typ != policyTypeImplicitMeta {
		return Requirement{}, fmt.Errorf("%s/%s: policy type %d is neither ImplicitMeta nor a signature policy: not evaluated", groupPath, modPolicy, typ)
	}
	var sub string
	if err := eachField(value, func(num protowire.Number, v uint64, b []byte) error {
		switch num {
		case 1:
			sub = string(b)
		case 2:
			rule = v
		}
		return nil
	}); err != nil {
		return Requirement{}, fmt.Errorf("%s/%s: %w", groupPath, modPolicy, err)
	}
	r := Requirement{Element: element, Policy: groupPath + "/" + modPolicy, SubPolicy: sub}
	// Every sub-group counts, with or without the sub-policy (GetPolicy gives a
	// missing one a policy that rejects everything).
	r.Orgs = group.GroupNames()
	switch rule {
	case ruleAny:
		r.Rule, r.Threshold = "ANY", 1
	case ruleAll:
		r.Rule, r.Threshold = "ALL", len(r.Orgs)
	case ruleMajority:
		r.Rule, r.Threshold = "MAJORITY", len(r.Orgs)/2+1
	default:
		return Requirement{}, fmt.Errorf("%s/%s: ImplicitMeta rule %d is unknown", groupPath, modPolicy, rule)
	}
	if len(r.Orgs) == 0 {
		r.Threshold = 0 // "no policies": 0 is a majority (implicitmeta.go)
	}
	return r, nil
}

// roleNames are msp.MSPRole.MSPRoleType's names as policydsl writes them in
// 'Org1MSP.admin' (msp/msp_principal.proto: MEMBER 0, ADMIN 1, CLIENT 2, PEER 3,
// ORDERER 4).
var roleNames = map[uint64]string{0: "member", 1: "admin", 2: "client", 3: "peer", 4: "orderer"}

// signatureRequirement reads a SignaturePolicyEnvelope{rule = 2, identities = 3} whose
// rule is NOutOf{n = 1, rules = 2} over SignedBy rules only, and whose identities are
// ROLE principals (classification 0) of one role, each of another organisation
// (MSPRole{msp_identifier = 1, role = 2}): what policydsl makes of "OR('AMSP.admin')",
// an org's Admins. Fabric evaluates it in common/cauthdsl/cauthdsl.go: n of the
// principals must be satisfied, each by a distinct signature. Any other shape is
// reported as not evaluated.
func signatureRequirement(envelope []byte) (Requirement, error) {
	var rule []byte
	var identities [][]byte
	if err := eachField(envelope, func(num protowire.Number, _ uint64, b []byte) error {
		switch num {
		case 2:
			rule = b
		case 3:
			identities = append(identities, b)
		}
		return nil
	}); err != nil {
		return Requirement{}, err
	}
	nOutOf, err := field(rule, 2, "SignaturePolicy.n_out_of")
	if err != nil {
		return Requirement{}, fmt.Errorf("not an NOutOf signature policy: not evaluated (%w)", err)
	}
	var n uint64
	signedBy := 0
	if err := eachField(nOutOf, func(num protowire.Number, v uint64, b []byte) error {
		switch num {
		case 1:
			n = v
		case 2:
			if _, err := field(b, 2, "n_out_of"); err == nil {
				return errors.New("a nested NOutOf: not evaluated")
			}
			signedBy++
		}
		return nil
	}); err != nil {
		return Requirement{}, err
	}
	r := Requirement{Rule: "SIGNATURE", Threshold: int(n)}
	seen := map[string]bool{}
	for _, id := range identities {
		var class uint64
		var principal []byte
		if err := eachField(id, func(num protowire.Number, v uint64, b []byte) error {
			switch num {
			case 1:
				class = v
			case 2:
				principal = b
			}
			return nil
		}); err != nil {
			return Requirement{}, err
		}
		if class != 0 {
			return Requirement{}, fmt.Errorf("principal classification %d is not ROLE: not evaluated", class)
		}
		var mspID string
		var role uint64
		if err := eachField(principal, func(num protowire.Number, v uint64, b []byte) error {
			switch num {
			case 1:
				mspID = string(b)
			case 2:
				role = v
			}
			return nil
		}); err != nil {
			return Requirement{}, err
		}
		name, ok := roleNames[role]
		if !ok || (r.SubPolicy != "" && r.SubPolicy != name) || seen[mspID] {
			return Requirement{}, fmt.Errorf("principals of several roles, or twice of %s: not evaluated", mspID)
		}
		r.SubPolicy, seen[mspID] = name, true
		r.Orgs = append(r.Orgs, mspID)
	}
	if len(r.Orgs) == 0 || signedBy != len(r.Orgs) || r.Threshold < 1 || r.Threshold > len(r.Orgs) {
		return Requirement{}, fmt.Errorf("%d of %d rules over %d principals: not evaluated", n, signedBy, len(r.Orgs))
	}
	slices.Sort(r.Orgs)
	return r, nil
}
