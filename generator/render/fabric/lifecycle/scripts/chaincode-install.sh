#!/usr/bin/env bash
# Installs the chaincode package on each of the organisation's peers (PEER_ADDRESSES,
# separated by spaces). Idempotent: a peer whose queryinstalled lists PACKAGE_ID is
# skipped.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

: "${PACKAGE:?}" "${PACKAGE_ID:?}" "${PEER_ADDRESSES:?}"

for address in $PEER_ADDRESSES; do
	export CORE_PEER_ADDRESS=$address
	installed=$(peer lifecycle chaincode queryinstalled 2>&1) || die "queryinstalled on $address: $installed"
	if [[ $installed == *"Package ID: $PACKAGE_ID, "* ]]; then
		log "peer $address: $PACKAGE_ID already installed"
		continue
	fi
	if ! out=$(peer lifecycle chaincode install "$PACKAGE" 2>&1); then
		[[ $out == *"chaincode already successfully installed"* ]] || die "install on $address: $out"
	fi
	log "peer $address: installed $PACKAGE_ID"
done
