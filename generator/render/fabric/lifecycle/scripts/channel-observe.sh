#!/usr/bin/env bash
# Reads CHANNEL's config block from its orderers (ORDERERS) and leaves what it says as
# one line of JSON in the container's termination message, where `flux-ledger status`
# reads it through the kube API: {channel, sequence, members (the MSP IDs of
# /Channel/Application), consensus, consenters ("host:port"), fetched}. Read-only: it
# submits nothing, and runs as one of the party's peers, not as its admin.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

: "${CHANNEL:?}" "${ORDERERS:?}"

# The container's terminationMessagePath (Kubernetes' default), of which the kubelet
# keeps at most the last 4096 bytes (kubernetes pkg/kubelet/container/runtime.go
# MaxContainerTerminationMessageLength, read by pkg/kubelet/kuberuntime/
# kuberuntime_container.go getTerminationMessage; the API's terminationMessagePath
# doc: "Will be truncated by the node if greater than 4096 bytes"). A cut summary
# would not parse, so a longer one fails the run instead.
message=${TERMINATION_MESSAGE:-/dev/termination-log}
max_message=4096

# The pod's only writable place is /tmp (HOME).
block=$HOME/config.block

# `peer channel fetch config FILE` writes the channel's last config block
# (internal/peer/channel/fetch.go); configtxlator proto_decode prints it as JSON with
# the proto field names, uint64 as strings and uint32 as numbers (fabric-config
# protolator/json.go: jsonpb with OrigName and EmitDefaults). Fabric v3.1.5's vendored
# fabric-config v0.3.0 (protolator/protoext/ordererext/configuration.go) decodes the
# ConsensusType metadata of "etcdraft" as etcdraft.ConfigMetadata (consenters: host,
# port) and the /Channel/Orderer value "Orderers" as common.Orderers
# (consenter_mapping: id, host, port, msp_id), where a BFT channel keeps its
# consenters (common/configuration.proto).
fetch() { peer channel fetch config "$block" -c "$CHANNEL" "$@"; }
with_orderers fetch >&2 || die "no orderer gave channel $CHANNEL's config block"
json=$(configtxlator proto_decode --input "$block" --type common.Block) || die "configtxlator could not decode the config block of $CHANNEL"
# A pipe, not a here-string: bash writes a here-string to a temporary file before 5.1,
# and from 5.1 on still when it is larger than a pipe buffer (bash CHANGES).
summary=$(printf '%s\n' "$json" | jq -c --arg channel "$CHANNEL" '
	.data.data[0].payload.data.config as $config
	| if ($config | type) != "object" then error("the block holds no config") else . end
	| ($config.channel_group.groups.Orderer // {}) as $orderer
	| ($orderer.values.ConsensusType.value // {}) as $type
	| {
		channel: $channel,
		sequence: ($config.sequence // "0"),
		members: ($config.channel_group.groups.Application.groups // {} | keys),
		consensus: ($type.type // ""),
		consenters: (
			if $type.type == "etcdraft" then [$type.metadata.consenters[]? | "\(.host):\(.port)"]
			elif $type.type == "BFT" then [$orderer.values.Orderers.value.consenter_mapping[]? | "\(.host):\(.port)"]
			else [] end | sort),
		fetched: (now | todate)
	}') || die "could not summarise the config block of $CHANNEL"
[[ $summary =~ \"sequence\":\"[0-9]+\" ]] || die "no config sequence in channel $CHANNEL's config block"
size=$(LC_ALL=C && printf '%s' "${#summary}")
((size < max_message)) || die "the summary of channel $CHANNEL is $size bytes, more than a termination message keeps ($max_message)"
printf '%s\n' "$summary" >"$message"
log "$summary"
