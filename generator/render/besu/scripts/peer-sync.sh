#!/bin/bash
# peer-sync: a sidecar of every Besu node. Besu reads static nodes only at
# start-up; this keeps its peers equal to the mounted peer list (a ConfigMap volume the
# kubelet refreshes in place) without restarting Besu, through the ADMIN API on
# 127.0.0.1 (http.sh beside this script): the JSON-RPC HTTP listener of validators and
# members, the WebSocket listener of RPC nodes. Each round:
#   - admin_addPeer for every listed peer Besu holds no outbound connection to (a new
#     peer, one whose name resolves at last, or every one after Besu restarted: peers
#     added at run time live only in Besu's memory);
#   - admin_removePeer for a peer that left the list.
# A peer is added by the IPv4 address its name resolves to (getent), and removed with
# exactly the string it was added with: Besu compares peers by resolving their names
# again (EnodeURLImpl.equals), so a name that stopped resolving or moved would never
# match what was added. When a name moves, the old address is removed and the new one
# added. What was added is recorded in ADDED_FILE, so a restarted sidecar still removes
# it. Uses bash and getent, both in the Besu image; no other tool.
#
# Environment: PEERS_FILE (the network's static-nodes.json), RESOLVED_FILE (what Besu
# loads at start), ADDED_FILE (what this sidecar added), NODE_ID (this node's public
# key, skipped), ADMIN_PORT or ADMIN_WS_PORT, PEER_SYNC_INTERVAL (seconds).
set -u
# No here-strings or here-documents: bash may back them with a temporary file, and the
# root filesystem is read-only. Word splitting of enode URLs (no blanks) with globbing
# off is enough.
set -f
HTTP_TIMEOUT=10
# shellcheck source=http.sh
source "${BASH_SOURCE[0]%/*}/http.sh" || exit 1

log() { echo "peer-sync: $*"; }

# admin_rpc METHOD PARAMS: one call to the ADMIN API on loopback: over HTTP
# (ADMIN_PORT, validators and members) or over a WebSocket (ADMIN_WS_PORT, RPC nodes,
# whose HTTP listener is public and carries no ADMIN).
admin_rpc() {
	if [[ -n ${ADMIN_WS_PORT:-} ]]; then
		ws_jsonrpc "$ADMIN_WS_PORT" "$1" "$2"
	else
		jsonrpc "${ADMIN_PORT:?}" "$1" "$2"
	fi
}

re_enode='^enode://([0-9a-f]{128})@([^:]+):([0-9]+)([?].*)?$'
re_ipv4='^[0-9]{1,3}([.][0-9]{1,3}){3}$'
# admin_peers (PeerResult): "network":{…,"inbound":false},"port":…,"id":"0x<node id>".
re_connected='"id"[[:space:]]*:[[:space:]]*"0x([0-9a-f]{128})"'
re_outbound='"inbound"[[:space:]]*:[[:space:]]*false[^{]*"id"[[:space:]]*:[[:space:]]*"0x([0-9a-f]{128})"'

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

# by_ip ENODE: the enode with its host replaced by the IPv4 address the host resolves
# to now, in ip_enode. Fails while the name does not resolve.
by_ip() {
	local id host port query out
	[[ $1 =~ $re_enode ]] || return 1
	id=${BASH_REMATCH[1]} host=${BASH_REMATCH[2]} port=${BASH_REMATCH[3]} query=${BASH_REMATCH[4]}
	if ! [[ $host =~ $re_ipv4 ]]; then
		out=$(getent ahostsv4 "$host") || return 1
		host=${out%%[[:space:]]*}
		[[ $host =~ $re_ipv4 ]] || return 1
	fi
	ip_enode="enode://$id@$host:$port$query"
}

# admin METHOD ENODE: calls the ADMIN method; succeeds when Besu answers with a result,
# and sets changed when the result is true (false: the peer was already there, or
# already gone).
admin() {
	changed=""
	if ! admin_rpc "$1" "[\"$2\"]"; then
		log "$1 $2: $reply"
		return 1
	fi
	[[ $reply == *'"result":true'* ]] && changed=1
	return 0
}

