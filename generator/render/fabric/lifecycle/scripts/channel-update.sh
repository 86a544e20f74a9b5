#!/usr/bin/env bash
# Submits the signed config update ENVELOPE of CHANNEL (CHANGE "add" or "remove" of
# organisation ORG, "anchor-peers" of ORG set to ANCHORS (host:port, space-separated),
# or "add-consenter", "remove-consenter" or "renew-consenter" of ORG's orderer at
# CONSENTER, host:port, whose renewed TLS certificate is CONSENTER_TLS (PEM, base64);
# bringing the config to sequence SEQUENCE) once. Idempotent: it
# reads the channel's config first; when the channel already holds the change it exits
# 0, and when the channel has moved on otherwise the update is stale: it says so and
# exits 1 instead of submitting what the orderer would refuse.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

: "${CHANNEL:?}" "${SEQUENCE:?}" "${CHANGE:?}" "${ORG:?}" "${ENVELOPE:?}" "${ORDERERS:?}"

# The pod's only writable place is /tmp (HOME).
block=$HOME/config.block

# config_state prints "<sequence> <member> <consenting> <renewed> <anchored>", each
# true or false after the config's sequence: whether ORG is in its Application group,
# whether CONSENTER is a consenter, whether it is one with CONSENTER_TLS as server
# certificate, and whether ORG's AnchorPeers are ANCHORS (peer/configuration.proto);
# the consenters are read in
# the etcdraft metadata of ConsensusType (its consenters' host and port) or, on BFT
# channels, in the Orderers value's consenter_mapping (fabric-protos
# orderer/etcdraft/configuration.proto, common/configuration.proto). `peer channel fetch config FILE` writes the channel's
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
	printf '%s\n' "$json" | jq -r --arg org "$ORG" --arg consenter "${CONSENTER:-}" --arg tls "${CONSENTER_TLS:-}" --arg want "${ANCHORS:-}" '.data.data[0].payload.data.config |
		.channel_group.groups.Orderer.values as $orderer |
		(($orderer.ConsensusType.value.metadata.consenters // []) + ($orderer.Orderers.value.consenter_mapping // []) |
			map(select("\(.host):\(.port)" == $consenter))) as $mine |
		(.channel_group.groups.Application.groups // {}) as $members |
		($members[$org].values.AnchorPeers.value.anchor_peers // [] | map("\(.host):\(.port)") | join(" ")) as $anchors |
		"\(.sequence) \($members | has($org)) \($mine | length > 0) \($mine | any(.server_tls_cert == $tls)) \($anchors == $want)"'
}

state=$(config_state)
[[ $state =~ ^([0-9]+)\ (true|false)\ (true|false)\ (true|false)\ (true|false)$ ]] || die "no config sequence in channel $CHANNEL's config block"
seq=${BASH_REMATCH[1]} member=${BASH_REMATCH[2]} consenting=${BASH_REMATCH[3]} renewed=${BASH_REMATCH[4]} anchored=${BASH_REMATCH[5]}
case $CHANGE in
add) done=$member ;;
remove) [[ $member == false ]] && done=true || done=false ;;
add-consenter) done=$consenting ;;
remove-consenter) [[ $consenting == false ]] && done=true || done=false ;;
renew-consenter) done=$renewed ;;
anchor-peers) done=$anchored ;;
*) die "unknown change $CHANGE" ;;
esac
what="$CHANGE $ORG${CONSENTER:+ $CONSENTER}"
if [[ $done == true ]]; then
	log "channel $CHANNEL already holds the update ($what) at config sequence $seq: nothing to submit"
	exit 0
fi
if ((seq != SEQUENCE - 1)); then
	log "stale: channel $CHANNEL is at config sequence $seq, and the update ($what) was computed against sequence $((SEQUENCE - 1)); record the channel (flux-ledger channels record) and sign the update computed from it"
	exit 1
fi
submit() { peer channel update -f "$ENVELOPE" -c "$CHANNEL" "$@"; }
with_orderers submit || die "no orderer took the update"
log "submitted the update of channel $CHANNEL ($what) to config sequence $SEQUENCE"
