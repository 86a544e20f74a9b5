// Command fabric is the stand-in Hyperledger Fabric of the kubelet end-to-end test
// (hack/e2e/kubelet). Like busybox, one static binary is every program, chosen by the
// name it is run as, so each stand-in image holds what the real image's rendered
// command runs:
//
//   - orderer (docker.io/hyperledger/fabric-orderer): reads the rendered ORDERER_*
//     environment, loads its TLS key pair and MSP, serves the channel participation
//     API over mutual TLS on the admin listener, the operations endpoint (/healthz,
//     /metrics) and a TLS listener on the general port;
//   - peer (fabric-peer and fabric-tools): `peer node start` reads core.yaml from
//     FABRIC_CFG_PATH with CORE_* overrides as Fabric's viper does, refuses to start
//     without a chaincode runtime, connects to CouchDB as Fabric's statecouchdb does,
//     and serves /healthz with Fabric's docker and couchdb checks; the other peer
//     commands are the CLI the lifecycle Jobs run (channel list/join, lifecycle
//     chaincode install/queryinstalled), printing what Fabric's CLI prints;
//   - osnadmin (fabric-tools): Fabric's osnadmin, speaking the real channel
//     participation wire protocol (multipart join, JSON answers);
//   - couchdb (library/couchdb): what the image's entrypoint and CouchDB do with the
//     rendered environment and ini files: the admin from COUCHDB_USER/PASSWORD, the
//     bind address from the ini files, /_up, the server and database endpoints
//     Fabric calls;
//   - curl: the flags the rendered CouchDB probes pass, with curl's exit codes.
//
// Between the peer CLI and the peer the wire is this program's own (JSON over the
// peer's TLS listener, signed with the admin's MSP key) where Fabric speaks gRPC;
// what is real is everything either end reads from the pod: addresses, ports, TLS
// certificates and names, MSP files and their modes, the admin's role, the output and
// exit codes the Jobs' scripts read. Each file names the Fabric sources (v2.5.16,
// unchanged in v3.1.5 where cited) its behaviour copies; main_test.go checks that
// behaviour without a node.
package main

import (
	"fmt"
	"os"
	"path/filepath"
)

// couchDBControl is the stand-in CouchDB's control listener (couchdb.go).
const couchDBControl = ":15984"

func main() {
	os.Exit(run(filepath.Base(os.Args[0]), os.Args[1:]))
}

// run dispatches on the program's name and returns its exit code.
func run(name string, args []string) int {
	switch name {
	case "orderer":
		return serve(runOrderer(os.Getenv))
	case "peer":
		if len(args) >= 2 && args[0] == "node" && args[1] == "start" {
			return serve(runPeer(os.Getenv))
		}
		return peerCLI(args, os.Getenv, os.Stdout, os.Stderr)
	case "osnadmin":
		output, exit, err := osnadmin(args)
		if err != nil { // cmd/osnadmin/main.go main
			fmt.Fprintf(os.Stderr, "osnadmin: error: parsing arguments: %s. Try --help\n", err)
			return 1
		}
		fmt.Println(output)
		return exit
	case "couchdb":
		return serve(runCouchDB(os.Getenv, "/opt/couchdb", couchDBControl))
	case "curl":
		return curl(args, os.Stderr)
	}
	fmt.Fprintf(os.Stderr, "fabric stand-in: unknown program %q\n", name)
	return 2
}
