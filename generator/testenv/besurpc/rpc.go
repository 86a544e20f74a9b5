package besurpc

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ethereum/go-ethereum/common"
)

// rpcError is Besu's JSON-RPC error object (ethereum/api/.../internal/response/
// RpcErrorType.java, JsonRpcErrorResponse.java): code and message, no data.
type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// Errors of Besu 24.12.2 RpcErrorType the fake answers with. Every params error has
// code -32602 (plugin-api/.../RpcMethodError.java INVALID_PARAMS_ERROR_CODE).
var (
	errParse          = &rpcError{-32700, "Parse error"}
	errInvalidRequest = &rpcError{-32600, "Invalid Request"}
	errNotFound       = &rpcError{-32601, "Method not found"}
	errNotEnabled     = &rpcError{-32604, "Method not enabled"}
	errAddress        = &rpcError{-32602, "Invalid address params"}
	errVoteType       = &rpcError{-32602, "Invalid vote type params"}
	errBlock          = &rpcError{-32602, "Invalid block, unable to parse RLP"} // INVALID_BLOCK_PARAMS
	errBlockHash      = &rpcError{-32602, "Invalid block hash params"}
	errComplete       = &rpcError{-32602, "Invalid return complete transaction params"}
	errNotModelled    = &rpcError{-32603, "Internal error"} // what the fake does not model
	// AdminModifyPeer (admin_addPeer, admin_removePeer).
	errParamCount = &rpcError{-32602, "Invalid number of params"}
	errEnode      = &rpcError{-32602, "Invalid enode params"}
	errEnodeID    = &rpcError{-32000, "Invalid node ID: node ID must have exactly 128 hexadecimal characters and should not include any '0x' hex prefix."}
)

type request struct {
	ID     json.RawMessage   `json:"id"`
	Method string            `json:"method"`
	Params []json.RawMessage `json:"params"`
}

type response struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Result  any             `json:"result,omitempty"`
	Error   *rpcError       `json:"error,omitempty"`
}

func (n *Node) answer(body []byte) response {
	var req request
	if err := json.Unmarshal(body, &req); err != nil || req.Method == "" {
		return response{JSONRPC: "2.0", ID: json.RawMessage("null"), Error: errInvalidRequest}
	}
	if req.ID == nil {
		req.ID = json.RawMessage("null")
	}
	n.chain.mu.Lock()
	defer n.chain.mu.Unlock()
	n.calls = append(n.calls, strings.TrimSpace(req.Method+" "+paramsText(req.Params)))
	result, rerr := n.call(req.Method, req.Params)
	if rerr != nil {
		return response{JSONRPC: "2.0", ID: req.ID, Error: rerr}
	}
	if result == nil {
		result = json.RawMessage("null") // "result":null, as Besu writes a missing block
	}
	return response{JSONRPC: "2.0", ID: req.ID, Result: result}
}

func paramsText(params []json.RawMessage) string {
	if len(params) == 0 {
		return ""
	}
	data, _ := json.Marshal(params)
	return string(data)
}

// consensusMethods are the six methods each of Besu's QBFT and IBFT APIs has
// (consensus/qbft/.../jsonrpc/QbftJsonRpcMethods.java, consensus/ibft/.../
// IbftJsonRpcMethods.java; RpcMethod.java names them). QBFT's seventh,
// qbft_getRequestTimeoutSeconds, is not served.
var consensusMethods = []string{"proposeValidatorVote", "discardValidatorVote", "getPendingVotes", "getValidatorsByBlockNumber", "getValidatorsByBlockHash", "getSignerMetrics"}

