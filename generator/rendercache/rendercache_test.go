package rendercache_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flux-ledger/flux-ledger/generator/keys"
	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render"
	"github.com/flux-ledger/flux-ledger/generator/rendercache"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
	"github.com/flux-ledger/flux-ledger/generator/tree"
)

// written is a 3-party repository holding its full render, its network, and a record
// of that render in cacheDir.
func written(t *testing.T, cacheDir string) (string, *model.Network, int) {
	t.Helper()
	repo := testenv.Repo(t, testenv.Synth(t, 3))
	if _, err := keys.Init(repo, keys.InitOptions{All: true}); err != nil {
		t.Fatal(err)
	}
	result, err := load.Network(filepath.Join(repo, "cue"))
	if err != nil {
		t.Fatal(err)
	}
	cache := rendercache.Open(repo, cacheDir)
	desired, err := cache.Desired(repo, result.Network)
	if err != nil {
		t.Fatal(err)
	}
	changes, err := tree.Diff(repo, desired, render.Ownership, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := tree.Apply(repo, changes); err != nil {
		t.Fatal(err)
	}
	cache.Settle(repo)
	if err := cache.Save(); err != nil {
		t.Fatal(err)
	}
	return repo, result.Network, len(cache.Rendered())
}

func rendered(t *testing.T, repo, cacheDir string, network *model.Network) []string {
	t.Helper()
	cache := rendercache.Open(repo, cacheDir)
	desired, err := cache.Desired(repo, network)
	if err != nil {
		t.Fatal(err)
	}
	full, err := render.Desired(network)
	if err != nil {
		t.Fatal(err)
	}
	// What Desired took from the disk is compared as the disk holds it.
	for p := range desired {
		if cache.Verified(p) {
			data, err := os.ReadFile(filepath.Join(repo, filepath.FromSlash(p)))
			if err != nil {
				t.Fatal(err)
			}
			desired[p] = data
		}
	}
	if changes := tree.Compare(full, desired); len(changes) != 0 {
		t.Fatalf("Desired differs from a full render: %v", changes)
	}
	return cache.Rendered()
}

func TestRecordSkipsOnlyWhatItCanVouchFor(t *testing.T) {
	cacheDir := t.TempDir()
	repo, network, units := written(t, cacheDir)
	if units == 0 {
		t.Fatal("a first render rendered no unit")
	}
	if got := rendered(t, repo, cacheDir, network); len(got) != 0 {
		t.Fatalf("with a record of this very render, %v rendered again", got)
	}
	if got := rendered(t, repo, "off", network); len(got) != units {
		t.Fatalf("with the cache off, %d units rendered, want all %d", len(got), units)
	}
	if got := rendered(t, repo, t.TempDir(), network); len(got) != units {
		t.Fatalf("with no record, %d units rendered, want all %d", len(got), units)
	}

	// A link in place of a file, even to the same bytes, is never taken from the disk.
	peers := filepath.Join(repo, "parties", "p0001", "shared", "peers.yaml")
	data, err := os.ReadFile(peers)
	if err != nil {
		t.Fatal(err)
	}
	copyOf := filepath.Join(t.TempDir(), "copy.yaml")
	if err := os.WriteFile(copyOf, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(peers); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(copyOf, peers); err != nil {
		t.Fatal(err)
	}
	if got := rendered(t, repo, cacheDir, network); len(got) != 1 || got[0] != "parties/p0001" {
		t.Fatalf("a file replaced by a link: rendered %v again, want parties/p0001", got)
	}
}

func TestUnreadableRecordIsAnEmptyOne(t *testing.T) {
	cacheDir := t.TempDir()
	repo, network, units := written(t, cacheDir)
	records, err := filepath.Glob(filepath.Join(cacheDir, "*.json"))
	if err != nil || len(records) != 1 {
		t.Fatalf("records in the cache directory: %v, %v", records, err)
	}
	if err := os.WriteFile(records[0], []byte(`{"build": `), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := rendered(t, repo, cacheDir, network); len(got) != units {
		t.Fatalf("with a torn record, %d units rendered, want all %d", len(got), units)
	}
}

func TestOldestRecordsAreTrimmed(t *testing.T) {
	cacheDir := t.TempDir()
	stranger := filepath.Join(cacheDir, "notes.txt")
	if err := os.WriteFile(stranger, []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	for i := range 40 {
		name := filepath.Join(cacheDir, fmt.Sprintf("%032x.json", i))
		if err := os.WriteFile(name, []byte("{}"), 0o600); err != nil {
			t.Fatal(err)
		}
		old := time.Unix(int64(1_000_000+i), 0)
		if err := os.Chtimes(name, old, old); err != nil {
			t.Fatal(err)
		}
	}
	written(t, cacheDir) // saves a 41st record, the newest
	records, _ := filepath.Glob(filepath.Join(cacheDir, "*.json"))
	if len(records) != 32 {
		t.Fatalf("%d records kept, want 32", len(records))
	}
	for i := range 9 {
		if _, err := os.Stat(filepath.Join(cacheDir, fmt.Sprintf("%032x.json", i))); err == nil {
			t.Errorf("record %d, among the 9 oldest, was kept", i)
		}
	}
	if _, err := os.Stat(stranger); err != nil {
		t.Errorf("a file that is not a record was removed: %v", err)
	}
}

// corruptDigest changes, in cacheDir's only record, the digest recorded for one file
// of unit, leaving its fingerprint: only a run that reads the file can notice.
func corruptDigest(t *testing.T, cacheDir, unit, file string) {
	t.Helper()
	records, _ := filepath.Glob(filepath.Join(cacheDir, "*.json"))
	if len(records) != 1 {
		t.Fatalf("records: %v", records)
	}
	data, err := os.ReadFile(records[0])
	if err != nil {
		t.Fatal(err)
	}
	var record struct {
		Build string `json:"build"`
		Units map[string]struct {
			Key   string                    `json:"key"`
			Files map[string]map[string]any `json:"files"`
		} `json:"units"`
	}
	decoder := json.NewDecoder(bytes.NewReader(data))
	decoder.UseNumber() // nanosecond times do not survive a float64
	if err := decoder.Decode(&record); err != nil {
		t.Fatal(err)
	}
	entry := record.Units[unit].Files[file]
	if entry == nil || entry["seen"] == nil {
		t.Fatalf("%s/%s has no fingerprint in the record: %v", unit, file, entry)
	}
	entry["sha256"] = strings.Repeat("0", 64)
	if data, err = json.Marshal(record); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(records[0], data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// recordWritten sets when cacheDir's only record says it was written.
func recordWritten(t *testing.T, cacheDir string, when time.Time) {
	t.Helper()
	records, _ := filepath.Glob(filepath.Join(cacheDir, "*.json"))
	if len(records) != 1 {
		t.Fatalf("records: %v", records)
	}
	if err := os.Chtimes(records[0], when, when); err != nil {
		t.Fatal(err)
	}
}

// A file whose fingerprint is unchanged, and which last changed before the record
// was written, is not read: with its recorded digest made wrong, its unit is still
// taken from the disk. A file changed in the record's own clock tick or after is
// read (git's racily clean entries), and a change of content that keeps the size
// and the modification time still changes the inode's ctime.
func TestFingerprintsSpareReadingOnlyWhatTheyCanVouchFor(t *testing.T) {
	cacheDir := t.TempDir()
	repo, network, _ := written(t, cacheDir)
	corruptDigest(t, cacheDir, "parties/p0001", "shared/peers.yaml")
	recordWritten(t, cacheDir, time.Now().Add(time.Hour))
	if got := rendered(t, repo, cacheDir, network); len(got) != 0 {
		t.Fatalf("with every fingerprint unchanged, %v rendered again: a file was read", got)
	}
	recordWritten(t, cacheDir, time.Now().Add(-time.Hour))
	if got := rendered(t, repo, cacheDir, network); len(got) != 1 || got[0] != "parties/p0001" {
		t.Fatalf("with a record older than the files, rendered %v again, want parties/p0001, whose file no longer matches the record", got)
	}

	cacheDir = t.TempDir()
	repo, network, _ = written(t, cacheDir)
	recordWritten(t, cacheDir, time.Now().Add(time.Hour))
	peers := filepath.Join(repo, "parties", "p0002", "shared", "peers.yaml")
	info, err := os.Stat(peers)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(peers)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)-2] ^= 0x20 // same size, other bytes
	if err := os.WriteFile(peers, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(peers, info.ModTime(), info.ModTime()); err != nil {
		t.Fatal(err)
	}
	if got := rendered(t, repo, cacheDir, network); len(got) != 1 || got[0] != "parties/p0002" {
		t.Fatalf("a file rewritten with its size and mtime kept: rendered %v again, want parties/p0002", got)
	}
}

// A sealed file's recipients are parsed once for its bytes: the next run takes them
// from the record, a file with other bytes is parsed again, the record forgets the
// files no run checks any more, and a disabled cache parses every time.
func TestSealedRecipientsParseOnlyNewBytes(t *testing.T) {
	repo, cacheDir := t.TempDir(), t.TempDir()
	parsed := 0
	parse := func(data []byte) ([]string, error) {
		parsed++
		return []string{"age1" + string(data)}, nil
	}
	run := func(dir string, files ...string) []string {
		t.Helper()
		cache := rendercache.Open(repo, dir)
		var got []string
		for _, f := range files {
			r, err := cache.SealedRecipients([]byte(f), parse)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, r...)
		}
		if err := cache.Save(); err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got := run(cacheDir, "a", "b"); !slices.Equal(got, []string{"age1a", "age1b"}) || parsed != 2 {
		t.Fatalf("first run: %v, %d parsed", got, parsed)
	}
	if got := run(cacheDir, "a", "b"); !slices.Equal(got, []string{"age1a", "age1b"}) || parsed != 2 {
		t.Fatalf("same bytes: %v, %d parsed, want none parsed again", got, parsed)
	}
	if got := run(cacheDir, "a", "c"); !slices.Equal(got, []string{"age1a", "age1c"}) || parsed != 3 {
		t.Fatalf("one file changed: %v, %d parsed, want it alone parsed", got, parsed)
	}
	run(cacheDir, "a")
	if run(cacheDir, "b"); parsed != 4 {
		t.Fatalf("a file no run checked since: %d parsed, want it parsed again", parsed)
	}
	parsed = 0
	run("off", "a")
	if run("off", "a"); parsed != 2 {
		t.Fatalf("cache off: %d parsed, want every time", parsed)
	}
	// A failure is the parser's, and nothing is remembered of it.
	cache := rendercache.Open(repo, cacheDir)
	if _, err := cache.SealedRecipients([]byte("bad"), func([]byte) ([]string, error) { return nil, errors.New("not a SOPS-encrypted file") }); err == nil {
		t.Fatal("a parse error was swallowed")
	}
}

// A no-op run, every file taken on its fingerprint, leaves the record as it was:
// Settle does not fingerprint those files again, so it has nothing to save. And a
// file changed after its fingerprint vouched for it (after Desired, or after
// Prefetch took the fingerprints ahead) is not vouched for by a fingerprint taken
// later: the next run reads it and renders its unit again. Before, Settle took every
// file's fingerprint again, and blessed such a change.
func TestSettleVouchesOnlyForWhatWasChecked(t *testing.T) {
	for _, ahead := range []bool{false, true} {
		t.Run(fmt.Sprintf("prefetch=%v", ahead), func(t *testing.T) {
			cacheDir := t.TempDir()
			repo, network, _ := written(t, cacheDir)
			recordWritten(t, cacheDir, time.Now().Add(time.Hour)) // every file older than the record
			records, _ := filepath.Glob(filepath.Join(cacheDir, "*.json"))
			before, err := os.ReadFile(records[0])
			if err != nil {
				t.Fatal(err)
			}
			peers := filepath.Join(repo, "parties", "p0001", "shared", "peers.yaml")
			data, err := os.ReadFile(peers)
			if err != nil {
				t.Fatal(err)
			}
			byHand := func() {
				if err := os.WriteFile(peers, append(data, "# by hand\n"...), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			cache := rendercache.Open(repo, cacheDir)
			if ahead {
				cache.Prefetch(repo)
				byHand()
			}
			if _, err := cache.Desired(repo, network); err != nil {
				t.Fatal(err)
			}
			if got := cache.Rendered(); len(got) != 0 {
				t.Fatalf("with every fingerprint taken before the change, %v rendered", got)
			}
			if !ahead {
				byHand()
			}
			cache.Settle(repo)
			if err := cache.Save(); err != nil {
				t.Fatal(err)
			}
			after, err := os.ReadFile(records[0])
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(before, after) {
				t.Error("a run that took every file on its fingerprint rewrote the record")
			}
			if got := rendered(t, repo, cacheDir, network); len(got) != 1 || got[0] != "parties/p0001" {
				t.Fatalf("the run after a change its fingerprints missed: rendered %v, want parties/p0001", got)
			}
		})
	}
}
