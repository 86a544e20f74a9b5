package status

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/ethereum/go-ethereum/common/hexutil"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/client-go/rest"

	"github.com/flux-ledger/flux-ledger/generator/model"
)

// proxyRPC speaks JSON-RPC to a node's "rpc" Service port through the cluster's API
// server (POST /api/v1/namespaces/<ns>/services/<node>:rpc/proxy/): the same
// credentials that read Flux reach the node, and nothing of the node is exposed
// outside its cluster for it.
type proxyRPC struct {
	client *rest.RESTClient
	path   string
}

func newProxyRPC(cluster model.Cluster, namespace string, node model.Node, opts Options) (*proxyRPC, error) {
	config, err := restConfig(contextOf(cluster, opts), opts)
	if err != nil {
		return nil, err
	}
	client, err := proxyClient(config)
	if err != nil {
		return nil, err
	}
	// The trailing slash makes the proxied path "/", where Besu serves JSON-RPC.
	return &proxyRPC{client: client, path: fmt.Sprintf("/api/v1/namespaces/%s/services/%s:rpc/proxy/", namespace, node.Name)}, nil
}

// proxyClient is a client of the core API's paths, where the API server proxies to a
// Service (services/<name>:<port>/proxy/…).
func proxyClient(config *rest.Config) (*rest.RESTClient, error) {
	config.APIPath = "/api"
	config.GroupVersion = &schema.GroupVersion{Version: "v1"}
	config.NegotiatedSerializer = statusCodecs
	return rest.RESTClientFor(config)
}

// statusCodecs decode what the API server itself answers on the proxy path (a
// metav1.Status on failure). Only that: client-go's scheme would compile every
// Kubernetes API group into the binary.
var statusCodecs = func() runtime.NegotiatedSerializer {
	scheme := runtime.NewScheme()
	metav1.AddToGroupVersion(scheme, schema.GroupVersion{Version: "v1"})
	return serializer.NewCodecFactory(scheme).WithoutConversion()
}()

type rpcRequest struct {
	JSONRPC string `json:"jsonrpc"`
	ID      int    `json:"id"`
	Method  string `json:"method"`
	Params  []any  `json:"params"`
}

type rpcResponse struct {
	ID     int             `json:"id"`
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func (r rpcResponse) decode(method string, into any) error {
	if r.Error != nil {
		return fmt.Errorf("%s: %s (%d)", method, r.Error.Message, r.Error.Code)
	}
	if len(r.Result) == 0 || string(r.Result) == "null" {
		return fmt.Errorf("%s: no result", method)
	}
	if err := json.Unmarshal(r.Result, into); err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	return nil
}

func (p *proxyRPC) post(ctx context.Context, body any) ([]byte, error) {
	data, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	result := p.client.Post().AbsPath(p.path).SetHeader("Content-Type", "application/json").Body(data).Do(ctx)
	out, err := result.Raw()
	if err != nil {
		// Error() reads the API server's own Status (e.g. "no endpoints available for
		// service"), which Raw's generic error drops.
		return nil, fmt.Errorf("POST %s: %w", p.path, result.Error())
	}
	return out, nil
}

// call makes one JSON-RPC call.
func (p *proxyRPC) call(ctx context.Context, method string, params []any, into any) error {
	if params == nil {
		params = []any{}
	}
	data, err := p.post(ctx, rpcRequest{JSONRPC: "2.0", ID: 1, Method: method, Params: params})
	if err != nil {
		return err
	}
	var resp rpcResponse
	if err := json.Unmarshal(data, &resp); err != nil {
		return fmt.Errorf("%s: not a JSON-RPC answer: %.100s", method, data)
	}
	return resp.decode(method, into)
}

// blockHeader is what status reads of eth_getBlockByNumber: "miner" is the coinbase,
// which in QBFT and IBFT 2.0 is the block's proposer (Besu BftBlockCreator sets it to
// the node's own address; BftBlockInterface.getProposerOfBlock reads it).
type blockHeader struct {
	Number    hexUint       `json:"number"`
	Timestamp hexUint       `json:"timestamp"` // seconds since the Unix epoch
	Miner     string        `json:"miner"`
	ExtraData hexutil.Bytes `json:"extraData"`
}

// batch reads, in one JSON-RPC batch (Besu answers a JSON array of requests), the
// validators of block head, the node's peer count and the headers of blocks
// from…head.
func (p *proxyRPC) batch(ctx context.Context, head, from uint64, prefix string, validators *[]string, peers *hexUint, blocks *[]blockHeader) error {
	method := prefix + "_getValidatorsByBlockNumber"
	reqs := []rpcRequest{
		{JSONRPC: "2.0", ID: 0, Method: method, Params: []any{hexutil.EncodeUint64(head)}},
		{JSONRPC: "2.0", ID: 1, Method: "net_peerCount", Params: []any{}},
	}
	for n := from; n <= head; n++ {
		reqs = append(reqs, rpcRequest{JSONRPC: "2.0", ID: len(reqs), Method: "eth_getBlockByNumber", Params: []any{hexutil.EncodeUint64(n), false}})
	}
	byID, err := p.batchCalls(ctx, reqs)
	if err != nil {
		return err
	}
	if err := byID[0].decode(method, validators); err != nil {
		return err
	}
	if err := byID[1].decode("net_peerCount", peers); err != nil {
		return err
	}
	*blocks = make([]blockHeader, len(reqs)-2)
	for i := range *blocks {
		if err := byID[i+2].decode("eth_getBlockByNumber", &(*blocks)[i]); err != nil {
			return err
		}
	}
	return nil
}

// batchCalls sends reqs, whose IDs are 0…len(reqs)-1, in one JSON-RPC batch and
// returns the answers by ID (Besu answers a batch in a JSON array, one answer per
// request, each with its own result or error: JsonRpcArrayExecutor.java).
func (p *proxyRPC) batchCalls(ctx context.Context, reqs []rpcRequest) (map[int]rpcResponse, error) {
	data, err := p.post(ctx, reqs)
	if err != nil {
		return nil, err
	}
	var resps []rpcResponse
	if err := json.Unmarshal(data, &resps); err != nil {
		return nil, fmt.Errorf("batch: not a JSON-RPC answer: %.100s", data)
	}
	byID := map[int]rpcResponse{}
	for _, r := range resps {
		if r.ID >= 0 && r.ID < len(reqs) {
			byID[r.ID] = r
		}
	}
	if len(byID) != len(reqs) {
		return nil, fmt.Errorf("batch of %d requests: %d answers", len(reqs), len(byID))
	}
	return byID, nil
}

// hexUint is a JSON-RPC quantity ("0x1a").
type hexUint uint64

func (h *hexUint) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return err
	}
	if !strings.HasPrefix(s, "0x") {
		return fmt.Errorf("quantity %q: no 0x", s)
	}
	v, err := strconv.ParseUint(s[2:], 16, 64)
	*h = hexUint(v)
	return err
}