// call runs one method with the chain locked. A name Besu knows whose API is not
// enabled is "Method not enabled"; any other name the fake does not serve is "Method
// not found" (JsonRpcExecutor.validateMethodAvailability).
func (n *Node) call(method string, params []json.RawMessage) (any, *rpcError) {
	c := n.chain
	switch method {
	case "eth_blockNumber":
		return quantity(uint64(len(c.blocks) - 1)), nil
	case "net_peerCount":
		// NetPeerCount.java: Quantity.create(p2pNetwork.getPeerCount()), the peers
		// connected.
		return quantity(uint64(len(n.connected()))), nil
	case "eth_getBlockByNumber":
		b, err := c.blockParam(params, 0, false)
		if err != nil {
			return nil, err
		}
		if len(params) < 2 || !isBool(params[1]) {
			return nil, errComplete
		}
		if b == nil {
			return nil, nil
		}
		return blockResult(b), nil
	}
	if result, rerr, ok := n.admin(method, params); ok {
		return result, rerr
	}
	prefix, name, _ := strings.Cut(method, "_")
	if (prefix != "qbft" && prefix != "ibft") || !slices.Contains(consensusMethods, name) {
		return nil, errNotFound
	}
	if prefix != c.Prefix() || !n.consensusAPI {
		return nil, errNotEnabled
	}
	switch name {
	case "proposeValidatorVote":
		// QbftProposeValidatorVote / IbftProposeValidatorVote: the vote is kept, whoever
		// the node is and whatever the chain holds, and the answer is true.
		addr, err := address(params, 0)
		if err != nil {
			return nil, err
		}
		if len(params) < 2 || !isBool(params[1]) {
			return nil, errVoteType
		}
		n.proposals[addr] = string(params[1]) == "true"
		return true, nil
	case "discardValidatorVote":
		addr, err := address(params, 0)
		if err != nil {
			return nil, err
		}
		delete(n.proposals, addr)
		return true, nil
	case "getPendingVotes":
		// AbstractVoteProposerMethod: {"<address>": true for add, false for remove}.
		out := map[string]bool{}
		for addr, add := range n.proposals {
			out[lower(addr)] = add
		}
		return out, nil
	case "getValidatorsByBlockNumber":
		// QbftGetValidatorsByBlockNumber: the validators in that block's header;
		// "pending" gives the validators after the head block. IBFT's method keeps
		// AbstractBlockParameterMethod.pendingResult: "pending" is "latest".
		if len(params) > 0 && strings.EqualFold(strings.Trim(string(params[0]), `"`), "pending") {
			if c.algorithm == QBFT {
				return addresses(c.tallies[len(c.tallies)-1].sorted()), nil
			}
			return addresses(c.blocks[len(c.blocks)-1].Validators), nil
		}
		b, err := c.blockParam(params, 0, true)
		if err != nil || b == nil {
			return nil, err
		}
		return addresses(b.Validators), nil
	case "getSignerMetrics":
		return c.signerMetrics(params)
	default: // getValidatorsByBlockHash
		var s string
		if len(params) < 1 || json.Unmarshal(params[0], &s) != nil || !isHex(s, 64) {
			return nil, errBlockHash
		}
		for _, b := range c.blocks {
			if b.Hash == common.HexToHash(s) {
				return addresses(b.Validators), nil
			}
		}
		return nil, nil
	}
}

// blockParam reads a block parameter as Besu's BlockParameter does: earliest, latest,
// pending, finalized, safe (any case) or a number Long.decode reads (hex with 0x, or
// decimal). A number past the head is no block (null).
func (c *Chain) blockParam(params []json.RawMessage, i int, consensus bool) (*Block, *rpcError) {
	var s string
	if len(params) <= i || json.Unmarshal(params[i], &s) != nil {
		return nil, errBlock
	}
	head := uint64(len(c.blocks) - 1)
	switch strings.ToLower(s) {
	case "earliest":
		return c.blocks[0], nil
	case "latest":
		return c.blocks[head], nil
	case "pending", "finalized", "safe":
		return nil, errNotModelled
	}
	number, err := strconv.ParseUint(s, 0, 64)
	if err != nil {
		return nil, errBlock
	}
	if number > head {
		return nil, nil
	}
	return c.blocks[number], nil
}

// address reads an address as Besu's Address.fromHexString does: leniently, "0x"
// optional and left-padded to 20 bytes (Bytes.fromHexStringLenient). So a truncated
// address is accepted as another address; callers must check theirs.
func address(params []json.RawMessage, i int) (common.Address, *rpcError) {
	var s string
	if len(params) <= i || json.Unmarshal(params[i], &s) != nil {
		return common.Address{}, errAddress
	}
	digits := strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	if len(digits) > 40 || !isHex("0x"+digits, len(digits)) {
		return common.Address{}, errAddress
	}
	if len(digits)%2 == 1 {
		digits = "0" + digits
	}
	raw, _ := hex.DecodeString(digits)
	return common.BytesToAddress(raw), nil
}

func isHex(s string, digits int) bool {
	if !strings.HasPrefix(s, "0x") || len(s) != 2+digits {
		return false
	}
	for _, r := range s[2:] {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return false
		}
	}
	return true
}

func isBool(raw json.RawMessage) bool { s := string(raw); return s == "true" || s == "false" }

// lower is Besu's Address.toString: 0x and lowercase hex.
func lower(a common.Address) string { return "0x" + hex.EncodeToString(a[:]) }

func addresses(list []common.Address) []string {
	out := make([]string, len(list))
	for i, a := range list {
		out[i] = lower(a)
	}
	return out
}

// quantity is Besu's Quantity.create: 0x and hex without leading zeros.
func quantity(v uint64) string { return fmt.Sprintf("0x%x", v) }
