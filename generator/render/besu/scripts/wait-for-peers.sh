#!/bin/bash
# wait-for-peers: the init container of every Besu node. With --Xdns-update-enabled,
# Besu replaces a static-node hostname that does not resolve at start-up by 127.0.0.1
# and never retries it (EnodeURLImpl). So before Besu starts, wait (bounded) until the
# peers' names resolve, then write the static nodes Besu loads: only the peers whose
# names resolve (peer-sync adds the others once they do). Uses only bash and getent,
# both in the Besu image (ubuntu base).
#
# Environment: PEERS_FILE (the network's static-nodes.json), RESOLVED_FILE (what Besu
# reads), NODE_ID (this node's public key, skipped), PEER_DNS_TIMEOUT (seconds).
set -u
timeout=${PEER_DNS_TIMEOUT:-600}
enodes=()
# Line by line (the list has one enode per line): linear in the list's size.
while IFS= read -r line || [[ -n $line ]]; do
	while [[ $line =~ enode://([0-9a-f]{128})@[^\"]+ ]]; do
		if [[ ${BASH_REMATCH[1]} != "${NODE_ID:?}" ]]; then
			enodes+=("${BASH_REMATCH[0]}")
		fi
		line=${line#*"${BASH_REMATCH[0]}"}
	done
done <"${PEERS_FILE:?}" || exit 1
deadline=$((SECONDS + timeout))
# Each host is looked up once per round, and never again once it resolves: behind a
# shared gateway many nodes share one name.
declare -A ok=()
while :; do
	resolved=()
	declare -A miss=()
	for enode in "${enodes[@]}"; do
		host=${enode#*@}
		host=${host%:*}
		if [[ -z ${ok[$host]:-} && -z ${miss[$host]:-} ]]; then
			if getent hosts "$host" >/dev/null; then
				ok[$host]=1
			else
				miss[$host]=1
			fi
		fi
		if [[ -n ${ok[$host]:-} ]]; then
			resolved+=("$enode")
		fi
	done
	missing=("${!miss[@]}")
	unset miss
	if ((${#missing[@]} == 0 || SECONDS >= deadline)); then
		break
	fi
	echo "wait-for-peers: ${#missing[@]} peer names of ${#enodes[@]} peers do not resolve yet: ${missing[*]}"
	sleep "${PEER_DNS_INTERVAL:-5}"
done
if ((${#resolved[@]} == 0)); then
	echo "wait-for-peers: none of ${#enodes[@]} peer names resolved within ${timeout}s; exiting so that the pod restarts" >&2
	exit 1
fi
{
	echo "["
	for i in "${!resolved[@]}"; do
		sep=","
		if ((i == ${#resolved[@]} - 1)); then
			sep=""
		fi
		echo "  \"${resolved[$i]}\"$sep"
	done
	echo "]"
} >"${RESOLVED_FILE:?}.tmp" && mv "${RESOLVED_FILE}.tmp" "$RESOLVED_FILE" || exit 1
if ((${#missing[@]} > 0)); then
	echo "wait-for-peers: starting with ${#resolved[@]} of ${#enodes[@]} peers; not resolved after ${timeout}s (peer-sync adds them later): ${missing[*]}"
else
	echo "wait-for-peers: all ${#enodes[@]} peer names resolve; starting"
fi
