// Command besu is the stand-in Hyperledger Besu of the kubelet end-to-end test
// (hack/e2e/kubelet): a static program installed as /opt/besu/bin/besu in an image
// that also holds bash and busybox, so the rendered container command, its sidecar
// scripts and its exec probes run unchanged.
//
// It takes Besu's command line as rendered and refuses what Besu's picocli would
// refuse: an option Besu 24.12.2 does not declare, or a Boolean or Integer option with
// a value of another form (the options are read from the list the image carries,
// generator/render/besu/testdata/besu-24.12.2-options.txt, which names each option's
// source file). It then serves what the rendered probes and scripts talk to:
//
//   - JSON-RPC over HTTP on --rpc-http-host:--rpc-http-port, /liveness and /readiness,
//     and over WebSocket on --rpc-ws-host:--rpc-ws-port, framed as Besu frames them and
//     answering as Besu answers (generator/testenv/besurpc, whose files cite the Besu
//     sources they copy), with the APIs --rpc-http-api enables;
//   - a TCP listener on --p2p-interface:--p2p-port (the startup probe's port);
//   - Prometheus metrics on --metrics-host:--metrics-port.
//
// The chain is besurpc's: the genesis validators of --genesis-file's extraData, a block
// every blockperiodseconds, this node's own votes landing in the blocks it proposes.
// The validators that run elsewhere are modelled in the process; a control listener
// on the pod's address (--p2p-host, port 18545) lets the test read the node's state,
// have the other validators cast a vote as their own validator-vote sidecars would,
// and make the node unhealthy.
package main

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rlp"

	"github.com/flux-ledger/flux-ledger/generator/testenv/besurpc"
)

// OptionsFile is where the image carries Besu's option list.
const OptionsFile = "/opt/besu/options.txt"

// ControlPort is the stand-in's own control listener, on the pod's address.
const ControlPort = 18545

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// options are the parsed command line: option → value.
type options map[string]string

func (o options) bool(name string, def bool) bool {
	v, ok := o[name]
	if !ok {
		return def
	}
	return v == "true"
}

func (o options) str(name, def string) string {
	if v, ok := o[name]; ok {
		return v
	}
	return def
}

// knownOptions reads the option list: option → Java type.
func knownOptions(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	known := map[string]string{}
	s := bufio.NewScanner(f)
	for s.Scan() {
		line := s.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Split(line, "\t")
		if len(fields) == 3 {
			known[fields[0]] = fields[1]
		}
	}
	if len(known) < 300 {
		return nil, fmt.Errorf("%s: %d options, truncated?", path, len(known))
	}
	return known, s.Err()
}

var integer = regexp.MustCompile(`^[0-9]+$`)

// parse reads the command line as picocli does for these options: --name=value, or
// --name value, a Boolean alone meaning true (arity 0..1). The errors are picocli's.
func parse(args []string, known map[string]string) (options, error) {
	o := options{}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if !strings.HasPrefix(arg, "--") {
			return nil, fmt.Errorf("Unmatched argument at index %d: '%s'", i, arg)
		}
		name, value, hasValue := strings.Cut(arg, "=")
		javaType, ok := known[name]
		if !ok {
			return nil, fmt.Errorf("Unknown option: '%s'", name)
		}
		if !hasValue {
			if javaType == "Boolean" && (i+1 == len(args) || strings.HasPrefix(args[i+1], "--")) {
				value = "true"
			} else if i+1 < len(args) {
				i++
				value = args[i]
			} else {
				return nil, fmt.Errorf("Missing required parameter for option '%s'", name)
			}
		}
		switch javaType {
		case "Boolean":
			if value != "true" && value != "false" {
				return nil, fmt.Errorf("Invalid value for option '%s': '%s' is not a boolean", name, value)
			}
		case "Integer":
			if !integer.MatchString(value) {
				return nil, fmt.Errorf("Invalid value for option '%s': '%s' is not an int", name, value)
			}
		}
		o[name] = value
	}
	return o, nil
}

// genesis is what the stand-in reads of the genesis file.
type genesis struct {
	Config struct {
		QBFT  *consensus `json:"qbft"`
		IBFT2 *consensus `json:"ibft2"`
	} `json:"config"`
	ExtraData string `json:"extraData"`
}

