#!/usr/bin/env bash
# Submits the signed config update ENVELOPE of CHANNEL (CHANGE "add" or "remove" of
# organisation ORG, bringing the config to sequence SEQUENCE) once. Idempotent: it
# reads the channel's config first; when the channel already holds the change it exits
# 0, and when the channel has moved on otherwise the update is stale: it says so and
# exits 1 instead of submitting what the orderer would refuse.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

: "${CHANNEL:?}" "${SEQUENCE:?}" "${CHANGE:?}" "${ORG:?}" "${ENVELOPE:?}" "${ORDERERS:?}"

# The pod's only writable place is /tmp (HOME).
block=$HOME/config.block

# config_state prints "<sequence> <true|false>": the config's sequence and whether ORG
# is in its Application group. `peer channel fetch config FILE` writes the channel's
# last config block (internal/peer/channel/fetch.go); configtxlator proto_decode prints
# it as JSON with the proto field names and uint64 as strings (cmd/configtxlator,
# fabric-config protolator/json.go: jsonpb with OrigName and EmitDefaults).
config_state() {
	local json
	fetch() { peer channel fetch config "$block" -c "$CHANNEL" "$@"; }
	with_orderers fetch >&2 || die "no orderer gave channel $CHANNEL's config block"
	json=$(configtxlator proto_decode --input "$block" --type common.Block) || die "configtxlator could not decode the config block of $CHANNEL"
	# A pipe, not a here-string: bash writes a here-string to a temporary file before
	# 5.1, and from 5.1 on still when it is larger than a pipe buffer (bash CHANGES).
	printf '%s\n' "$json" | jq -r --arg org "$ORG" '.data.data[0].payload.data.config |
		"\(.sequence) \(.channel_group.groups.Application.groups // {} | has($org))"'
}

state=$(config_state)
seq=${state%% *}
member=${state#* }
[[ $seq =~ ^[0-9]+$ ]] || die "no config sequence in channel $CHANNEL's config block"
if [[ $CHANGE == add && $member == true ]] || [[ $CHANGE == remove && $member == false ]]; then
	log "channel $CHANNEL already holds the update ($CHANGE $ORG) at config sequence $seq: nothing to submit"
	exit 0
fi
if ((seq != SEQUENCE - 1)); then
	log "stale: channel $CHANNEL is at config sequence $seq, and the update ($CHANGE $ORG) was computed against sequence $((SEQUENCE - 1)); record the channel (flux-ledger channels record) and sign the update computed from it"
	exit 1
fi
submit() { peer channel update -f "$ENVELOPE" -c "$CHANNEL" "$@"; }
with_orderers submit || die "no orderer took the update"
log "submitted the update of channel $CHANNEL ($CHANGE $ORG) to config sequence $SEQUENCE"
