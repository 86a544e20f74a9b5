package lifecycle

import (
	"os"
	"path/filepath"
	"testing"
)

// The Jobs' scripts run here against stand-ins for Fabric's CLIs. Each imitates what
// the cited Fabric v2.5.16 source prints and how it exits (unchanged in v3.1.5);
// fake_clis_test.go checks the stand-ins against those sources, so a simpler fake
// that no longer answers as Fabric does fails there.

// fakePeer stands in for the peer CLI. It appends "peer@<CORE_PEER_ADDRESS> <args>" to
// $FAKE/calls and keeps the peer's state in files under $FAKE: the joined channels,
// the installed package IDs per peer, the approvals and the committed sequence.
// Imitated sources:
//   - cmd/peer/main.go: exit 1 when the command fails; cobra (vendor/github.com/spf13/
//     cobra/command.go ExecuteC) prints "Error: <err>" on stderr first.
//   - internal/peer/channel/list.go: "Channels peers has joined: " then one channel a
//     line, on stdout.
//   - internal/peer/channel/join.go: a peer refusing the join is ProposalFailedErr
//     "proposal failed (err: bad proposal response 500: …)"; a second join is refused
//     by core/peer/peer.go CreateChannel "cannot create ledger from genesis block" and
//     core/ledger/kvledger/kv_ledger_provider.go "ledger [<ch>] already exists with
//     state [ACTIVE]".
//   - internal/peer/channel/fetch.go: `fetch config FILE` logs "Retrieving last config
//     block: <n>" (flogging, on stderr) and writes the block to FILE; here the "block"
//     is $FAKE/config, "<sequence> <org>...", which the fake configtxlator reads.
//   - internal/peer/channel/update.go: reads -f (ConfigTxFileNotFound: "channel create
//     configuration tx file not found <err>"), broadcasts, logs "Successfully submitted
//     channel update"; here the channel's config becomes $FAKE/config-after-update.
//   - internal/peer/lifecycle/chaincode/queryinstalled.go, querycommitted.go,
//     queryapproved.go, checkcommitreadiness.go: their printed formats and "query
//     failed with status: <code> - <message>"; the messages from
//     core/chaincode/lifecycle/scc.go ("failed to invoke backing implementation of")
//     and lifecycle.go ("namespace <cc> is not defined", "could not fetch approved
//     chaincode definition …").
const fakePeer = `#!/usr/bin/env bash
set -u
printf 'peer@%s %s\n' "${CORE_PEER_ADDRESS:-}" "$*" >> "$FAKE/calls"
fail() { printf 'Error: %s\n' "$*" >&2; exit 1; }
arg() { local want=$1; shift; while (($#)); do if [[ $1 == "$want" ]]; then printf '%s' "$2"; return; fi; shift; done; }
case "$1 $2" in
"channel list")
	echo "Channels peers has joined: "
	cat "$FAKE/joined" 2>/dev/null || true
	;;
"channel join")
	block=$(arg --blockpath "$@")
	[[ -r $block ]] || fail "genesis block file not found open $block: no such file or directory"
	cp "$block" "$FAKE/joined-block"
	if grep -Fxq "$CHANNEL" "$FAKE/joined" 2>/dev/null; then
		fail "proposal failed (err: bad proposal response 500: cannot create ledger from genesis block: ledger [$CHANNEL] already exists with state [ACTIVE])"
	fi
	echo "$CHANNEL" >> "$FAKE/joined"
	;;
"channel fetch")
	if [[ -f $FAKE/orderer-down && $(arg -o "$@") == "$(cat "$FAKE/orderer-down")" ]]; then
		fail "failed to create new connection: context deadline exceeded"
	fi
	[[ $3 == config && -n ${4:-} ]] || fail "fetch target required, oldest, newest, config, or a number"
	read -r seq _ < "$FAKE/config"
	echo "Retrieving last config block: $seq" >&2
	cp "$FAKE/config" "$4"
	;;
"channel update")
	if [[ -f $FAKE/orderer-down && $(arg -o "$@") == "$(cat "$FAKE/orderer-down")" ]]; then
		fail "failed to create new connection: context deadline exceeded"
	fi
	[[ -f $(arg -f "$@") ]] || fail "channel create configuration tx file not found open $(arg -f "$@"): no such file or directory"
	cp "$FAKE/config-after-update" "$FAKE/config"
	echo "Successfully submitted channel update" >&2
	;;
"lifecycle chaincode")
	case "$3" in
	queryinstalled)
		echo "Installed chaincodes on peer:"
		while read -r id; do echo "Package ID: $id, Label: ${id%%:*}"; done < <(cat "$FAKE/installed-$CORE_PEER_ADDRESS" 2>/dev/null)
		;;
	install)
		[[ -n $4 ]] || fail "chaincode install package must be provided"
		echo "$PACKAGE_ID" >> "$FAKE/installed-$CORE_PEER_ADDRESS"
		;;
	querycommitted)
		if [[ -f $FAKE/committed ]]; then
			echo "Committed chaincode definition for chaincode '$NAME' on channel '$CHANNEL':"
			echo "Version: $VERSION, Sequence: $(cat "$FAKE/committed"), Endorsement Plugin: escc, Validation Plugin: vscc, Approvals: [AMSP: true, BMSP: true, CMSP: false]"
		else
			fail "query failed with status: 500 - failed to invoke backing implementation of 'QueryChaincodeDefinition': namespace $NAME is not defined"
		fi
		;;
	queryapproved)
		seq=$(arg --sequence "$@")
		line=$(grep "^$seq " "$FAKE/approved" 2>/dev/null | tail -n1)
		[[ -n $line ]] || fail "query failed with status: 500 - could not fetch approved chaincode definition (name: '$NAME', sequence: '$seq') on channel '$CHANNEL'"
		echo "Approved chaincode definition for chaincode '$NAME' on channel '$CHANNEL':"
		echo "sequence: $seq, version: $VERSION, init-required: false, package-id: ${line#* }, endorsement plugin: escc, validation plugin: vscc"
		;;
	approveformyorg | commit)
		if [[ -f $FAKE/orderer-down && $(arg -o "$@") == "$(cat "$FAKE/orderer-down")" ]]; then
			fail "failed to create new connection: context deadline exceeded"
		fi
		if [[ $3 == approveformyorg ]]; then
			echo "$(arg --sequence "$@") $(arg --package-id "$@")" >> "$FAKE/approved"
		else
			arg --sequence "$@" > "$FAKE/committed"
		fi
		;;
	checkcommitreadiness)
		n=$(cat "$FAKE/readiness-count" 2>/dev/null || echo 0)
		n=$((n + 1))
		echo "$n" > "$FAKE/readiness-count"
		f="$FAKE/readiness.$n"
		[[ -f $f ]] || f=$(ls "$FAKE"/readiness.* | sort -V | tail -n1)
		echo "Chaincode definition for chaincode '$NAME', version '$VERSION', sequence '$SEQUENCE' on channel '$CHANNEL' approval status by org:"
		cat "$f"
		;;
	*) fail "unknown command $3" ;;
	esac
	;;
*) fail "unknown command $*" ;;
esac
`

