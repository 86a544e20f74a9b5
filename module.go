// Package fluxledger carries what a network repository shares with this source tree,
// the CUE module's schema, embedded in the binary: every command evaluates a network
// with it (generator/load), not with the repository's copy, and `flux-ledger init`
// writes it into a consortium's repository for `cue vet` and editors.
package fluxledger

import "embed"

// CUEModule holds cue/cue.mod/module.cue, cue/schema/*.cue, cue/identities/doc.cue and cue/msp/doc.cue.
//
//go:embed cue/cue.mod/module.cue cue/schema/*.cue cue/identities/doc.cue cue/msp/doc.cue
var CUEModule embed.FS
