package main

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"
)

// peerCLI is the peer CLI of the lifecycle Jobs. It reads core.yaml and the local MSP
// first, as every peer command does (internal/peer/common/common.go InitConfig,
// InitCrypto), connects to CORE_PEER_ADDRESS over TLS verified against
// CORE_PEER_TLS_ROOTCERT_FILE with the address's host as the server name, presenting
// the client certificate when CORE_PEER_TLS_CLIENTAUTHREQUIRED
// (internal/peer/common/peerclient.go), and prints what Fabric prints:
//   - channel list: "Channels peers has joined: " then a channel a line, stdout
//     (internal/peer/channel/list.go);
//   - channel join -b: the peer's refusal as ProposalFailedErr "proposal failed (err:
//     bad proposal response 500: …)" (internal/peer/channel/join.go);
//   - lifecycle chaincode queryinstalled: "Installed chaincodes on peer:" then
//     "Package ID: <id>, Label: <label>" lines, or "query failed with status: <code> -
//     <message>" (internal/peer/lifecycle/chaincode/queryinstalled.go);
//   - lifecycle chaincode install <file>: "chaincode install failed with status: <code>
//   - <message>" (install.go).
//
// Errors are cobra's "Error: <err>" on stderr, exit 1 (cmd/peer/main.go).
func peerCLI(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if err := peerCommand(args, getenv, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "Error: %v\n", err)
		return 1
	}
	return 0
}

func peerCommand(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	core, err := loadCore(getenv)
	if err != nil {
		return err
	}
	msp, err := loadMSP(core.str("peer.mspConfigPath"))
	if err != nil {
		return err
	}
	call := func(req peerRequest) (peerResponse, error) { return callPeer(core, msp, req) }
	flag := func(names ...string) string {
		for i, a := range args {
			for _, n := range names {
				if a == n && i+1 < len(args) {
					return args[i+1]
				}
			}
		}
		return ""
	}
	switch {
	case len(args) >= 2 && args[0] == "channel" && args[1] == "list":
		resp, err := call(peerRequest{Op: "channels"})
		if err != nil {
			return err
		}
		if resp.Status != http.StatusOK {
			return fmt.Errorf("bad response: %d - %s", resp.Status, resp.Message)
		}
		fmt.Fprintln(stdout, "Channels peers has joined: ")
		for _, c := range resp.Channels {
			fmt.Fprintf(stdout, "%s\n", c)
		}
		return nil
	case len(args) >= 2 && args[0] == "channel" && args[1] == "join":
		path := flag("-b", "--blockpath")
		block, err := os.ReadFile(path)
		if err != nil {
			// Fabric v2.5.16 internal/peer/channel/join.go getJoinCCSpec: GBFileNotFoundErr.
			return fmt.Errorf("genesis block file not found %s", err.Error())
		}
		resp, err := call(peerRequest{Op: "join", Block: block})
		if err != nil {
			return err
		}
		if resp.Status != http.StatusOK {
			return fmt.Errorf("proposal failed (err: bad proposal response %d: %s)", resp.Status, resp.Message)
		}
		logInfo(stderr, "channelCmd", "executeJoin", "Successfully submitted proposal to join channel")
		return nil
	case len(args) >= 3 && args[0] == "lifecycle" && args[1] == "chaincode" && args[2] == "queryinstalled":
		resp, err := call(peerRequest{Op: "queryinstalled"})
		if err != nil {
			return err
		}
		if resp.Status != http.StatusOK {
			return fmt.Errorf("query failed with status: %d - %s", resp.Status, resp.Message)
		}
		fmt.Fprintln(stdout, "Installed chaincodes on peer:")
		for _, p := range resp.Packages {
			fmt.Fprintf(stdout, "Package ID: %s, Label: %s\n", p[0], p[1])
		}
		return nil
	case len(args) >= 3 && args[0] == "lifecycle" && args[1] == "chaincode" && args[2] == "install":
		if len(args) < 4 {
			return errors.New("chaincode install package must be provided")
		}
		pkg, err := os.ReadFile(args[3])
		if err != nil {
			return fmt.Errorf("failed to read chaincode package at '%s': %w", args[3], err)
		}
		resp, err := call(peerRequest{Op: "install", Package: pkg})
		if err != nil {
			return err
		}
		if resp.Status != http.StatusOK {
			return fmt.Errorf("chaincode install failed with status: %d - %s", resp.Status, resp.Message)
		}
		logInfo(stderr, "cli.lifecycle.chaincode", "submitInstallProposal", "Chaincode code package identifier: "+resp.Packages[0][0])
		return nil
	}
	return fmt.Errorf("unknown command %q for \"peer\"", args)
}

// logInfo writes a line as Fabric's default log format does.
func logInfo(w io.Writer, module, fn, msg string) {
	fmt.Fprintf(w, "%s UTC 0001 INFO [%s] %s -> %s\n", time.Now().UTC().Format("2006-01-02 15:04:05.000"), module, fn, msg)
}

// callPeer sends one request, signed by the MSP's identity, to the peer.
func callPeer(core *coreConfig, msp *localMSP, req peerRequest) (peerResponse, error) {
	address := core.str("peer.address")
	fail := func(err error) (peerResponse, error) {
		// internal/peer/common/common.go GetEndorserClient's words.
		return peerResponse{}, fmt.Errorf("failed to retrieve endorser client for %s: endorser client failed to connect to %s: failed to create new connection: %w", req.Op, address, err)
	}
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fail(err)
	}
	if !core.boolean("peer.tls.enabled") {
		return fail(errors.New("the stand-in peer speaks TLS only"))
	}
	roots, err := certPool(core.str("peer.tls.rootcert.file"))
	if err != nil {
		return fail(err)
	}
	cfg := &tls.Config{RootCAs: roots, ServerName: host, MinVersion: tls.VersionTLS12}
	if o := core.str("peer.tls.serverhostoverride"); o != "" {
		cfg.ServerName = o
	}
	if core.boolean("peer.tls.clientAuthRequired") {
		pair, err := tls.LoadX509KeyPair(core.str("peer.tls.clientCert.file"), core.str("peer.tls.clientKey.file"))
		if err != nil {
			return fail(err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	body, _ := json.Marshal(req)
	digest := sha256.Sum256(body)
	sig, err := msp.key.Sign(rand.Reader, digest[:], nil)
	if err != nil {
		return peerResponse{}, err
	}
	r, _ := http.NewRequest(http.MethodPost, "https://"+address+"/", bytes.NewReader(body))
	r.Header.Set("X-Fabric-Creator", base64.StdEncoding.EncodeToString(msp.certPEM))
	r.Header.Set("X-Fabric-Signature", base64.StdEncoding.EncodeToString(sig))
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}, Timeout: 30 * time.Second}
	resp, err := client.Do(r)
	if err != nil {
		return fail(err)
	}
	defer resp.Body.Close()
	var out peerResponse
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return peerResponse{}, err
	}
	return out, nil
}
