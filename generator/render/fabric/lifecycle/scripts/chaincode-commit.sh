#!/usr/bin/env bash
# Commits the chaincode definition on CHANNEL once a majority of its MEMBERS
# organisations approved it, endorsed by one peer of each approving organisation
# (MEMBER_PEERS: "MSPID=host:port" separated by spaces; each peer is verified with
# TLS_ROOTS/<MSPID>.pem). Idempotent: skipped when the sequence is committed. Waits,
# polling every COMMIT_POLL_SECONDS, for as long as the approvals take.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

: "${CHANNEL:?}" "${NAME:?}" "${VERSION:?}" "${SEQUENCE:?}" "${MEMBERS:?}" "${MEMBER_PEERS:?}" "${TLS_ROOTS:?}" "${ORDERERS:?}"
poll=${COMMIT_POLL_SECONDS:-30}

while :; do
	committed=$(committed_sequence)
	if ((committed >= SEQUENCE)); then
		log "channel $CHANNEL runs $NAME sequence $committed: nothing to commit"
		exit 0
	fi
	readiness=$(peer lifecycle chaincode checkcommitreadiness --channelID "$CHANNEL" --name "$NAME" \
		--version "$VERSION" --sequence "$SEQUENCE" "${policy_args[@]}" 2>&1) || die "checkcommitreadiness: $readiness"
	peer_args=()
	approvals=0
	for entry in $MEMBER_PEERS; do
		msp=${entry%%=*}
		if has_line "$readiness" "$msp: true"; then
			approvals=$((approvals + 1))
			peer_args+=(--peerAddresses "${entry#*=}" --tlsRootCertFiles "$TLS_ROOTS/$msp.pem")
		fi
	done
	if ((2 * approvals > MEMBERS)); then
		break
	fi
	log "$approvals of $MEMBERS organisations approved $NAME sequence $SEQUENCE; waiting for a majority"
	sleep "$poll"
done

commit() {
	local out
	if out=$(peer lifecycle chaincode commit --channelID "$CHANNEL" --name "$NAME" \
		--version "$VERSION" --sequence "$SEQUENCE" "${policy_args[@]}" "${peer_args[@]}" "$@" 2>&1); then
		log "$out"
		return 0
	fi
	log "$out"
	return 1
}
# A commit that reached the orderer but timed out is found committed on the next run.
with_orderers commit || die "no orderer took the commit"
log "committed $NAME $VERSION sequence $SEQUENCE on $CHANNEL"
