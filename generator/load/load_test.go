package load_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

func TestReferenceNetworkLoads(t *testing.T) {
	result, err := load.Network(filepath.Join(testenv.RepoRoot(t), "cue"))
	if err != nil {
		t.Fatal(err)
	}
	n := result.Network
	// Three clouds and an on-premises cluster: four parties, so that no party holds
	// more than f validators (partyValidatorLimit "faultTolerance").
	if got := len(n.Parties); got != 4 {
		t.Errorf("parties = %d, want 4", got)
	}
	providers := map[string]bool{}
	for _, c := range n.Clusters {
		providers[c.Provider] = true
		if c.GitOps.Mode != "arc" || c.GitOps.Arc == nil {
			t.Errorf("cluster %s is not Arc-enabled", c.Name)
		}
	}
	for _, p := range []string{"aks", "gke", "eks"} {
		if !providers[p] {
			t.Errorf("no cluster on %s", p)
		}
	}
	validators := 0
	for _, node := range n.Nodes {
		if node.IsValidator() {
			validators++
		}
		if node.Party != n.Clusters[node.Cluster].Party {
			t.Errorf("node %s: party %q, cluster party %q", node.Name, node.Party, n.Clusters[node.Cluster].Party)
		}
	}
	if validators < 4 {
		t.Errorf("validators = %d, want >= 4", validators)
	}
}

// TestBaseNetworkIsValid guards the corpus: each invalid case must fail because of its
// own edit, not because the base it edits is broken.
func TestBaseNetworkIsValid(t *testing.T) {
	for _, base := range []string{"base.cue", "base-fabric.cue"} {
		t.Run(base, func(t *testing.T) {
			dir := testenv.Module(t, map[string]string{"network.cue": readTestdata(t, base)})
			if _, err := load.Network(dir); err != nil {
				t.Fatal(err)
			}
			if out, err := cueVet(t, dir); err != nil {
				t.Fatalf("cue vet: %v\n%s", err, out)
			}
		})
	}
}

var positioned = regexp.MustCompile(`^\S+\.cue:\d+:\d+: `)

// TestInvalidCorpus runs every case under testdata/invalid through flux-ledger's loader
// and the real cue CLI: both must reject it with the expected message. A case named
// fabric-* edits the Fabric base (testdata/base-fabric.cue), any other the Besu one.
func TestInvalidCorpus(t *testing.T) {
	besu, fabric := readBase(t), readTestdata(t, "base-fabric.cue")
	cases, _ := filepath.Glob("testdata/invalid/*.txtar")
	if len(cases) < 25 {
		t.Fatalf("corpus has %d cases, want at least 25", len(cases))
	}
	for _, path := range cases {
		name := strings.TrimSuffix(filepath.Base(path), ".txtar")
		base := besu
		if strings.HasPrefix(name, "fabric-") {
			base = fabric
		}
		t.Run(name, func(t *testing.T) {
			network, wants, explains := applyCase(t, base, path)
			dir := testenv.Module(t, map[string]string{"network.cue": network})

			_, err := load.Network(dir)
			if err == nil {
				t.Fatal("flux-ledger accepted the network")
			}
			if want := lineCount(t, path); want > 0 {
				if got := strings.Count(err.Error(), "\n") + 1; got != want {
					t.Errorf("flux-ledger reported %d lines, want %d (one mistake, one line):\n%s", got, want, err)
				}
			}
			line := matchingLine(err.Error(), explains)
			if line == "" {
				t.Fatalf("no line of the flux-ledger error mentions all of %q:\n%s", explains, err)
			}
			t.Logf("flux-ledger vet: %s", line[strings.LastIndex(line[:strings.Index(line, ".cue:")], "/")+1:])
			if !positioned.MatchString(line) {
				t.Errorf("error line has no file:line:col: %q", line)
			}
			if strings.Contains(line, "/schema/") || strings.Contains(line, "network.checks.") {
				t.Errorf("error line points at the schema's internals, not at the user's value: %q", line)
			}

			out, err := cueVet(t, dir)
			if len(wants) == 0 {
				// A rule CUE cannot express (documented in docs/security.md): cue vet accepts.
				if err != nil {
					t.Fatalf("cue vet rejected a case marked 'cue: accepts': %v\n%s", err, out)
				}
				return
			}
			if err == nil {
				t.Fatal("cue vet accepted the network")
			}
			for _, want := range wants {
				if !strings.Contains(string(out), want) {
					t.Errorf("cue vet output does not mention %q:\n%s", want, out)
				}
			}
		})
	}
}

