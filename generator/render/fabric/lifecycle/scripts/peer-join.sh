#!/usr/bin/env bash
# Joins one peer (CORE_PEER_ADDRESS) to one channel from its genesis block, as the
# organisation's admin. Idempotent: skipped when `peer channel list` shows the channel.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

: "${CHANNEL:?}" "${BLOCK_GZ:?}" "${CORE_PEER_ADDRESS:?}"

channels=$(peer channel list 2>&1) || die "peer channel list: $channels"
if has_line "$channels" "$CHANNEL"; then
	log "peer $CORE_PEER_ADDRESS already joined channel $CHANNEL"
	exit 0
fi
block=$(unpack_block)
if ! out=$(peer channel join --blockpath "$block" 2>&1); then
	# Another run joined in between: the peer's ledger exists.
	[[ $out == *"already exists"* ]] || die "peer channel join: $out"
fi
log "peer $CORE_PEER_ADDRESS joined channel $CHANNEL"
