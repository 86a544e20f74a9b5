package besu

import (
	"embed"
	"path"
)

// The shell scripts a node's containers run, from the network-wide ConfigMap
// node-scripts. They need only bash and getent, which the Besu image has (its base is
// ubuntu:24.04), so no second image is pulled.
//
//go:embed scripts/*.sh
var scriptFS embed.FS

const (
	waitForPeersScript = "wait-for-peers.sh"
	peerSyncScript     = "peer-sync.sh"
	readyScript        = "ready.sh"
	liveScript         = "live.sh"
	// httpScript is the HTTP/1.1 client the others source from the same directory.
	httpScript = "http.sh"
	// validatorVoteScript keeps a validator's votes in line with the network's wanted
	// validator changes.
	validatorVoteScript = "validator-vote.sh"
)

func scripts() (map[string]string, error) {
	out := map[string]string{}
	for _, name := range []string{waitForPeersScript, peerSyncScript, readyScript, liveScript, httpScript, validatorVoteScript} {
		data, err := scriptFS.ReadFile(path.Join("scripts", name))
		if err != nil {
			return nil, err
		}
		out[name] = string(data)
	}
	return out, nil
}
