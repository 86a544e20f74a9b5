#!/bin/bash
# peer-sync: a sidecar of every non-RPC Besu node. Besu reads static nodes only at
# start-up; this keeps its peers equal to the mounted peer list (a ConfigMap volume the
# kubelet refreshes in place) without restarting Besu: admin_addPeer for a peer that
# appears (once its name resolves), admin_removePeer for one that disappears. The ADMIN
# API listens on 127.0.0.1 only. Uses bash (its /dev/tcp redirection) and getent, both
# in the Besu image; no other tool.
#
# Environment: PEERS_FILE (the network's static-nodes.json), RESOLVED_FILE (what Besu
# loaded at start), NODE_ID (this node's public key, skipped), ADMIN_PORT,
# PEER_SYNC_INTERVAL (seconds).
set -u
# No here-strings or here-documents: bash may back them with a temporary file, and the
# root filesystem is read-only. Word splitting of enode URLs (no blanks) with globbing
# off is enough.
set -f

# enodes FILE: the enode URLs in FILE except this node's, one per line. Line by line
# (the list has one enode per line): linear in the list's size.
enodes() {
	local line
	[[ -r $1 ]] || return 1
	while IFS= read -r line || [[ -n $line ]]; do
		while [[ $line =~ enode://([0-9a-f]{128})@[^\"]+ ]]; do
			if [[ ${BASH_REMATCH[1]} != "${NODE_ID:?}" ]]; then
				echo "${BASH_REMATCH[0]}"
			fi
			line=${line#*"${BASH_REMATCH[0]}"}
		done
	done <"$1"
}

# admin METHOD ENODE: calls the ADMIN JSON-RPC method; succeeds when Besu returns a
# result (true or false: false means the peer was already there, or already gone).
admin() {
	local body response
	body="{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$1\",\"params\":[\"$2\"]}"
	exec 3<>"/dev/tcp/127.0.0.1/${ADMIN_PORT:?}" || return 1
	printf 'POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' "${#body}" "$body" >&3
	response=$(
		while IFS= read -r line || [[ -n $line ]]; do echo "$line"; done <&3
	)
	exec 3<&-
	if [[ $response == *'"result"'* ]]; then
		return 0
	fi
	echo "peer-sync: $1 $2: ${response##*$'\r\n'}" >&2
	return 1
}

declare -A known=()
if [[ -f ${RESOLVED_FILE:-} ]] && start=$(enodes "$RESOLVED_FILE"); then
	for enode in $start; do
		known[$enode]=1
	done
fi
last=""
while :; do
	declare -A want=()
	# An unchanged list with every peer added needs no work (the kubelet refreshes
	# the file at most once a minute).
	current=$(<"${PEERS_FILE:?}") || current=""
	if [[ -n $current && $current == "$last" ]]; then
		:
	elif list=$(enodes "$PEERS_FILE") && [[ -n $list ]]; then
		# (An unreadable or empty list changes nothing: it never means "no peers".)
		pending=0
		for enode in $list; do
			want[$enode]=1
		done
		for enode in "${!want[@]}"; do
			[[ -n ${known[$enode]:-} ]] && continue
			host=${enode#*@}
			host=${host%:*}
			if getent hosts "$host" >/dev/null && admin admin_addPeer "$enode"; then
				known[$enode]=1
				echo "peer-sync: added $enode"
			else
				pending=1
			fi
		done
		for enode in "${!known[@]}"; do
			[[ -n ${want[$enode]:-} ]] && continue
			if admin admin_removePeer "$enode"; then
				unset "known[$enode]"
				echo "peer-sync: removed $enode"
			else
				pending=1
			fi
		done
		# Done with this version of the list only when nothing is left to retry.
		if ((pending == 0)); then
			last=$current
		fi
	fi
	unset want
	if [[ -n ${PEER_SYNC_ONCE:-} ]]; then
		exit 0
	fi
	sleep "${PEER_SYNC_INTERVAL:-30}"
done
