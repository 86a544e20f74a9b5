#!/bin/bash
# validator-vote: a sidecar of every validator. Once a network runs, its validators
# change only by vote: each validator asks its own Besu to vote
# (<qbft|ibft>_proposeValidatorVote); Besu keeps the vote pending in memory and puts it
# into blocks that validator proposes, one vote per block, and a change passes once a
# majority of the validators' votes landed. This keeps the validator's pending votes in
# line with the mounted list (a ConfigMap volume the kubelet refreshes in place, so a
# new list restarts nothing) and with the chain:
#   - a change not on chain yet: propose it, unless that vote is pending already;
#   - a change already on chain: no vote, and discard a still-pending own vote for it
#     (Besu would keep it, never cast, until the next epoch made it count again);
#   - an own pending vote for an address no line asks for: discard it (withdrawn).
# Reads the chain at "latest" and acts only when both reads succeed.
#
# A line is "<method> <0x address, 40 hex digits> <true|false>" (true adds, false
# removes), e.g. "qbft_proposeValidatorVote 0x64a7…4169 true"; "#" starts a comment; an
# empty list wants no change. The method names the API (qbft or ibft). Any other line
# is refused and logged: Besu itself would take a short address, left-padded, as
# another address.
#
# Uses bash only (its /dev/tcp redirection, through http.sh beside this script): the
# Besu image has no curl or jq.
# Environment: VOTES_FILE (the list), ADMIN_PORT (Besu's JSON-RPC on 127.0.0.1, with
# the QBFT or IBFT API), VOTE_INTERVAL (seconds).
set -u
# No here-strings or here-documents: bash may back them with a temporary file, and the
# root filesystem is read-only. Nothing here needs globbing.
set -f
# shellcheck source=http.sh
source "${BASH_SOURCE[0]%/*}/http.sh" || exit 1

log() { echo "validator-vote: $*"; }

# Regular expressions live in variables: [[ =~ ]] then takes them as they are.
re_line='^(qbft|ibft)_proposeValidatorVote[[:space:]]+(0x[0-9a-fA-F]{40})[[:space:]]+(true|false)$'
re_trim='^[[:space:]]*(.*[^[:space:]])?[[:space:]]*$'
re_list='"result"[[:space:]]*:[[:space:]]*\[([^]]*)]'
re_map='"result"[[:space:]]*:[[:space:]]*[{]([^}]*)[}]'
re_address='0x[0-9a-fA-F]{40}'
re_entry='"(0x[0-9a-fA-F]{40})"[[:space:]]*:[[:space:]]*(true|false)'

# rpc METHOD PARAMS: one JSON-RPC call to Besu (http.sh); the response body in $reply,
# or why there is none. Succeeds when Besu answers with a result.
rpc() { jsonrpc "${ADMIN_PORT:?}" "$1" "$2"; }

declare -A want=() validator=() pending=()
api=""      # qbft or ibft, from the list's method (or, for an empty list, from Besu)
logged=""   # the list whose refusals were logged: log them once, not every round

# read_list: the list's lines into want (address → true|false); sets api. Fails if the
# list cannot be read: an unreadable list never means "no change wanted".
read_list() {
	local line n=0 first="" p a v quiet="" content
	local -A conflict=()
	want=()
	[[ -r ${VOTES_FILE:?} ]] || return 1
	content=$(<"$VOTES_FILE") || return 1
	[[ $content == "$logged" ]] && quiet=1
	while IFS= read -r line || [[ -n $line ]]; do
		n=$((n + 1))
		line=${line%$'\r'}
		[[ $line =~ $re_trim ]] && line=${BASH_REMATCH[1]}
		[[ -z $line || $line == '#'* ]] && continue
		if ! [[ $line =~ $re_line ]]; then
			[[ -n $quiet ]] || log "refused line $n \"$line\": want \"<qbft|ibft>_proposeValidatorVote <0x + 40 hex digits> <true|false>\""
			continue
		fi
		p=${BASH_REMATCH[1]} a=${BASH_REMATCH[2],,} v=${BASH_REMATCH[3]}
		if [[ -n $first && $p != "${first%% *}" ]]; then
			[[ -n $quiet ]] || log "refused line $n \"$line\": line ${first#* } uses ${first%% *}_proposeValidatorVote"
			continue
		fi
		[[ -n $first ]] || first="$p $n"
		if [[ -n ${want[$a]:-} && ${want[$a]} != "$v" ]]; then
			conflict[$a]=1
		fi
		want[$a]=$v
	done <"$VOTES_FILE"
	for a in "${!conflict[@]}"; do
		[[ -n $quiet ]] || log "refused every line for $a: some add it, some remove it"
		unset "want[$a]"
	done
	logged=$content
	[[ -n $first ]] && api=${first%% *}
	return 0
}

