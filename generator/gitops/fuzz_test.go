package gitops

import (
	"strings"
	"testing"
)

// FuzzParseTrailers reads commit messages anyone can write: it must never panic, and
// every trailer it returns has a non-empty key without spaces.
func FuzzParseTrailers(f *testing.F) {
	f.Add("flux-ledger: add node x\n\nParties-Changed: a, b\n")
	f.Fuzz(func(t *testing.T, message string) {
		for k := range ParseTrailers(message) {
			if k == "" || strings.ContainsAny(k, " \t") {
				t.Errorf("trailer key %q", k)
			}
		}
	})
}

// FuzzSecretMaterial scans every file a commit would add: it must never panic, and an
// age secret key anywhere in the input is always reported.
func FuzzSecretMaterial(f *testing.F) {
	f.Add([]byte("kind: Secret\ndata:\n  key: ENC[AES256_GCM,data:x]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		SecretMaterial(data)
		withKey := append(append([]byte{}, data...), []byte("\nAGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ\n")...)
		if SecretMaterial(withKey) == "" {
			t.Error("an age secret key was not reported")
		}
	})
}

// FuzzCleanTreePath checks the names NetworkAt joins below its temporary directory.
func FuzzCleanTreePath(f *testing.F) {
	f.Add("cue/network.cue")
	f.Add("cue/../../x")
	f.Fuzz(func(t *testing.T, p string) {
		if !cleanTreePath(p) {
			return
		}
		for _, seg := range strings.Split(p, "/") {
			if seg == ".." || seg == "." || seg == "" {
				t.Errorf("%q accepted", p)
			}
		}
	})
}