type consensus struct {
	BlockPeriodSeconds int    `json:"blockperiodseconds"`
	EpochLength        uint64 `json:"epochlength"`
}

// validatorsOf decodes a BFT extraData (RLP: vanity, validators, vote, round, seals;
// Besu's QbftExtraDataCodec and BftExtraDataCodec) for its validators.
func validatorsOf(extraData string) ([]common.Address, error) {
	raw, err := hex.DecodeString(strings.TrimPrefix(extraData, "0x"))
	if err != nil {
		return nil, err
	}
	var fields []rlp.RawValue
	if err := rlp.DecodeBytes(raw, &fields); err != nil {
		return nil, fmt.Errorf("extraData: %w", err)
	}
	if len(fields) < 2 {
		return nil, fmt.Errorf("extraData: %d fields", len(fields))
	}
	var validators []common.Address
	if err := rlp.DecodeBytes(fields[1], &validators); err != nil {
		return nil, fmt.Errorf("extraData validators: %w", err)
	}
	return validators, nil
}

// nodeKey reads the node key file as Besu's KeyPairUtil does: the private key in hex,
// "0x" optional, surrounding white space ignored.
func nodeKey(path string) (common.Address, string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return common.Address{}, "", err
	}
	key, err := crypto.HexToECDSA(strings.TrimPrefix(strings.TrimSpace(string(data)), "0x"))
	if err != nil {
		return common.Address{}, "", fmt.Errorf("%s: %w", path, err)
	}
	id := hex.EncodeToString(crypto.FromECDSAPub(&key.PublicKey)[1:])
	return crypto.PubkeyToAddress(key.PublicKey), id, nil
}

// staticNodes reads the static nodes file (StaticNodesParser): a missing file is none.
func staticNodes(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var enodes []string
	if err := json.Unmarshal(data, &enodes); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return enodes, nil
}

