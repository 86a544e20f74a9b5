# shellcheck shell=bash
# Helpers the lifecycle scripts source. Pure bash: no temporary files but in $HOME
# (the pod's one writable directory: the root filesystem is read-only) and no pipes
# whose early close pipefail would misread.

log() { printf '%s\n' "$*"; }

die() {
	printf 'error: %s\n' "$*" >&2
	exit 1
}

# unpack_block: decompresses the channel's genesis block (BLOCK_GZ: the channel
# ConfigMap holds it gzip-compressed, to stay under a ConfigMap's 1 MiB) into $HOME
# and prints the file's path. gzip is in the tools image: Fabric v2.5.16
# images/tools/Dockerfile builds it FROM ubuntu, where gzip is Essential.
unpack_block() {
	local block=$HOME/$CHANNEL.block
	gzip -dc "$BLOCK_GZ" >"$block" || die "cannot decompress the genesis block $BLOCK_GZ"
	printf '%s\n' "$block"
}

# has_line TEXT LINE: TEXT has a line equal to LINE.
has_line() {
	[[ $'\n'"$1"$'\n' == *$'\n'"$2"$'\n'* ]]
}

# committed_sequence: prints the sequence of the chaincode definition committed on
# CHANNEL for NAME, or 0 when none is. Any other failure (peer not up, not joined yet)
# ends the script, so the Job retries rather than acting on a wrong reading.
committed_sequence() {
	local out
	if out=$(peer lifecycle chaincode querycommitted --channelID "$CHANNEL" --name "$NAME" 2>&1); then
		[[ $out =~ Sequence:\ ([0-9]+), ]] || die "querycommitted: no sequence in: $out"
		printf '%s\n' "${BASH_REMATCH[1]}"
		return 0
	fi
	if [[ $out == *"namespace $NAME is not defined"* ]]; then
		printf '0\n'
		return 0
	fi
	die "querycommitted failed: $out"
}

# policy_args: the definition's endorsement policy flags, identical for approve,
# checkcommitreadiness and commit (the definitions must match field for field).
policy_args=()
# shellcheck disable=SC2034 # read by the scripts that source this file
if [[ -n ${SIGNATURE_POLICY:-} ]]; then
	policy_args=(--signature-policy "$SIGNATURE_POLICY")
fi

# with_orderers CMD...: runs CMD with each orderer of ORDERERS ("host:port,cafile"
# separated by spaces) in turn, until one run succeeds. The orderer flags are
# appended; mutual TLS uses the admin's TLS client certificate.
with_orderers() {
	local entry addr ca
	for entry in $ORDERERS; do
		addr=${entry%%,*}
		ca=${entry#*,}
		if "$@" -o "$addr" --tls --cafile "$ca" --clientauth \
			--certfile "$CORE_PEER_TLS_CLIENTCERT_FILE" --keyfile "$CORE_PEER_TLS_CLIENTKEY_FILE"; then
			return 0
		fi
		log "orderer $addr: failed, trying the next one"
	done
	return 1
}
