package generator_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/flux-ledger/flux-ledger/generator"
	"github.com/flux-ledger/flux-ledger/generator/keys"
	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/render"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
	"github.com/flux-ledger/flux-ledger/generator/tree"
)

// A child process started by TestCrashLeavesEachFileOldOrNew: it generates and exits.
func TestMain(m *testing.M) {
	if repo := os.Getenv("FLUX_LEDGER_GENERATE_CHILD"); repo != "" {
		if _, err := generator.Generate(generator.Options{Repo: repo}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// newRepo builds a temporary repository for the base network with identities for every
// node, sealed to fresh age keys.
func newRepo(t *testing.T) string {
	t.Helper()
	alpha, _ := testenv.AgeKey(t)
	beta, _ := testenv.AgeKey(t)
	repo := testenv.Repo(t, testenv.BaseNetwork(t, alpha.Recipient().String(), beta.Recipient().String()))
	initKeys(t, repo)
	return repo
}

func initKeys(t *testing.T, repo string) {
	t.Helper()
	for _, party := range []string{"alpha", "beta"} {
		if _, err := keys.Init(repo, keys.InitOptions{Party: party}); err != nil {
			t.Fatal(err)
		}
	}
}

func generate(t *testing.T, repo string) *generator.Report {
	t.Helper()
	report, err := generator.Generate(generator.Options{Repo: repo})
	if err != nil {
		t.Fatal(err)
	}
	return report
}

func changedPaths(report *generator.Report) []string {
	var paths []string
	for _, c := range report.Changes {
		paths = append(paths, string(c.Action)+" "+c.Path)
	}
	return paths
}

// TestCommittedTreeIsUpToDate is the golden test of the reference network: the
// committed parties/, clusters/ and .sops.yaml must be exactly what generate renders.
func TestCommittedTreeIsUpToDate(t *testing.T) {
	report, err := generator.Generate(generator.Options{Repo: testenv.RepoRoot(t), Check: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(report.Changes) > 0 {
		t.Fatalf("committed tree is out of date (run make generate): %v", changedPaths(report))
	}
}

// TestEveryDirectoryBuildsWithKustomize builds, with krusty (the library behind kubectl
// kustomize, with its default root-only file loading), what each cluster reconciles:
// its party's directory for that cluster and its entry point.
func TestEveryDirectoryBuildsWithKustomize(t *testing.T) {
	for _, variant := range []string{"reference", "one-party-two-clouds"} {
		t.Run(variant, func(t *testing.T) {
			root := testenv.RepoRoot(t)
			if variant != "reference" {
				root = newVariantRepo(t, variant)
			}
			result, err := load.Network(filepath.Join(root, "cue"))
			if err != nil {
				t.Fatal(err)
			}
			network := result.Network
			k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
			statefulSets := map[string]int{}
			for _, name := range network.ClusterNames() {
				cluster := network.Clusters[name]
				party := network.Parties[cluster.Party]
				dir := filepath.Join(root, "parties", party.Name, "clusters", name)
				resources, err := k.Run(filesys.MakeFsOnDisk(), dir)
				if err != nil {
					t.Fatalf("kustomize build %s: %v", dir, err)
				}
				for _, r := range resources.Resources() {
					if ns := r.GetNamespace(); ns != party.Namespace {
						t.Errorf("%s: %s/%s in namespace %q", dir, r.GetKind(), r.GetName(), ns)
					}
					if r.GetKind() == "StatefulSet" {
						statefulSets[r.GetName()]++
						if network.Nodes[r.GetName()].Cluster != name {
							t.Errorf("%s: runs node %s of cluster %s", dir, r.GetName(), network.Nodes[r.GetName()].Cluster)
						}
					}
				}
				// Before flux bootstrap ran, too: a plain-Flux entry point lists
				// bootstrap's files, which the generator seeds as empty placeholders.
				if _, err := k.Run(filesys.MakeFsOnDisk(), filepath.Join(root, "clusters", name)); err != nil {
					t.Errorf("kustomize build clusters/%s: %v", name, err)
				}
			}
			for _, node := range network.NodeNames() {
				if statefulSets[node] != 1 {
					t.Errorf("node %s runs in %d clusters, want exactly 1", node, statefulSets[node])
				}
			}
		})
	}
}

// newVariantRepo generates a repository for one of the load tests' valid variants,
// with fresh age keys for its parties.
func newVariantRepo(t *testing.T, variant string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testenv.RepoRoot(t), "generator", "load", "testdata", "valid", variant+".cue"))
	if err != nil {
		t.Fatal(err)
	}
	network := string(data)
	result, err := load.Network(testenv.Module(t, map[string]string{"network.cue": network}))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range result.Network.Parties {
		for _, r := range p.Recipients {
			id, _ := testenv.AgeKey(t)
			network = strings.ReplaceAll(network, r, id.Recipient().String())
		}
	}
	repo := testenv.Repo(t, network)
	for _, p := range result.Network.PartyNames() {
		if _, err := keys.Init(repo, keys.InitOptions{Party: p}); err != nil {
			t.Fatal(err)
		}
	}
	generate(t, repo)
	return repo
}

func TestRegenerateWritesNothing(t *testing.T) {
	repo := newRepo(t)
	if first := generate(t, repo); len(first.Changes) == 0 {
		t.Fatal("first generate wrote nothing")
	}
	before := snapshot(t, repo)
	time.Sleep(10 * time.Millisecond) // a rewrite would show as a newer mtime
	if again := generate(t, repo); len(again.Changes) != 0 {
		t.Fatalf("second generate changed %v", changedPaths(again))
	}
	after := snapshot(t, repo)
	for p, s := range before {
		if after[p] != s {
			t.Errorf("%s rewritten", p)
		}
	}
}

// TestRenderIsDeterministic renders the same network repeatedly (Go randomises map
// order on every iteration) and requires identical bytes.
func TestRenderIsDeterministic(t *testing.T) {
	repo := newRepo(t)
	first := renderRepo(t, repo)
	for i := 0; i < 5; i++ {
		again := renderRepo(t, repo)
		if !slices.Equal(first.Paths(), again.Paths()) {
			t.Fatal("paths differ between renders")
		}
		for p, data := range first {
			if string(again[p]) != string(data) {
				t.Fatalf("%s differs between renders", p)
			}
		}
	}
}

func TestAddingAMemberTouchesOnlyItsFilesAndPeerLists(t *testing.T) {
	repo := newRepo(t)
	generate(t, repo)
	testenv.EditNetwork(t, repo, `"beta-v2": {`, `"beta-m1": {role: "member", cluster: "beta-onprem", image: "docker.io/hyperledger/besu:24.12.2", ports: p2p: 30305}
		"beta-v2": {`)
	if _, err := keys.Init(repo, keys.InitOptions{Party: "beta"}); err != nil {
		t.Fatal(err)
	}
	got := changedPaths(generate(t, repo))
	want := []string{
		"change clusters/beta-onprem/sync.yaml", // health checks
		"change parties/alpha/shared/peers.yaml",
		"change parties/beta/clusters/beta-onprem/kustomization.yaml",
		"add parties/beta/nodes/beta-m1/kustomization.yaml",
		"add parties/beta/nodes/beta-m1/node.yaml",
		"change parties/beta/secrets/kustomization.yaml",
		"change parties/beta/shared/peers.yaml",
	}
	if !slices.Equal(got, want) {
		t.Errorf("changes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// Removing it again prunes its files and restores the peer lists.
	testenv.EditNetwork(t, repo, `"beta-m1": {role: "member", cluster: "beta-onprem", image: "docker.io/hyperledger/besu:24.12.2", ports: p2p: 30305}
`, "")
	os.Remove(filepath.Join(repo, "cue", "identities", "beta-m1.cue"))
	report := generate(t, repo)
	removed := 0
	for _, c := range report.Changes {
		if c.Action == tree.Remove {
			removed++
		}
	}
	if removed != 2 || len(report.Orphans) != 1 {
		t.Errorf("removal: changes %v, orphans %v", changedPaths(report), report.Orphans)
	}
	if _, err := os.Stat(filepath.Join(repo, "parties/beta/nodes/beta-m1")); !errors.Is(err, os.ErrNotExist) {
		t.Error("empty node directory left behind")
	}
}

func TestChangingOneNodeTouchesOnlyItsStatefulSet(t *testing.T) {
	repo := newRepo(t)
	generate(t, repo)
	testenv.EditNetwork(t, repo, `"alpha-rpc": {role: "rpc",`, `"alpha-rpc": {resources: limits: memory: "8Gi", role: "rpc",`)
	got := changedPaths(generate(t, repo))
	if want := []string{"change parties/alpha/nodes/alpha-rpc/node.yaml"}; !slices.Equal(got, want) {
		t.Errorf("changes %v, want %v", got, want)
	}
}

func TestMissingIdentityNamesTheCommand(t *testing.T) {
	alpha, _ := testenv.AgeKey(t)
	beta, _ := testenv.AgeKey(t)
	repo := testenv.Repo(t, testenv.BaseNetwork(t, alpha.Recipient().String(), beta.Recipient().String()))
	if _, err := keys.Init(repo, keys.InitOptions{Party: "alpha"}); err != nil {
		t.Fatal(err)
	}
	_, err := generator.Generate(generator.Options{Repo: repo})
	want := "nodes without identity: beta-v1, beta-v2; run: flux-ledger keys init --party beta"
	if err == nil || err.Error() != want {
		t.Fatalf("error = %v, want %q", err, want)
	}
	if _, err := os.Stat(filepath.Join(repo, "parties", "alpha", "shared", "kustomization.yaml")); err == nil {
		t.Error("a failed generate wrote files")
	}
}

func TestConcurrentGenerateFailsClearly(t *testing.T) {
	repo := newRepo(t)
	unlock, err := tree.Lock(repo, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	_, err = generator.Generate(generator.Options{Repo: repo, LockTimeout: 200 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "another flux-ledger is writing this repository") {
		t.Fatalf("error = %v", err)
	}
}

// TestCrashLeavesEachFileOldOrNew kills generate at random instants while it rewrites
// most of the tree, then checks every file is either its old or its new version, and
// that a rerun converges to exactly the new tree.
func TestCrashLeavesEachFileOldOrNew(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns many processes")
	}
	base := newRepo(t)
	generate(t, base)
	// A new network name relabels every object: every rendered file changes.
	data, _ := os.ReadFile(filepath.Join(base, "cue", "network.cue"))
	edited := strings.Replace(string(data), `name:     "testnet"`, `name:     "testnet2"`, 1)
	os.WriteFile(filepath.Join(base, "cue", "network.cue"), []byte(edited), 0o644)
	oldTree := snapshot(t, base)
	newTree := renderRepo(t, base)

	child := func(repo string) *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "FLUX_LEDGER_GENERATE_CHILD="+repo)
		return cmd
	}
	// Time one complete run, so the kills land across the whole of a run, mostly late,
	// where the writes are.
	calibration := t.TempDir()
	testenv.CopyDir(t, base, calibration)
	start := time.Now()
	if out, err := child(calibration).CombinedOutput(); err != nil {
		t.Fatalf("child generate: %v\n%s", err, out)
	}
	full := time.Since(start)

	const runs = 25
	killedMidway := 0
	for i := 0; i < runs; i++ {
		repo := t.TempDir()
		testenv.CopyDir(t, base, repo)
		cmd := child(repo)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(full/3 + time.Duration(rand.Int64N(int64(full*2/3))))
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()

		now := snapshot(t, repo)
		mixed := false
		for p, content := range now {
			if strings.Contains(p, ".flux-ledger-") {
				continue // an interrupted temp file: never a target path, removed by the next run
			}
			oldContent, inOld := oldTree[p]
			newContent, inNew := newTree[p]
			if !(inOld && content == oldContent) && !(inNew && content == string(newContent)) {
				t.Fatalf("run %d: %s is neither its old nor its new version", i, p)
			}
			if inOld && inNew && oldContent != string(newContent) && content == string(newContent) {
				mixed = true
			}
		}
		for p := range oldTree {
			if _, ok := now[p]; !ok {
				if _, inNew := newTree[p]; inNew {
					t.Fatalf("run %d: %s disappeared", i, p)
				}
			}
		}
		if mixed {
			killedMidway++
		}
		generate(t, repo)
		final := snapshot(t, repo)
		for p, want := range newTree {
			if final[p] != string(want) {
				t.Fatalf("run %d: rerun did not converge on %s", i, p)
			}
		}
		for p := range final {
			if strings.Contains(p, ".flux-ledger-") && !strings.HasSuffix(p, tree.LockFile) {
				t.Fatalf("run %d: temp file %s survived the rerun", i, p)
			}
		}
	}
	t.Logf("a full run takes %s; %d of %d runs were killed after writing some but not all files", full, killedMidway, runs)
	if killedMidway == 0 {
		t.Fatal("no run was killed in the middle of writing: the kills proved nothing")
	}
}

// snapshot reads every file under root except the repository lock.
func snapshot(t *testing.T, root string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || d.Name() == tree.LockFile {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		files[filepath.ToSlash(rel)] = string(data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// renderRepo renders the repository's network in memory.
func renderRepo(tb testing.TB, repo string) tree.Tree {
	tb.Helper()
	result, err := load.Network(filepath.Join(repo, "cue"))
	if err != nil {
		tb.Fatal(err)
	}
	rendered, err := render.Render(result.Network)
	if err != nil {
		tb.Fatal(err)
	}
	return rendered
}