func run(args []string) error {
	known, err := knownOptions(OptionsFile)
	if err != nil {
		return err
	}
	o, err := parse(args, known)
	if err != nil {
		return err
	}
	var g genesis
	data, err := os.ReadFile(o.str("--genesis-file", ""))
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, &g); err != nil {
		return fmt.Errorf("genesis: %w", err)
	}
	algorithm, c := besurpc.QBFT, g.Config.QBFT
	if c == nil {
		algorithm, c = besurpc.IBFT2, g.Config.IBFT2
	}
	if c == nil {
		return fmt.Errorf("genesis: neither qbft nor ibft2")
	}
	if c.EpochLength == 0 {
		c.EpochLength = 30000
	}
	if c.BlockPeriodSeconds == 0 {
		c.BlockPeriodSeconds = 1
	}
	validators, err := validatorsOf(g.ExtraData)
	if err != nil {
		return err
	}
	address, id, err := nodeKey(o.str("--node-private-key-file", "/data/key"))
	if err != nil {
		return err
	}
	// The data path must be writable (Besu keeps its database there).
	dataPath := o.str("--data-path", "/opt/besu")
	if err := os.WriteFile(dataPath+"/DATABASE_METADATA.json", []byte(`{"version":2}`), 0o644); err != nil {
		return fmt.Errorf("data path: %w", err)
	}
	enodes, err := staticNodes(o.str("--static-nodes-file", dataPath+"/static-nodes.json"))
	if err != nil {
		return err
	}

	chain := besurpc.NewChain(algorithm, c.EpochLength, validators)
	chain.Resolve = func(name string) (string, bool) {
		addrs, _ := net.LookupHost(name)
		for _, a := range addrs {
			if ip := net.ParseIP(a); ip != nil && ip.To4() != nil {
				return a, true
			}
		}
		return "", false
	}
	self, err := chain.NewNode(address)
	if err != nil {
		return err
	}
	self.SetNodeID(id)
	self.StartWith(enodes...)
	// The other validators, each voting as its own validator-vote would when told.
	others := map[common.Address]*besurpc.Node{}
	for _, v := range validators {
		if v != address {
			if others[v], err = chain.NewNode(v); err != nil {
				return err
			}
		}
	}
	apis := strings.Split(o.str("--rpc-http-api", "ETH,NET,WEB3"), ",")
	if !slices.Contains(apis, "QBFT") && !slices.Contains(apis, "IBFT") {
		self.DisableConsensusAPI()
	}
	if !slices.Contains(apis, "ADMIN") {
		self.DisableAdminAPI()
	}

	var unhealthy atomic.Bool
	serve := func(what, host, port string, h http.Handler) error {
		l, err := net.Listen("tcp", net.JoinHostPort(host, port))
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		go http.Serve(l, h)
		return nil
	}
	if o.bool("--rpc-http-enabled", false) {
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// A hung Besu: HealthService answers DOWN (503) for both checks.
			if unhealthy.Load() && (r.URL.Path == "/liveness" || r.URL.Path == "/readiness") {
				w.Header().Set("Content-Length", "22")
				w.WriteHeader(http.StatusServiceUnavailable)
				w.Write([]byte("{\n  \"status\" : \"DOWN\"\n}"))
				return
			}
			self.ServeHTTP(w, r)
		})
		if err := serve("rpc-http", o.str("--rpc-http-host", "127.0.0.1"), o.str("--rpc-http-port", "8545"), h); err != nil {
			return err
		}
	}
	if o.bool("--rpc-ws-enabled", false) {
		if err := serve("rpc-ws", o.str("--rpc-ws-host", "127.0.0.1"), o.str("--rpc-ws-port", "8546"), self.WSHandler()); err != nil {
			return err
		}
	}
	if o.bool("--p2p-enabled", true) {
		l, err := net.Listen("tcp", net.JoinHostPort(o.str("--p2p-interface", "0.0.0.0"), o.str("--p2p-port", "30303")))
		if err != nil {
			return fmt.Errorf("p2p: %w", err)
		}
		go func() {
			for {
				conn, err := l.Accept()
				if err != nil {
					return
				}
				conn.Close()
			}
		}()
	}
	if o.bool("--metrics-enabled", false) {
		metrics := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/metrics" {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "text/plain; version=0.0.4")
			fmt.Fprintf(w, "# TYPE ethereum_blockchain_height gauge\nethereum_blockchain_height %d\n# TYPE ethereum_peer_count gauge\nethereum_peer_count %d\n",
				chain.Head(), len(self.Peers()))
		})
		if err := serve("metrics", o.str("--metrics-host", "127.0.0.1"), o.str("--metrics-port", "9545"), metrics); err != nil {
			return err
		}
	}

	control := http.NewServeMux()
	control.HandleFunc("GET /state", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{
			"address": address.Hex(), "id": id, "head": chain.Head(), "calls": self.Calls(),
			"peers": self.Peers(), "pending": self.Pending(), "validators": chain.Validators(),
			"options": o,
		})
	})
	// POST /vote?address=0x…&add=true: every other validator proposes the vote, as its
	// own validator-vote sidecar would with the same list.
	control.HandleFunc("POST /vote", func(w http.ResponseWriter, r *http.Request) {
		subject := r.URL.Query().Get("address")
		add := r.URL.Query().Get("add") == "true"
		body := fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"%s_proposeValidatorVote","params":["%s",%v]}`, chain.Prefix(), subject, add)
		for _, n := range others {
			rec := &discard{header: http.Header{}}
			req, _ := http.NewRequest(http.MethodPost, "/", strings.NewReader(body))
			n.ServeHTTP(rec, req)
		}
	})
	control.HandleFunc("POST /unhealthy", func(w http.ResponseWriter, r *http.Request) { unhealthy.Store(true) })
	if err := serve("control", o.str("--p2p-host", "127.0.0.1"), strconv.Itoa(ControlPort), control); err != nil {
		return err
	}

	fmt.Printf("stand-in besu: %s (%s), %d validators, %d static nodes\n", address.Hex(), algorithm, len(validators), len(enodes))
	tick := time.NewTicker(time.Duration(c.BlockPeriodSeconds) * time.Second)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	for {
		select {
		case <-tick.C:
			chain.Produce(1)
		case <-stop:
			return nil
		}
	}
}

// discard is a ResponseWriter that keeps nothing (the other validators' replies).
type discard struct{ header http.Header }

func (d *discard) Header() http.Header         { return d.header }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}
func (d *discard) Flush()                      {}
