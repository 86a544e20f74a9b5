package besu

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/flux-ledger/flux-ledger/generator/model"
)

// The ConfigMap every party's validators vote from, one vote per line of VotesFile:
// "<qbft|ibft>_proposeValidatorVote <0x address> <true|false>". Each validator's
// validator-vote sidecar reads it where the kubelet mounts it, so a new vote restarts
// no validator.
const (
	VotesConfigMap = "validator-votes"
	VotesFile      = "votes"
)

// VoteMethod is the JSON-RPC method a validator proposes a validator vote with: the
// method of the consensus API, in lower case. Besu 24.12.2:
// RpcMethod.QBFT_PROPOSE_VALIDATOR_VOTE ("qbft_proposeValidatorVote") and
// RpcMethod.IBFT_PROPOSE_VALIDATOR_VOTE ("ibft_proposeValidatorVote").
func VoteMethod(algorithm string) string {
	return strings.ToLower(consensusAPI(algorithm)) + "_proposeValidatorVote"
}

// VotesNeeded is how many current validators must vote for a change to pass: more
// than half. Besu 24.12.2: consensus/common/.../blockbased/VoteTally.validatorLimit()
// returns currentValidators.size() / 2 + 1.
func VotesNeeded(validators int) int { return validators/2 + 1 }

// Votes renders the votes file: one line per pending change, "<method> <address>
// <true|false>" (true adds), each after a comment naming the node. A network whose
// change goes by transition, or that has none pending, votes on nothing: a validator
// withdraws every vote it cast that the file no longer lists.
func Votes(network *model.Network) string {
	var b strings.Builder
	b.WriteString("# Validator votes of network " + network.Name + ", rendered by flux-ledger from the\n")
	b.WriteString("# difference between governance.onChain and the nodes with role validator.\n")
	changes := network.PendingValidatorChanges()
	switch {
	case !network.Launched:
		b.WriteString("# Not launched: the genesis block carries the validators.\n")
	case len(changes) == 0:
		b.WriteString("# No change pending.\n")
	case network.Governance.Method == model.MethodTransition:
		b.WriteString("# The pending change goes by transition (genesis config), not by vote.\n")
	default:
		method := VoteMethod(network.Consensus.Algorithm)
		for _, c := range changes {
			verb := "remove"
			if c.Add {
				verb = "add"
			}
			fmt.Fprintf(&b, "# %s %s (party %s)\n", verb, c.Node, partyName(c))
			fmt.Fprintf(&b, "%s %s %t\n", method, c.Address, c.Add)
		}
	}
	return b.String()
}

func partyName(c model.ValidatorChange) string {
	if c.Party == "" {
		return "unknown: the node is no longer in the network"
	}
	return c.Party
}

// frozenGenesis returns a launched chain's genesis file: the recorded bytes, and when
// validator transitions are scheduled, the same file with config.transitions set.
// Besu reads transitions from the genesis config only (TransitionsConfigOptions); they
// do not enter block 0's hash, which is built from the other fields (GenesisState).
func frozenGenesis(network *model.Network) ([]byte, error) {
	recorded := []byte(network.Genesis.Frozen.JSON)
	transitions := network.Governance.Transitions
	if len(transitions) == 0 {
		return recorded, nil
	}
	var file map[string]json.RawMessage
	if err := json.Unmarshal(recorded, &file); err != nil {
		return nil, fmt.Errorf("genesis.frozen.json: %w", err)
	}
	var config map[string]json.RawMessage
	if err := json.Unmarshal(file["config"], &config); err != nil {
		return nil, fmt.Errorf("genesis.frozen.json: config: %w", err)
	}
	// Besu 24.12.2: config/.../TransitionsConfigOptions.getIbftForks reads
	// transitions.ibft2, getQbftForks transitions.qbft; BftFork reads "block" and
	// "validators" (a list of address strings).
	key := "qbft"
	if network.Consensus.Algorithm == model.IBFT2 {
		key = "ibft2"
	}
	forks, err := json.Marshal(map[string][]model.ValidatorTransition{key: transitions})
	if err != nil {
		return nil, err
	}
	config["transitions"] = forks
	if file["config"], err = json.Marshal(config); err != nil {
		return nil, err
	}
	compact, err := json.Marshal(file)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, compact, "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// BlockZero returns what of a rendered genesis ConfigMap hashes into block 0: the
// genesis file without config.transitions. Two genesis ConfigMaps with equal BlockZero
// start the same chain.
func BlockZero(configMap []byte) (string, error) {
	genesis, err := GenesisJSON(configMap)
	if err != nil {
		return "", err
	}
	var file map[string]any
	if err := json.Unmarshal([]byte(genesis), &file); err != nil {
		return "", fmt.Errorf("genesis ConfigMap: %s: %w", GenesisFile, err)
	}
	if config, ok := file["config"].(map[string]any); ok {
		delete(config, "transitions")
	}
	canonical, err := json.Marshal(file)
	return string(canonical), err
}

// GenesisJSON returns the genesis file a rendered genesis ConfigMap carries.
func GenesisJSON(configMap []byte) (string, error) {
	var cm corev1.ConfigMap
	if err := yaml.Unmarshal(configMap, &cm); err != nil {
		return "", fmt.Errorf("genesis ConfigMap: %w", err)
	}
	genesis, ok := cm.Data[GenesisFile]
	if !ok {
		return "", fmt.Errorf("genesis ConfigMap: no %s", GenesisFile)
	}
	return genesis, nil
}
