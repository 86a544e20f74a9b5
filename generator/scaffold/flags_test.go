package scaffold_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/scaffold"
)

// Names are checked before anything is rendered, and agree with the schema: a name
// the flag check accepts makes a starter the schema accepts (Init validates it with
// vet's loader), and one it refuses is named as the flag, in one line, with nothing
// written.
func TestInitNamesABadFlagBeforeRendering(t *testing.T) {
	for _, tc := range []struct {
		network, party, want string
	}{
		{"net", "a", ""},
		{"net-2", "a-b-c", ""},
		{"n", strings.Repeat("p", 24), ""},
		{"Bad Name", "a", `--name "Bad Name"`},
		{"net-", "a", `--name "net-"`},
		{strings.Repeat("n", 64), "a", "--name"},
		{"net", "A_B", `--party "A_B"`},
		{"net", "-a", `--party "-a"`},
		{"net", strings.Repeat("p", 25), "--party"},
	} {
		dir := filepath.Join(t.TempDir(), "repo")
		opts := options(t, dir, 1)
		opts.Name = tc.network
		opts.Parties[0].Name = tc.party
		_, err := scaffold.Init(opts)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s/%s: %v", tc.network, tc.party, err)
		case tc.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.want) || strings.Contains(err.Error(), "\n")):
			t.Errorf("%s/%s: got %v, want one line starting %s", tc.network, tc.party, err, tc.want)
		case tc.want != "":
			if _, statErr := os.Stat(dir); statErr == nil {
				t.Errorf("%s/%s: %s was created", tc.network, tc.party, dir)
			}
		}
	}
}

// A secret key pasted where the recipient belongs is refused without being repeated
// (error messages reach terminals and CI logs), whatever its case.
func TestInitNeverRepeatsASecretKey(t *testing.T) {
	for _, secret := range []string{
		"AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX",
		"age-secret-key-1gfpyysjzgfpyysjzgfpyysjzgfpyysjzgfpyysjzgfpyysjzgfpq4egaex",
		"AGE-SECRET-KEY-1QQQQ",
	} {
		opts := options(t, filepath.Join(t.TempDir(), "repo"), 1)
		opts.Parties[0].Recipient = secret
		_, err := scaffold.Init(opts)
		if err == nil {
			t.Fatalf("a secret key was accepted as a recipient")
		}
		if strings.Contains(strings.ToUpper(err.Error()), strings.ToUpper(secret[len("AGE-SECRET-KEY-"):])) {
			t.Errorf("the error repeats the key: %v", err)
		}
	}
}
