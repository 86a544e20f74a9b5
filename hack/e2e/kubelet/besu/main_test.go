package main

import (
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
)

func optionList(t *testing.T) map[string]string {
	_, file, _, _ := runtime.Caller(0)
	known, err := knownOptions(filepath.Join(filepath.Dir(file), "../../../../generator/render/besu/testdata/besu-24.12.2-options.txt"))
	if err != nil {
		t.Fatal(err)
	}
	return known
}

// The command line is read as Besu's picocli reads it: a rendered one is accepted, an
// unknown option or a malformed Boolean or Integer is refused with picocli's words.
func TestParseRefusesWhatBesuRefuses(t *testing.T) {
	known := optionList(t)
	o, err := parse([]string{"--data-path=/data", "--p2p-port", "30303", "--rpc-http-enabled", "--rpc-http-api=ADMIN,QBFT", "--host-allowlist=*"}, known)
	if err != nil {
		t.Fatal(err)
	}
	if o["--p2p-port"] != "30303" || o["--rpc-http-enabled"] != "true" || o["--rpc-http-api"] != "ADMIN,QBFT" {
		t.Errorf("parsed %v", o)
	}
	for _, c := range []struct{ args, want string }{
		{"--rpc-http-enable=true", "Unknown option: '--rpc-http-enable'"},
		{"--discovery-enabled=no", "is not a boolean"},
		{"--p2p-port=30303/tcp", "is not an int"},
		{"data-path", "Unmatched argument"},
		{"--data-path", "Missing required parameter"},
	} {
		_, err := parse(strings.Fields(c.args), known)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.args, err, c.want)
		}
	}
}

// The genesis validators are read from a QBFT extraData as Besu's codec lays it out.
func TestValidatorsOfExtraData(t *testing.T) {
	// The first two validators of the reference network's genesis (parties/*/shared/genesis.yaml).
	extra := "0xf8b9a00000000000000000000000000000000000000000000000000000000000000000f893943459c9a291b924c23d30c6ac0fcbfa02732dcb5c94345c28e805ec7150456da4276e2070186a5771f5946d4f1faae265506dfcc5837263dd42afac7a2a24949a37c942549f4f39e781421215860d2e2501ae5294c1bd3507041424e1234f1dfc9265d05b80f20edf94e2fa306edd570386369c97563f50b1cb6031cf2494e760721290fce63bd4a56703bf952dc544ed1172c080c0"
	v, err := validatorsOf(extra)
	if err != nil {
		t.Fatal(err)
	}
	if len(v) != 7 || v[0] != common.HexToAddress("0x3459c9a291b924c23d30c6ac0fcbfa02732dcb5c") || v[1] != common.HexToAddress("0x345c28e805ec7150456da4276e2070186a5771f5") {
		t.Errorf("validators %v", v)
	}
}
