#!/usr/bin/env bash
# Approves the chaincode definition (NAME, VERSION, SEQUENCE, SIGNATURE_POLICY) with
# this organisation's PACKAGE_ID on CHANNEL. Idempotent: skipped when the peer reports
# this very approval, or when the channel already runs a later sequence.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

: "${CHANNEL:?}" "${NAME:?}" "${VERSION:?}" "${SEQUENCE:?}" "${PACKAGE_ID:?}" "${ORDERERS:?}"

committed=$(committed_sequence)
if ((committed > SEQUENCE)); then
	log "channel $CHANNEL runs $NAME sequence $committed, later than $SEQUENCE: nothing to approve"
	exit 0
fi
# queryapproved names the package ID too: an approval of the same sequence with
# another package (the chaincode server moved) is approved again.
if approved=$(peer lifecycle chaincode queryapproved --channelID "$CHANNEL" --name "$NAME" --sequence "$SEQUENCE" 2>&1) &&
	[[ $approved == *"sequence: $SEQUENCE, version: $VERSION, "*"package-id: $PACKAGE_ID, "* ]]; then
	log "$NAME $VERSION sequence $SEQUENCE already approved with $PACKAGE_ID"
	exit 0
fi
approve() {
	local out
	if out=$(peer lifecycle chaincode approveformyorg --channelID "$CHANNEL" --name "$NAME" \
		--version "$VERSION" --sequence "$SEQUENCE" --package-id "$PACKAGE_ID" "${policy_args[@]}" "$@" 2>&1); then
		log "$out"
		return 0
	fi
	log "$out"
	# An earlier attempt reached the orderer but timed out waiting for the block.
	[[ $out == *"attempted to redefine uncommitted sequence ($SEQUENCE) for namespace $NAME with unchanged content"* ]]
}
with_orderers approve || die "no orderer took the approval"
log "approved $NAME $VERSION sequence $SEQUENCE with $PACKAGE_ID on $CHANNEL"