declare -A added=() static=()

# save: the added peers into ADDED_FILE, one "listed-enode added-enode" per line.
save() {
	local e
	[[ -n ${ADDED_FILE:-} ]] || return 0
	for e in "${!added[@]}"; do
		echo "$e ${added[$e]}"
	done >"$ADDED_FILE.tmp" && mv -f "$ADDED_FILE.tmp" "$ADDED_FILE" ||
		log "cannot record the added peers in $ADDED_FILE"
}

load() {
	local line start e
	if [[ -f ${RESOLVED_FILE:-} ]] && start=$(enodes "$RESOLVED_FILE"); then
		for e in $start; do
			static[$e]=1
		done
	fi
	[[ -n ${ADDED_FILE:-} && -r $ADDED_FILE ]] || return 0
	while IFS= read -r line; do
		[[ $line == enode://*' 'enode://* ]] && added[${line%% *}]=${line#* }
	done <"$ADDED_FILE"
}

last=""
round() {
	local list list_peers e id dirty=""
	local -A want=() outbound=() connected=()
	# An unreadable or empty list changes nothing: it never means "no peers".
	if list=$(enodes "${PEERS_FILE:?}") && [[ -n $list ]]; then
		last=$list
	elif [[ -n $last ]]; then
		list=$last
	else
		return
	fi
	if ! admin_rpc admin_peers '[]'; then
		log "cannot read Besu's peers: $reply"
		return
	fi
	list_peers=$reply
	while [[ $reply =~ $re_connected ]]; do
		connected[${BASH_REMATCH[1]}]=1
		reply=${reply#*"${BASH_REMATCH[0]}"}
	done
	reply=$list_peers
	while [[ $reply =~ $re_outbound ]]; do
		outbound[${BASH_REMATCH[1]}]=1
		reply=${reply#*"${BASH_REMATCH[0]}"}
	done
	for e in $list; do
		want[$e]=1
	done
	for e in "${!want[@]}"; do
		[[ $e =~ $re_enode ]] || continue
		id=${BASH_REMATCH[1]}
		if [[ -n ${added[$e]:-} ]] && by_ip "$e" && [[ $ip_enode != "${added[$e]}" ]]; then
			# The name moved: take back the old address (Besu would keep dialling it).
			if admin admin_removePeer "${added[$e]}"; then
				log "removed ${added[$e]}: $e now resolves to $ip_enode"
				unset "added[$e]"
				dirty=1
			fi
		fi
		[[ -n ${outbound[$id]:-} && -n ${added[$e]:-}${static[$e]:-} ]] && continue
		# Not added yet, its name did not resolve before, or Besu restarted.
		by_ip "$e" || continue
		if admin admin_addPeer "$ip_enode"; then
			[[ -n $changed ]] && log "added $e as $ip_enode"
			[[ ${added[$e]:-} == "$ip_enode" ]] || dirty=1
			added[$e]=$ip_enode
		fi
	done
	for e in "${!added[@]}"; do
		[[ -n ${want[$e]:-} ]] && continue
		if admin admin_removePeer "${added[$e]}"; then
			log "removed $e (added as ${added[$e]})"
			unset "added[$e]"
			dirty=1
		fi
	done
	# Loaded by name at every start of Besu: removed whenever Besu is connected to it
	# (again, after a restart). Besu finds it only while the name resolves where it did
	# (EnodeURLImpl.equals): the best there is for a name.
	for e in "${!static[@]}"; do
		[[ -n ${want[$e]:-} ]] && continue
		[[ $e =~ $re_enode && -n ${connected[${BASH_REMATCH[1]}]:-} ]] || continue
		admin admin_removePeer "$e" && [[ -n $changed ]] && log "removed $e (a static node)"
	done
	[[ -z $dirty ]] || save
}

load
while :; do
	round
	if [[ -n ${PEER_SYNC_ONCE:-} ]]; then
		exit 0
	fi
	sleep "${PEER_SYNC_INTERVAL:-30}"
done
