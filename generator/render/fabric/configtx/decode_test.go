package configtx_test

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// decoded is the JSON that bin/fabric-block-json prints (hack/tools/fabric-protos,
// decode-block.js): the block read with Fabric's official protobuf definitions (npm
// @hyperledger/fabric-protos), not with this package's encoder.
type decoded struct {
	Header struct {
		Number       int    `json:"number"`
		PreviousHash string `json:"previousHash"`
		DataHash     string `json:"dataHash"`
	} `json:"header"`
	Data []struct {
		Raw      string `json:"raw"`
		Envelope struct {
			Signature     string `json:"signature"`
			ChannelHeader struct {
				Type      int `json:"type"`
				Version   int `json:"version"`
				Timestamp *struct {
					Seconds int64 `json:"seconds"`
					Nanos   int   `json:"nanos"`
				} `json:"timestamp"`
				ChannelID   string `json:"channelId"`
				TxID        string `json:"txId"`
				Epoch       int    `json:"epoch"`
				Extension   string `json:"extension"`
				TLSCertHash string `json:"tlsCertHash"`
			} `json:"channelHeader"`
			SignatureHeader struct {
				Creator string `json:"creator"`
				Nonce   string `json:"nonce"`
			} `json:"signatureHeader"`
			ConfigEnvelope *struct {
				HasLastUpdate bool `json:"hasLastUpdate"`
				Config        struct {
					Sequence     int         `json:"sequence"`
					ChannelGroup configGroup `json:"channelGroup"`
				} `json:"config"`
			} `json:"configEnvelope"`
		} `json:"envelope"`
	} `json:"data"`
	Metadata []struct {
		Index                int    `json:"index"`
		Raw                  string `json:"raw"`
		Signatures           int    `json:"signatures"`
		OrdererBlockMetadata *struct {
			LastConfig *struct {
				Index int `json:"index"`
			} `json:"lastConfig"`
			ConsenterMetadata string `json:"consenterMetadata"`
		} `json:"ordererBlockMetadata"`
		LastConfig *struct {
			Index int `json:"index"`
		} `json:"lastConfig"`
	} `json:"metadata"`
}

type configGroup struct {
	Version   int                     `json:"version"`
	ModPolicy string                  `json:"modPolicy"`
	Groups    map[string]configGroup  `json:"groups"`
	Values    map[string]configValue  `json:"values"`
	Policies  map[string]configPolicy `json:"policies"`
}

type configValue struct {
	Version   int             `json:"version"`
	ModPolicy string          `json:"modPolicy"`
	HasValue  bool            `json:"hasValue"`
	Value     json.RawMessage `json:"value"`
}

type configPolicy struct {
	Version   int    `json:"version"`
	ModPolicy string `json:"modPolicy"`
	Policy    struct {
		Type         int `json:"type"`
		ImplicitMeta *struct {
			SubPolicy string `json:"subPolicy"`
			Rule      int    `json:"rule"`
		} `json:"implicitMeta"`
		Signature *struct {
			Version    int            `json:"version"`
			Rule       signatureRule  `json:"rule"`
			Identities []mspPrincipal `json:"identities"`
		} `json:"signature"`
	} `json:"policy"`
}

type signatureRule struct {
	SignedBy *int `json:"signedBy"`
	NOutOf   *struct {
		N     int             `json:"n"`
		Rules []signatureRule `json:"rules"`
	} `json:"nOutOf"`
}

type mspPrincipal struct {
	Classification int `json:"classification"`
	Role           *struct {
		MSPIdentifier string `json:"mspIdentifier"`
		Role          int    `json:"role"`
	} `json:"role"`
	Identity *struct {
		MSPID   string `json:"mspid"`
		IDBytes string `json:"idBytes"`
	} `json:"identity"`
}

// decodeBlock runs the official-protos decoder on block. It skips the test when the
// decoder is not installed (make tools installs it), or fails it under make test.
func decodeBlock(t *testing.T, block []byte) decoded {
	t.Helper()
	tool := testenv.Tool(t, "fabric-block-json")
	file := filepath.Join(t.TempDir(), "genesis.block")
	if err := os.WriteFile(file, block, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, file).Output()
	if err != nil {
		if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
			t.Fatalf("fabric-block-json: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("fabric-block-json: %v", err)
	}
	var d decoded
	if err := json.Unmarshal(out, &d); err != nil {
		t.Fatalf("fabric-block-json output: %v", err)
	}
	if len(d.Data) != 1 || d.Data[0].Envelope.ConfigEnvelope == nil {
		t.Fatalf("want one CONFIG envelope, got %d data entries", len(d.Data))
	}
	return d
}

// root is the decoded /Channel group.
func (d decoded) root() configGroup {
	return d.Data[0].Envelope.ConfigEnvelope.Config.ChannelGroup
}

// value decodes the JSON of one config value into v, failing when the value is absent.
func (g configGroup) value(t *testing.T, key string, v any) configValue {
	t.Helper()
	cv, ok := g.Values[key]
	if !ok {
		t.Fatalf("no %s value; values: %v", key, keys(g.Values))
	}
	if err := json.Unmarshal(cv.Value, v); err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	return cv
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
