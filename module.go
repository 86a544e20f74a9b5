// Package fluxledger carries what a network repository shares with this source tree,
// the CUE module's schema, embedded in the binary so that `flux-ledger init` can start
// a consortium's own repository with it and `flux-ledger vet` can tell when a
// repository's copy differs from the schema the binary renders for.
package fluxledger

import "embed"

// CUEModule holds cue/cue.mod/module.cue, cue/schema/*.cue, cue/identities/doc.cue and cue/msp/doc.cue.
//
//go:embed cue/cue.mod/module.cue cue/schema/*.cue cue/identities/doc.cue cue/msp/doc.cue
var CUEModule embed.FS
