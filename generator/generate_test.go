package generator_test

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/flux-ledger/flux-ledger/generator"
	"github.com/flux-ledger/flux-ledger/generator/keys"
	"github.com/flux-ledger/flux-ledger/generator/launch"
	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
	"github.com/flux-ledger/flux-ledger/generator/tree"
)

// A child process started by TestCrashLeavesEachFileOldOrNew: it generates and exits,
// or, asked to stop at checkpoint k, announces the k-th filesystem change on stdout and
// waits there to be killed.
func TestMain(m *testing.M) {
	if repo := os.Getenv("FLUX_LEDGER_GENERATE_CHILD"); repo != "" {
		stopAt, _ := strconv.Atoi(os.Getenv("FLUX_LEDGER_STOP_AT_CHECKPOINT"))
		reached := 0
		tree.Checkpoint = func(op, path string) {
			reached++
			if reached == stopAt {
				fmt.Printf("stopped at checkpoint %d: %s %s\n", reached, op, path)
				select {} // the parent kills this process here
			}
		}
		if _, err := generator.Generate(generator.Options{Repo: repo}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Printf("checkpoints: %d\n", reached)
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
	return newRepoOf(t, string(data))
}

// newFabricRepo is the Fabric reference network (examples/fabric) with its keys,
// launched and generated: its channel Jobs are rendered only once the genesis block
// is frozen.
func newFabricRepo(t *testing.T) string {
	t.Helper()
	repo := newRepoOf(t, testenv.FabricExample(t))
	if _, err := launch.Launch(repo); err != nil {
		t.Fatal(err)
	}
	generate(t, repo)
	return repo
}

// newRepoOf builds a repository of network with fresh age recipients, every party's
// keys, generated.
func newRepoOf(t *testing.T, network string) string {
	t.Helper()
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
	before, inodesBefore := snapshot(t, repo), inodes(t, repo)
	if again := generate(t, repo); len(again.Changes) != 0 {
		t.Fatalf("second generate changed %v", changedPaths(again))
	}
	after, inodesAfter := snapshot(t, repo), inodes(t, repo)
	for p, s := range before {
		if after[p] != s {
			t.Errorf("%s changed", p)
		}
		// Every write replaces a file by rename, so even a rewrite of identical bytes
		// would give the path a new inode (a clock-free check: mtimes can tie).
		if inodesAfter[p] != inodesBefore[p] {
			t.Errorf("%s rewritten with identical bytes", p)
		}
	}
}

// inodes maps every file under root to its inode number.
func inodes(t *testing.T, root string) map[string]uint64 {
	t.Helper()
	out := map[string]uint64{}
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		out[filepath.ToSlash(rel)] = info.Sys().(*syscall.Stat_t).Ino
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
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
		"change parties/beta/.flux-ledger.index", // lists the new node's files
		"change parties/beta/clusters/beta-onprem/kustomization.yaml",
		"change parties/beta/clusters/beta-onprem/p2p-gateway.yaml", // the gateway's port list
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

// TestCrashLeavesEachFileOldOrNew kills a real generate process at every filesystem
// change it makes while rewriting most of the tree (staging each file, renaming each
// over its target, removing each stale file), then checks that every file is either
// its old or its new version, and that a rerun converges to exactly the new tree and
// leaves no temporary file. The kill points are chosen, not timed: the child stops at
// checkpoint k (tree.Checkpoint) and says so, and only then is it sent SIGKILL.
func TestCrashLeavesEachFileOldOrNew(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a process per checkpoint")
	}
	base := newRepo(t)
	generate(t, base)
	// A new network name relabels every object, so every rendered file changes, and
	// a removed node leaves files to delete.
	testenv.EditNetwork(t, base, `name:     "testnet"`, `name:     "testnet2"`)
	testenv.EditNetwork(t, base, `"alpha-rpc": {role: "rpc", cluster: "alpha-aks", image: "docker.io/hyperledger/besu:24.12.2"}`, ``)
	if err := os.Remove(filepath.Join(base, "cue", "identities", "alpha-rpc.cue")); err != nil {
		t.Fatal(err)
	}
	oldTree := snapshot(t, base)
	newTree := renderRepo(t, base)

	// One undisturbed run counts the checkpoints of the whole rewrite.
	calibration := t.TempDir()
	testenv.CopyDir(t, base, calibration)
	out, err := crashChild(calibration, 0).Output()
	if err != nil {
		t.Fatalf("child generate: %v\n%s", err, out)
	}
	var total int
	if _, err := fmt.Sscanf(string(out), "checkpoints: %d", &total); err != nil || total < 3 {
		t.Fatalf("child reported %q: expected a count of checkpoints", out)
	}
	var removals int
	for p := range oldTree {
		if _, ok := newTree[p]; !ok && strings.HasPrefix(p, "parties/") && !strings.Contains(p, "/secrets/") {
			removals++
		}
	}
	if removals == 0 {
		t.Fatal("the edit removes no generated file: the remove checkpoints would go untested")
	}

	changedSeen := 0
	for k := 1; k <= total; k++ {
		repo := t.TempDir()
		testenv.CopyDir(t, base, repo)
		at := stopChildAt(t, repo, k)

		now := snapshot(t, repo)
		for p, content := range now {
			if strings.Contains(p, ".flux-ledger-") {
				continue // an interrupted temp file: never a target path, removed by the next run
			}
			oldContent, inOld := oldTree[p]
			newContent, inNew := newTree[p]
			if !(inOld && content == oldContent) && !(inNew && content == string(newContent)) {
				t.Fatalf("killed at %s: %s is neither its old nor its new version", at, p)
			}
			if inOld && inNew && oldContent != string(newContent) && content == string(newContent) {
				changedSeen++
			}
		}
		for p := range oldTree {
			if _, ok := now[p]; !ok {
				if _, inNew := newTree[p]; inNew {
					t.Fatalf("killed at %s: %s disappeared", at, p)
				}
			}
		}
		generate(t, repo)
		final := snapshot(t, repo)
		for p, want := range newTree {
			if final[p] != string(want) {
				t.Fatalf("killed at %s: rerun did not converge on %s", at, p)
			}
		}
		for p := range final {
			if strings.Contains(p, ".flux-ledger-") {
				t.Fatalf("killed at %s: temp file %s survived the rerun", at, p)
			}
		}
	}
	t.Logf("killed generate at each of its %d checkpoints (%d removals); files found already new at a kill: %d", total, removals, changedSeen)
	if changedSeen == 0 {
		t.Fatal("no kill landed after a rename: the checkpoints do not cover the writes")
	}
}

// crashChild runs this test binary as a generate process on repo that stops at
// checkpoint stopAt (0: never).
func crashChild(repo string, stopAt int) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(),
		"FLUX_LEDGER_GENERATE_CHILD="+repo,
		"FLUX_LEDGER_STOP_AT_CHECKPOINT="+strconv.Itoa(stopAt))
	cmd.Stderr = os.Stderr
	return cmd
}

// stopChildAt starts a generate process on repo, waits until it reports that it stands
// at checkpoint k, kills it with SIGKILL and returns what it reported.
func stopChildAt(t *testing.T, repo string, k int) string {
	t.Helper()
	cmd := crashChild(repo, k)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, readErr := bufio.NewReader(stdout).ReadString('\n')
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if readErr != nil || !strings.HasPrefix(line, "stopped at checkpoint ") {
		t.Fatalf("checkpoint %d: the child did not stop there (it said %q, %v)", k, line, readErr)
	}
	return strings.TrimSpace(strings.TrimPrefix(line, "stopped at "))
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

// renderRepo renders the repository's network in memory: every file generate writes.
func renderRepo(tb testing.TB, repo string) tree.Tree {
	tb.Helper()
	result, err := load.Network(filepath.Join(repo, "cue"))
	if err != nil {
		tb.Fatal(err)
	}
	rendered, err := generator.Desired(result.Network)
	if err != nil {
		tb.Fatal(err)
	}
	return rendered
}
