// Package generator turns a flux-ledger network, described in CUE, into the GitOps
// repository every party's cluster reconciles. It is a pipeline of one package per stage,
// data flowing one way:
//
//	load      CUE module → validated, concrete value → model.Network
//	model     the typed network every later stage reads
//	identity  node keypairs: public halves in cue/identities/, private halves sealed
//	secrets   SOPS encryption to one party's age recipients, and .sops.yaml
//	render    model → desired tree (path → bytes), per platform; never touches the disk
//	tree      desired tree vs. what is on disk: plan, atomic write, stale-file removal
//
// cmd/flux-ledger only parses flags and calls these packages.
package generator