# detect_api: for an empty list, which API this Besu serves (the other one answers
# "Method not enabled").
detect_api() {
	local p
	for p in qbft ibft; do
		if rpc "${p}_getPendingVotes" '[]'; then
			api=$p
			return 0
		fi
	done
	return 1
}

# read_chain: the validators at the latest block into validator, this node's pending
# votes into pending (address → true|false).
read_chain() {
	local list a
	validator=() pending=()
	if ! rpc "${api}_getValidatorsByBlockNumber" '["latest"]' ||
		! [[ $reply =~ $re_list ]]; then
		log "cannot read the validators: $reply"
		return 1
	fi
	list=${BASH_REMATCH[1]}
	while [[ $list =~ $re_address ]]; do
		a=${BASH_REMATCH[0]}
		validator[${a,,}]=1
		list=${list#*"$a"}
	done
	if ((${#validator[@]} == 0)); then
		log "the chain lists no validators: $reply"
		return 1
	fi
	if ! rpc "${api}_getPendingVotes" '[]' ||
		! [[ $reply =~ $re_map ]]; then
		log "cannot read the pending votes: $reply"
		return 1
	fi
	list=${BASH_REMATCH[1]}
	while [[ $list =~ $re_entry ]]; do
		pending[${BASH_REMATCH[1],,}]=${BASH_REMATCH[2]}
		list=${list#*"${BASH_REMATCH[0]}"}
	done
}

change() { [[ $1 == true ]] && echo "add" || echo "remove"; }

discard() {
	if rpc "${api}_discardValidatorVote" "[\"$1\"]"; then
		log "discarded own pending vote to $(change "${pending[$1]}") $1: $2"
	else
		log "${api}_discardValidatorVote $1: $reply"
	fi
}

vote_round() {
	local a add onchain
	if ! read_list; then
		log "cannot read the list $VOTES_FILE: no vote changes"
		return
	fi
	if [[ -z $api ]] && ! detect_api; then
		log "Besu serves neither the QBFT nor the IBFT API on 127.0.0.1:$ADMIN_PORT: $reply"
		return
	fi
	read_chain || return
	for a in "${!want[@]}"; do
		add=${want[$a]}
		onchain=""
		if [[ $add == true && -n ${validator[$a]:-} ]] || [[ $add == false && -z ${validator[$a]:-} ]]; then
			onchain=1
		fi
		if [[ -n $onchain ]]; then
			[[ -n ${pending[$a]:-} ]] && discard "$a" "the chain has made the change"
		elif [[ ${pending[$a]:-} != "$add" ]]; then
			if rpc "${api}_proposeValidatorVote" "[\"$a\",$add]"; then
				log "proposed to $(change "$add") $a"
			else
				log "${api}_proposeValidatorVote $a $add: $reply"
			fi
		fi
	done
	for a in "${!pending[@]}"; do
		[[ -n ${want[$a]:-} ]] || discard "$a" "no line asks for it"
	done
}

while :; do
	vote_round
	if [[ -n ${VOTE_ONCE:-} ]]; then
		exit 0
	fi
	sleep "${VOTE_INTERVAL:-30}"
done
