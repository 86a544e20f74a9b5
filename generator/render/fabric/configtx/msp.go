package configtx

// mspConfig encodes the MSP value of an org group: msp.MSPConfig{type = 1, config = 2}
// with type FABRIC (0, msp/msp.go ProviderType) and config a FabricMSPConfig
// (fabric-protos msp/msp_config.proto). It holds what configtxgen reads from an MSP
// directory (msp/configbuilder.go getMspConfig with no signing identity): verifying
// material only.
func mspConfig(o Org) []byte {
	return msg(nil).int32(1, 0).bytes(2, fabricMSPConfig(o))
}

// fabricMSPConfig: name = 1, root_certs = 2, intermediate_certs = 3, admins = 4,
// revocation_list = 5, signing_identity = 6, organizational_unit_identifiers = 7,
// crypto_config = 8, tls_root_certs = 9, tls_intermediate_certs = 10,
// fabric_node_ous = 11. With NodeOUs, admins are recognized by the admin OU, so the
// admins list stays empty.
func fabricMSPConfig(o Org) []byte {
	m := msg(nil).string(1, o.MSPID).
		repeated(2, o.RootCerts).
		repeated(3, o.IntermediateCerts).
		field(8, cryptoConfig()).
		repeated(9, o.TLSRootCerts)
	if o.NodeOUs != nil {
		m = m.field(11, nodeOUs(o.NodeOUs))
	}
	return m
}

// cryptoConfig encodes FabricCryptoConfig{signature_hash_family = 1,
// identity_identifier_hash_function = 2} as configbuilder.go sets it: SHA2 and SHA256
// (bccsp/opts.go).
func cryptoConfig() []byte {
	return msg(nil).string(1, "SHA2").string(2, "SHA256")
}

// nodeOUs encodes FabricNodeOUs{enable = 1, client_ou_identifier = 2,
// peer_ou_identifier = 3, admin_ou_identifier = 4, orderer_ou_identifier = 5}.
func nodeOUs(n *NodeOUs) []byte {
	return msg(nil).bool(1, true).
		field(2, ouIdentifier(n.Client)).
		field(3, ouIdentifier(n.Peer)).
		field(4, ouIdentifier(n.Admin)).
		field(5, ouIdentifier(n.Orderer))
}

// ouIdentifier encodes FabricOUIdentifier{certificate = 1,
// organizational_unit_identifier = 2}.
func ouIdentifier(ou OUIdentifier) []byte {
	return msg(nil).bytes(1, ou.Certificate).string(2, ou.Identifier)
}