// fakeOsnadmin stands in for osnadmin: it records its arguments and answers like
// Fabric's (cmd/osnadmin/main.go): executeForArgs returns "Status: <code>\n" and the
// JSON body indented with tabs (responseOutput; the orderer's json.Encoder ends the
// body with a newline, orderer/common/channelparticipation/restapi.go), and main
// prints it with fmt.Println and exits 0 whenever the orderer answered; without an
// answer it prints "Error: <err>\n" (errorOutput), again through fmt.Println, on
// stdout, and exits 1. A join answers 201 with the channel's info
// (orderer/common/types/channelinfo.go ChannelInfo) the first time, and 405 "cannot
// join: channel already exists" after (restapi.go sendJoinError,
// orderer/common/types/errors.go ErrChannelAlreadyExists). $FAKE/osn-unreachable makes
// it fail to connect; $FAKE/osn-answer, when present, is executeForArgs's output
// instead of the normal answer, an error ("Error: …") when it starts so.
const fakeOsnadmin = `#!/usr/bin/env bash
set -u
printf 'osnadmin %s\n' "$*" >> "$FAKE/calls"
# main: fmt.Println(output); os.Exit(exit)
say() { printf '%s\n' "$1"; exit "$2"; }
# The block is read before the orderer is dialled; an unreadable one is an argument
# error (main.go: "reading config block: %s", through kingpin.Fatalf).
block=
for ((i = 1; i < $#; i++)); do [[ ${!i} == --config-block ]] && { j=$((i + 1)); block=${!j}; }; done
if [[ ! -r $block ]]; then
	printf 'osnadmin: error: parsing arguments: reading config block: open %s: no such file or directory. Try --help\n' "$block" >&2
	exit 1
fi
# Then it checks the block is the channel's (main.go validateBlockChannelID, whose
# error also goes through kingpin.Fatalf). A real block carries its channel ID in its
# channel header; the tests' blocks say "genesis block of <channel>".
channel=
for ((i = 1; i < $#; i++)); do [[ ${!i} == --channelID ]] && { j=$((i + 1)); channel=${!j}; }; done
content=$(cat "$block")
if [[ $content != "genesis block of $channel" ]]; then
	printf 'osnadmin: error: parsing arguments: specified --channelID %s does not match channel ID %s in config block. Try --help\n' "$channel" "${content#genesis block of }" >&2
	exit 1
fi
cp "$block" "$FAKE/osn-joined-block"
if [[ -f $FAKE/osn-unreachable ]]; then
	say "Error: Post \"https://$ORDERER_ADMIN_ADDRESS/participation/v1/channels\": dial tcp: connect: connection refused
" 1
fi
if [[ -f $FAKE/osn-answer ]]; then
	out=$(cat "$FAKE/osn-answer"; printf x)
	out=${out%x}
	[[ $out == Error:* ]] && say "$out" 1
	say "$out" 0
fi
if grep -Fxq "$CHANNEL" "$FAKE/osn-joined" 2>/dev/null; then
	say "$(printf 'Status: 405\n{\n\t"error": "cannot join: channel already exists"\n}')
" 0
fi
echo "$CHANNEL" >> "$FAKE/osn-joined"
say "$(printf 'Status: 201\n{\n\t"name": "%s",\n\t"url": "/participation/v1/channels/%s",\n\t"consensusRelation": "consenter",\n\t"status": "onboarding",\n\t"height": 0\n}' "$CHANNEL" "$CHANNEL")
" 0
`

