package configtx

// Policy names (common/channelconfig/util.go ReadersPolicyKey, WritersPolicyKey,
// AdminsPolicyKey; encoder.go BlockValidationPolicyKey) and the application's
// endorsement policies of Fabric's sample (sampleconfig/configtx.yaml).
const (
	readersPolicy              = "Readers"
	writersPolicy              = "Writers"
	adminsPolicy               = "Admins"
	blockValidationPolicy      = "BlockValidation"
	endorsementPolicy          = "Endorsement"
	lifecycleEndorsementPolicy = "LifecycleEndorsement"
)

// common.Policy.PolicyType (common/policies.proto).
const (
	policyTypeSignature    = 1
	policyTypeImplicitMeta = 3
)

// common.ImplicitMetaPolicy.Rule (common/policies.proto).
const (
	ruleAny      = 0
	ruleAll      = 1
	ruleMajority = 2
)

// msp.MSPRole.MSPRoleType (msp/msp_principal.proto).
const (
	roleMember = 0
	roleAdmin  = 1
	roleClient = 2
	rolePeer   = 3
)

// policy is a common.Policy{type = 1, value = 2} before encoding.
type policy struct {
	typ   int32
	value []byte
}

func (p policy) marshal() []byte {
	return msg(nil).int32(1, p.typ).bytes(2, p.value)
}

// implicitMeta is common.ImplicitMetaPolicy{sub_policy = 1, rule = 2}, as
// common/policies/implicitmetaparser.go ImplicitMetaFromString builds "ANY Readers".
func implicitMeta(rule int32, subPolicy string) policy {
	return policy{typ: policyTypeImplicitMeta, value: msg(nil).string(1, subPolicy).int32(2, rule)}
}

// The level policies configtxgen writes for /Channel, /Channel/Orderer and
// /Channel/Application (sampleconfig/configtx.yaml Channel, Orderer, Application
// Policies): Readers ANY, Writers ANY, Admins MAJORITY; the orderer adds
// BlockValidation ANY Writers, the application LifecycleEndorsement and Endorsement
// MAJORITY Endorsement.
func levelPolicies() map[string]policy {
	return map[string]policy{
		readersPolicy: implicitMeta(ruleAny, readersPolicy),
		writersPolicy: implicitMeta(ruleAny, writersPolicy),
		adminsPolicy:  implicitMeta(ruleMajority, adminsPolicy),
	}
}

func ordererPolicies() map[string]policy {
	p := levelPolicies()
	p[blockValidationPolicy] = implicitMeta(ruleAny, writersPolicy)
	return p
}

func applicationPolicies() map[string]policy {
	p := levelPolicies()
	p[lifecycleEndorsementPolicy] = implicitMeta(ruleMajority, endorsementPolicy)
	p[endorsementPolicy] = implicitMeta(ruleMajority, endorsementPolicy)
	return p
}

// The org policies of Fabric's test network (fabric-samples
// test-network/configtx/configtx.yaml), which relies on NodeOUs: an application org's
// Readers are OR(admin, peer, client), Writers OR(admin, client), Admins OR(admin),
// Endorsement OR(peer); an orderer org's Readers and Writers OR(member), Admins
// OR(admin) (its orderers sign blocks, and BlockValidation reads Writers).
func applicationOrgPolicies(mspID string) map[string]policy {
	return map[string]policy{
		readersPolicy:     signedByAnyOf(mspID, roleAdmin, rolePeer, roleClient),
		writersPolicy:     signedByAnyOf(mspID, roleAdmin, roleClient),
		adminsPolicy:      signedByAnyOf(mspID, roleAdmin),
		endorsementPolicy: signedByAnyOf(mspID, rolePeer),
	}
}

func ordererOrgPolicies(mspID string) map[string]policy {
	return map[string]policy{
		readersPolicy: signedByAnyOf(mspID, roleMember),
		writersPolicy: signedByAnyOf(mspID, roleMember),
		adminsPolicy:  signedByAnyOf(mspID, roleAdmin),
	}
}

// signedByAnyOf is the SignaturePolicyEnvelope that
// common/policydsl/policyparser.go FromString makes of "OR('<msp>.<role>', ...)":
// version 0; rule NOutOf{n: 1, rules: [SignedBy 0, SignedBy 1, ...]}; one ROLE
// principal per role in the order written (the parser does not deduplicate them).
//
// SignaturePolicyEnvelope{version = 1, rule = 2, repeated identities = 3};
// SignaturePolicy{oneof signed_by = 1, n_out_of = 2}; NOutOf{n = 1, rules = 2}
// (common/policies.proto).
func signedByAnyOf(mspID string, roles ...int32) policy {
	var rules msg
	var identities [][]byte
	for i, r := range roles {
		// signed_by sits in a oneof, which has presence: Go writes it even when 0.
		rules = rules.field(2, msg(nil).varint(1, uint64(i)))
		identities = append(identities, rolePrincipal(mspID, r))
	}
	return policy{typ: policyTypeSignature, value: signatureEnvelope(1, rules, identities)}
}

// signatureEnvelope encodes SignaturePolicyEnvelope{version 0, rule: NOutOf{n, rules},
// identities}; rules are the encoded repeated NOutOf.rules fields.
func signatureEnvelope(n int32, rules msg, identities [][]byte) []byte {
	nOutOf := append(msg(nil).int32(1, n), rules...)
	rule := msg(nil).field(2, nOutOf)
	return msg(nil).field(2, rule).repeated(3, identities)
}

// rolePrincipal encodes msp.MSPPrincipal{principal_classification = 1 (ROLE = 0),
// principal = 2} holding an MSPRole{msp_identifier = 1, role = 2}
// (msp/msp_principal.proto).
func rolePrincipal(mspID string, role int32) []byte {
	mspRole := msg(nil).string(1, mspID).int32(2, role)
	return msg(nil).bytes(2, mspRole)
}