func TestValidVariants(t *testing.T) {
	cases, _ := filepath.Glob("testdata/valid/*.cue")
	if len(cases) < 3 {
		t.Fatalf("found %d valid variants, want at least 3", len(cases))
	}
	for _, path := range cases {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".cue"), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			dir := testenv.Module(t, map[string]string{"network.cue": string(data)})
			if _, err := load.Network(dir); err != nil {
				t.Fatal(err)
			}
			if out, err := cueVet(t, dir); err != nil {
				t.Fatalf("cue vet: %v\n%s", err, out)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name string
		dir  func(t *testing.T) string
		want string
	}{
		{"missing directory", func(t *testing.T) string { return filepath.Join(t.TempDir(), "nope") }, "no such directory"},
		{"file not directory", func(t *testing.T) string {
			f := filepath.Join(t.TempDir(), "f")
			os.WriteFile(f, nil, 0o644)
			return f
		}, "not a directory"},
		{"no cue.mod", func(t *testing.T) string { return t.TempDir() }, "not a CUE module"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := load.Network(tt.dir(t))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans several lines: %q", err)
			}
		})
	}
}

func readBase(t *testing.T) string {
	t.Helper()
	return readTestdata(t, "base.cue")
}

func readTestdata(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// applyCase edits the base network as the case says: each "old" section, which must
// occur exactly once, becomes the "new" section that follows it. Each "want:" line of
// the case's comment is a fragment the real cue vet's error must contain; each
// "explain:" line one that flux-ledger's must contain (its restatement in the user's
// terms), or, without explain lines, the want lines again.
func applyCase(t *testing.T, base, path string) (network string, wants, explains []string) {
	t.Helper()
	archive, err := txtar.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(archive.Comment), "\n") {
		if want, ok := strings.CutPrefix(line, "want: "); ok {
			wants = append(wants, want)
		}
		if explain, ok := strings.CutPrefix(line, "explain: "); ok {
			explains = append(explains, explain)
		}
	}
	if len(explains) == 0 {
		explains = wants
	}
	if len(wants) == 0 && !cueAccepts(archive.Comment) {
		t.Fatal("case has no want: line (or 'cue: accepts' for a rule only flux-ledger enforces)")
	}
	files := archive.Files
	if len(files)%2 != 0 {
		t.Fatal("case needs old/new pairs")
	}
	for i := 0; i < len(files); i += 2 {
		if files[i].Name != "old" || files[i+1].Name != "new" {
			t.Fatalf("sections %q,%q: want old,new", files[i].Name, files[i+1].Name)
		}
		old := strings.TrimSuffix(string(files[i].Data), "\n")
		if n := strings.Count(base, old); n != 1 {
			t.Fatalf("old section occurs %d times in the base network:\n%s", n, old)
		}
		base = strings.Replace(base, old, strings.TrimSuffix(string(files[i+1].Data), "\n"), 1)
	}
	return base, wants, explains
}

// lineCount is the case's "lines: N", the number of lines flux-ledger's error must
// have (0: not checked).
func lineCount(t *testing.T, path string) int {
	t.Helper()
	archive, err := txtar.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(archive.Comment), "\n") {
		if n, ok := strings.CutPrefix(line, "lines: "); ok {
			count, err := strconv.Atoi(n)
			if err != nil {
				t.Fatalf("lines: %v", err)
			}
			return count
		}
	}
	return 0
}

func cueAccepts(comment []byte) bool {
	return slices.Contains(strings.Split(string(comment), "\n"), "cue: accepts")
}

// matchingLine returns the first line of text that contains every fragment.
func matchingLine(text string, fragments []string) string {
lines:
	for _, line := range strings.Split(text, "\n") {
		for _, f := range fragments {
			if !strings.Contains(line, f) {
				continue lines
			}
		}
		return line
	}
	return ""
}

// cueVet runs the real cue CLI as docs/network-model.md tells users to: on the whole module.
func cueVet(t *testing.T, dir string) ([]byte, error) {
	t.Helper()
	return runCue(t, dir, "vet", "-c", "./...")
}

func runCue(t *testing.T, dir string, args ...string) ([]byte, error) {
	t.Helper()
	cmd := exec.Command(testenv.Tool(t, "cue"), args...)
	cmd.Dir = dir
	return cmd.CombinedOutput()
}