// fakeConfigtxlator stands in for `configtxlator proto_decode --input FILE --type
// common.Block` on the fake peer's config "block" ("<sequence> <org>..."): it prints the
// parts of the JSON the scripts read, as Fabric v2.5.16 cmd/configtxlator/main.go
// decodeProto prints them with the vendored fabric-config protolator: DeepMarshalJSON
// (json.go; json.Encoder with tab indentation, map keys sorted) over jsonpb with
// OrigName (proto field names: channel_group) and EmitDefaults (sequence 0 is
// printed), uint64 as a JSON string; block data entries decoded as Envelopes, a CONFIG
// payload's data as a ConfigEnvelope (protoext/commonext/common.go). A second line
// "<consensus type> <host:port[@TLS certificate, base64]>..." in the block adds
// /Channel/Orderer as Fabric v3.1.5's vendored fabric-config v0.3.0 decodes it
// (protolator/protoext/ordererext/configuration.go): the ConsensusType value with, for
// "etcdraft", its metadata as etcdraft.ConfigMetadata (consenters: host, port,
// client_tls_cert, server_tls_cert), and for "BFT" the Orderers value as
// common.Orderers (consenter_mapping: id, host, port, msp_id, identity, …); a uint32
// port is a JSON number, bytes are base64 (fabric-protos
// orderer/etcdraft/configuration.proto, common/configuration.proto). An org token
// ORG=host:port,... gives the org its AnchorPeers value. Checked against the JSON
// configtxlator v2.5.16 printed for a config block of a running Raft channel: the
// same paths and types.
const fakeConfigtxlator = `#!/usr/bin/env bash
set -u
printf 'configtxlator %s\n' "$*" >> "$FAKE/calls"
[[ $1 == proto_decode && $4 == --type && $5 == common.Block ]] || { echo "unexpected arguments: $*" >&2; exit 1; }
{ read -r seq orgs; read -r consensus consenters; } < "$3"
groups=""
for org in $orgs; do
	anchors=""
	if [[ ${org%%[=:]*} == *MSP && $org == *=* ]]; then # an org with anchor peers, ORG=host:port[,host:port...]
		IFS=, read -ra list <<<"${org#*=}"
		for a in "${list[@]}"; do
			anchors+="${anchors:+, }{\"host\": \"${a%:*}\", \"port\": ${a##*:}}"
		done
		org=${org%%=*}
		groups+="${groups:+,}"$'\n\t\t\t\t\t\t\t\t\t\t\t'"\"$org\": {\"values\": {\"AnchorPeers\": {\"mod_policy\": \"Admins\", \"value\": {\"anchor_peers\": [$anchors]}, \"version\": \"0\"}}}"
		continue
	fi
	groups+="${groups:+,}"$'\n\t\t\t\t\t\t\t\t\t\t\t'"\"$org\": {}"
done
orderer=""
if [[ -n ${consensus:-} ]]; then
	list="" id=0
	for c in $consenters; do
		id=$((id + 1)) tls=LS0t
		[[ $c == *@* ]] && tls=${c#*@} c=${c%%@*}
		if [[ $consensus == BFT ]]; then
			list+="${list:+,}{\"client_tls_cert\": \"$tls\", \"host\": \"${c%:*}\", \"id\": $id, \"identity\": \"LS0t\", \"msp_id\": \"OMSP\", \"port\": ${c##*:}, \"server_tls_cert\": \"$tls\"}"
		else
			list+="${list:+,}{\"client_tls_cert\": \"$tls\", \"host\": \"${c%:*}\", \"port\": ${c##*:}, \"server_tls_cert\": \"$tls\"}"
		fi
	done
	if [[ $consensus == BFT ]]; then
		metadata='{"request_batch_max_count": "100"}'
		extra=", \"Orderers\": {\"mod_policy\": \"/Channel/Orderer/Admins\", \"value\": {\"consenter_mapping\": [$list]}, \"version\": \"0\"}"
	else
		metadata="{\"consenters\": [$list], \"options\": {\"tick_interval\": \"500ms\"}}"
		extra=""
	fi
	orderer=", \"Orderer\": {\"groups\": {}, \"values\": {\"ConsensusType\": {\"mod_policy\": \"Admins\", \"value\": {\"metadata\": $metadata, \"state\": \"STATE_NORMAL\", \"type\": \"$consensus\"}, \"version\": \"0\"}$extra}}"
fi
cat <<JSON
{
	"data": {
		"data": [
			{
				"payload": {
					"data": {
						"config": {
							"channel_group": {
								"groups": {
									"Application": {
										"groups": {$groups
										}
									}$orderer
								}
							},
							"sequence": "$seq"
						}
					}
				}
			}
		]
	}
}
JSON
`

// fakeCLIs writes the fake peer, osnadmin and configtxlator into a directory for PATH
// and returns it and the state directory.
func fakeCLIs(t *testing.T) (bin, state string) {
	t.Helper()
	bin, state = t.TempDir(), t.TempDir()
	for name, text := range map[string]string{"peer": fakePeer, "osnadmin": fakeOsnadmin, "configtxlator": fakeConfigtxlator} {
		if err := os.WriteFile(filepath.Join(bin, name), []byte(text), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return bin, state
}
