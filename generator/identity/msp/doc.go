// Package msp makes the x509 material a Hyperledger Fabric party needs: per
// organisation (MSP ID) a signing CA and a separate TLS CA, the signing identities
// (peer, orderer, admin, client) and TLS certificates they issue, the public files of
// an MSP directory (cacerts/, tlscacerts/, signcerts/, config.yaml with NodeOUs), the
// renewal of any certificate for the same key, and checks that read an MSP's public
// files and a leaf the way Fabric's msp package (v2.5 and v3.1) does.
//
// Everything follows the profile Fabric's cryptogen writes, because that is the one
// Fabric accepts: ECDSA P-256 keys, CAs with a Subject Key Identifier and the key usages
// cryptogen gives them, signing leaves with no extended key usage (Fabric verifies
// chains with Go's default, ServerAuth), exactly one NodeOU per signing identity, and
// low-S signatures so Fabric never has to re-encode a certificate.
//
// Private keys stay in memory. They are handed back as PKCS#8 PEM bytes for the caller
// to seal (package secrets); this package never writes a file.
package msp
