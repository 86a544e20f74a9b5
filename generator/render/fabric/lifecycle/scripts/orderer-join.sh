#!/usr/bin/env bash
# Joins one orderer to one channel through its channel participation API (osnadmin),
# over mutual TLS with the organisation admin's TLS client certificate. Idempotent:
# the orderer answers 201 the first time and 405 "channel already exists" after.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

: "${CHANNEL:?}" "${BLOCK_GZ:?}" "${ORDERER_ADMIN_ADDRESS:?}" "${TLS_CA:?}" "${CLIENT_CERT:?}" "${CLIENT_KEY:?}"

# osnadmin exits 0 whenever the orderer answered, whatever the HTTP status; it
# prints "Status: <code>" then the JSON body. A non-zero exit means no answer.
block=$(unpack_block)
if ! out=$(osnadmin channel join --channelID "$CHANNEL" --config-block "$block" \
	-o "$ORDERER_ADMIN_ADDRESS" --ca-file "$TLS_CA" --client-cert "$CLIENT_CERT" --client-key "$CLIENT_KEY" 2>&1); then
	die "osnadmin could not reach $ORDERER_ADMIN_ADDRESS: $out"
fi
log "$out"
[[ $out =~ Status:\ ([0-9]+) ]] || die "osnadmin printed no status"
case ${BASH_REMATCH[1]} in
201)
	log "orderer $ORDERER_ADMIN_ADDRESS joined channel $CHANNEL"
	;;
405)
	[[ $out == *"channel already exists"* ]] || die "orderer refused the join"
	log "orderer $ORDERER_ADMIN_ADDRESS already serves channel $CHANNEL"
	;;
*)
	die "orderer refused the join"
	;;
esac
