package lifecycle

import (
	"embed"
	"path"
)

// The bash scripts the Jobs run, from the ConfigMap ScriptsConfigMap. They need bash
// and the Fabric CLIs only, which the tools image has (Fabric v2.5.16 and v3.1.5
// images/tools/Dockerfile: ubuntu with bash, curl, jq; peer, osnadmin and
// configtxlator in /usr/local/bin, from `make tools`, whose TOOLS_EXES lists them in
// the Makefile; FABRIC_CFG_PATH=/etc/hyperledger/fabric holding sampleconfig's
// core.yaml, which the peer CLI reads).
//
//go:embed scripts/*.sh
var scriptFS embed.FS

const (
	libScript              = "lib.sh"
	ordererJoinScript      = "orderer-join.sh"
	peerJoinScript         = "peer-join.sh"
	chaincodeInstallScript = "chaincode-install.sh"
	chaincodeApproveScript = "chaincode-approve.sh"
	chaincodeCommitScript  = "chaincode-commit.sh"
	channelUpdateScript    = "channel-update.sh"
	channelObserveScript   = "channel-observe.sh"
)

var scriptNames = []string{libScript, ordererJoinScript, peerJoinScript, chaincodeInstallScript, chaincodeApproveScript, chaincodeCommitScript, channelUpdateScript, channelObserveScript}

func scripts() (map[string]string, error) {
	out := map[string]string{}
	for _, name := range scriptNames {
		data, err := scriptFS.ReadFile(path.Join("scripts", name))
		if err != nil {
			return nil, err
		}
		out[name] = string(data)
	}
	return out, nil
}
