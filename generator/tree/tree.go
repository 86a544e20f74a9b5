// Package tree owns the repository on disk: it compares a desired tree (path → bytes),
// rendered in memory, with what the generator-owned directories hold, and applies only
// the difference. Every file is replaced by rename, so a reader (or a crash) sees each
// file either old or new, never half-written.
package tree

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/flux-ledger/flux-ledger/generator/parallel"
)

// Tree maps slash-separated paths, relative to the repository root, to file contents.
type Tree map[string][]byte

// Paths returns the tree's paths in ascending order.
func (t Tree) Paths() []string {
	paths := make([]string, 0, len(t))
	for p := range t {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	return paths
}

// Action is what happens to one file.
type Action string

const (
	Add    Action = "add"
	Change Action = "change"
	Remove Action = "remove"
)

// Change is one file that differs between the desired tree and the disk.
type FileChange struct {
	Path   string
	Action Action
	Data   []byte // nil for Remove
}

// Ownership says which files the generator may create, rewrite and delete.
type Ownership struct {
	// Dirs are the generator-owned directories (e.g. "parties", "clusters").
	Dirs []string
	// Files are generator-owned files outside those directories (e.g. ".sops.yaml").
	Files []string
	// Keep reports paths inside owned directories that the generator must never delete
	// although it does not render them (each party's secrets/).
	Keep func(path string) bool
}

// Checkpoint, when set, is called after each filesystem change a writer makes: a
// content staged in a temporary file, a rename over a target, a removal. The crash test
// sets it in a real generate process to stop that process at each of these points in
// turn and kill it there; it is nil otherwise.
var Checkpoint func(op, path string)

func checkpoint(op, path string) {
	if Checkpoint != nil {
		// Files are staged in parallel: one call at a time, so that a checkpoint
		// that never returns (the crash test's) holds every other writer at its next.
		checkpointMu.Lock()
		defer checkpointMu.Unlock()
		Checkpoint(op, path)
	}
}

var checkpointMu sync.Mutex

// Diff compares the desired tree with the disk under root and returns the changes,
// sorted by path. Desired paths must lie inside owned directories or be owned files.
// A file on disk that is no longer desired is removed only when an index (IndexName)
// says the generator wrote it, or with prune; any other such file fails the diff with
// a *ForeignFilesError naming it. A symbolic link anywhere in the owned paths fails it
// with a *SymlinkError: nothing is written or deleted through a link.
func Diff(root string, desired Tree, own Ownership, prune bool) ([]FileChange, error) {
	return DiffVerified(root, desired, nil, own, prune)
}

// DiffVerified is Diff for a desired tree some of whose files were read from the disk
// under root and checked against what they must hold (rendercache): verified reports
// those, which are not read again. A nil verified reads every file.
func DiffVerified(root string, desired Tree, verified func(path string) bool, own Ownership, prune bool) ([]FileChange, error) {
	return DiffListed(Scan(root, own), desired, verified, own, prune)
}

// Listing is what Scan found on disk in the owned paths.
type Listing struct {
	root  string
	paths []string
	// temps are the leftovers of interrupted writes found, which DiffListed removes.
	temps []string
	// err stopped the scan (a symbolic link, an unreadable directory).
	err error
}

// Scan lists the files on disk under root in own's paths, which a DiffListed with the
// same root and ownership compares with a desired tree. It changes nothing on disk, and
// keeps its error for DiffListed to return: generate scans while CUE evaluates the
// network, the scan being a tenth of a no-op generate at 300 parties, and what it finds
// must not act before the network is known valid. Nothing but generate, which holds
// the repository's lock from before the scan, writes in the owned paths.
func Scan(root string, own Ownership) *Listing {
	l := &Listing{root: root}
	l.paths, l.temps, l.err = own.scan(root)
	return l
}

// DiffListed is DiffVerified with the disk as listing found it.
func DiffListed(listing *Listing, desired Tree, verified func(path string) bool, own Ownership, prune bool) ([]FileChange, error) {
	root := listing.root
	for p := range desired {
		if err := checkPath(p); err != nil {
			return nil, err
		}
		if !own.Owns(p) {
			return nil, fmt.Errorf("%s: outside the generator-owned paths", p)
		}
	}
	// Links are refused by scan; swapping one in since takes write access to the
	// repository, which is all a link would give.
	for _, full := range listing.temps {
		if err := os.Remove(full); err != nil {
			return nil, err
		}
		checkpoint("remove", full)
	}
	if listing.err != nil {
		return nil, listing.err
	}
	existing := listing.paths
	paths := desired.Paths()
	actions, err := compareWithDisk(root, paths, desired, verified)
	if err != nil {
		return nil, err
	}
	var changes []FileChange
	for i, p := range paths {
		if actions[i] != "" {
			changes = append(changes, FileChange{Path: p, Action: actions[i], Data: desired[p]})
		}
	}
	// Only a file on disk that is not desired needs the indexes: a no-op has none.
	var gone []string
	for _, p := range existing {
		if _, ok := desired[p]; !ok && (own.Keep == nil || !own.Keep(p)) {
			gone = append(gone, p)
		}
	}
	var listed map[string]bool
	if len(gone) > 0 {
		if listed, err = readIndexes(root, existing); err != nil {
			return nil, err
		}
	}
	var foreign []string
	for _, p := range gone {
		if IsIndex(p) || listed[p] || prune {
			changes = append(changes, FileChange{Path: p, Action: Remove})
		} else {
			foreign = append(foreign, p)
		}
	}
	if len(foreign) > 0 {
		sort.Strings(foreign)
		return nil, &ForeignFilesError{Paths: foreign}
	}
	sort.Slice(changes, func(i, j int) bool { return changes[i].Path < changes[j].Path })
	return changes, nil
}

// compareWithDisk says, for each path, whether the desired content is new (Add),
// differs from the file's (Change) or equals it (""). A file whose size differs is
// not read; the others are read into a buffer each worker reuses, not allocated
// per file, and compared. Workers share the paths, one per processor: a no-op
// generate compares every rendered file (about 130 MB at 300 parties) and spent
// most of that time waiting on reads one after another. The first error in path
// order is returned, as a sequential comparison would.
func compareWithDisk(root string, paths []string, desired Tree, verified func(string) bool) ([]Action, error) {
	actions := make([]Action, len(paths))
	errs := make([]error, len(paths))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(paths)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf []byte
			for {
				i := int(next.Add(1) - 1)
				if i >= len(paths) {
					return
				}
				if verified != nil && verified(paths[i]) {
					continue
				}
				actions[i], buf, errs[i] = compareFile(filepath.Join(root, filepath.FromSlash(paths[i])), desired[paths[i]], buf)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return actions, nil
}

// compareFile compares one file with data, reading it into buf (grown as needed
// and returned for the next file).
func compareFile(full string, data, buf []byte) (Action, []byte, error) {
	f, err := os.Open(full)
	if errors.Is(err, fs.ErrNotExist) {
		return Add, buf, nil
	}
	if err != nil {
		return "", buf, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return "", buf, err
	}
	if info.Mode().IsRegular() && info.Size() != int64(len(data)) {
		return Change, buf, nil
	}
	// Read one byte more than data holds, to see a file that grew since Stat (or a
	// non-regular file, which has no meaningful size) as different.
	if cap(buf) < len(data)+1 {
		buf = make([]byte, len(data)+1)
	}
	buf = buf[:len(data)+1]
	n, err := io.ReadFull(f, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return "", buf, err
	}
	if n != len(data) || !bytes.Equal(buf[:n], data) {
		return Change, buf, nil
	}
	return "", buf, nil
}

// Apply writes the changes under root. Every new content first goes to a temporary
// file beside its target; when any target is replaced, one filesystem flush then makes
// them all durable, instead of one fsync per file; only then is each renamed over its
// target, so a reader or a crash at any instant sees each file old or new. Files that
// only appear are not flushed: they have no old version to lose, and one a power cut
// leaves short or empty is at a path the next run wants, which rewrites it (git does
// not flush the files it checks out either). A cold generate at 3,000 parties writes
// 1.1 GB, whose flush alone took 3 to 25 s on a virtual disk. Stale files go after
// the renames, with the directories they leave empty. Index files go last of all: until every
// stale file is gone, the old index still vouches for it, so a run interrupted
// anywhere is finished by the next one instead of refused.
func Apply(root string, changes []FileChange) error {
	var files, indexes []FileChange
	for _, c := range changes {
		if IsIndex(c.Path) {
			indexes = append(indexes, c)
		} else {
			files = append(files, c)
		}
	}
	if err := apply(root, files); err != nil {
		return err
	}
	return apply(root, indexes)
}

func apply(root string, changes []FileChange) error {
	type staged struct {
		path, tmp, target string
		data              []byte
	}
	var pending []staged
	// The files to stage, by directory: two writers creating files in one directory
	// contend for its lock, which the kernel spins on (at 300 Fabric organisations
	// that spinning doubled the CPU time of staging), so each writer stages whole
	// directories.
	byDir := map[string][]int{}
	for _, c := range changes {
		if c.Action != Remove {
			target := filepath.Join(root, filepath.FromSlash(c.Path))
			byDir[filepath.Dir(target)] = append(byDir[filepath.Dir(target)], len(pending))
			pending = append(pending, staged{path: c.Path, target: target, data: c.Data})
		}
	}
	defer func() {
		for _, s := range pending {
			if s.tmp != "" {
				os.Remove(s.tmp) // no-op once renamed
			}
		}
	}()
	dirs := slices.Sorted(maps.Keys(byDir))
	// Each directory is made once, before any file is staged in it.
	for _, dir := range dirs {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	if err := parallel.For(len(dirs), func(d int) error {
		for _, i := range byDir[dirs[d]] {
			tmp, err := writeTemp(pending[i].target, pending[i].data, false)
			if err != nil {
				return err
			}
			pending[i].tmp = tmp
			checkpoint("stage", pending[i].path)
		}
		return nil
	}); err != nil {
		return err
	}
	if slices.ContainsFunc(changes, func(c FileChange) bool { return c.Action == Change }) {
		staged := make([]string, len(pending))
		for i, s := range pending {
			staged[i] = s.tmp
		}
		if err := flush(root, staged); err != nil {
			return err
		}
	}
	for _, s := range pending {
		if err := os.Rename(s.tmp, s.target); err != nil {
			return err
		}
		checkpoint("rename", s.path)
	}
	for _, c := range changes {
		if c.Action != Remove {
			continue
		}
		full := filepath.Join(root, filepath.FromSlash(c.Path))
		if err := os.Remove(full); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		removeEmptyParents(root, filepath.Dir(full))
		checkpoint("remove", c.Path)
	}
	return nil
}

// flush is flushStaged; a test counts its calls.
var flush = flushStaged

// WriteFile replaces a file atomically: write a temporary file in the same directory
// (made if needed), sync it, then rename it over the target.
func WriteFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := writeTemp(path, data, true)
	if err != nil {
		return err
	}
	defer os.Remove(tmp) // no-op once renamed
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	checkpoint("rename", path)
	return nil
}

// writeTemp writes data to a new temporary file in path's directory, optionally
// synced, and returns its name.
func writeTemp(path string, data []byte, sync bool) (string, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".flux-ledger-*.tmp")
	if err != nil {
		return "", err
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return "", err
	}
	if err := tmp.Chmod(0o644); err != nil {
		return "", err
	}
	if sync {
		if err := tmp.Sync(); err != nil {
			return "", err
		}
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	ok = true
	return tmp.Name(), nil
}

// IsTemp reports whether a file name is a writer's temporary file, left behind only
// when a writer was killed between creating and renaming it.
func IsTemp(name string) bool {
	return strings.HasPrefix(name, ".flux-ledger-") && strings.HasSuffix(name, ".tmp")
}

// RemoveTemps removes the temporary files an interrupted writer left in dir (not
// recursively). Writers outside the owned directories (flux-ledger keys writing
// cue/identities and .sops.yaml) call it for each directory they write to.
func RemoveTemps(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Type().IsRegular() && IsTemp(e.Name()) {
			full := filepath.Join(dir, e.Name())
			if err := os.Remove(full); err != nil {
				return err
			}
			checkpoint("remove", full)
		}
	}
	return nil
}

// Owns reports whether the generator may write p (a repository-relative path).
func (o Ownership) Owns(p string) bool {
	for _, f := range o.Files {
		if p == f {
			return true
		}
	}
	return o.inDir(p)
}

// inDir reports whether p lies inside an owned directory.
func (o Ownership) inDir(p string) bool {
	for _, d := range o.Dirs {
		if strings.HasPrefix(p, d+"/") {
			return true
		}
	}
	return false
}

// scan lists the regular files under the owned directories and the owned files that
// exist, and apart the leftovers of interrupted writes (full paths), which it leaves
// for DiffListed to remove. The error is the first that stopped it; what it found
// before is returned with it.
func (o Ownership) scan(root string) (paths, temps []string, err error) {
	for _, f := range o.Files {
		info, err := os.Lstat(filepath.Join(root, f))
		if err == nil && info.Mode()&fs.ModeSymlink != 0 {
			return nil, nil, &SymlinkError{Path: f}
		}
		if err == nil {
			paths = append(paths, f)
		}
	}
	for _, d := range o.Dirs {
		base := filepath.Join(root, d)
		err := filepath.WalkDir(base, func(full string, e fs.DirEntry, err error) error {
			if errors.Is(err, fs.ErrNotExist) && full == base {
				return fs.SkipDir
			}
			if err != nil {
				return err
			}
			if e.Type()&fs.ModeSymlink != 0 {
				rel, _ := filepath.Rel(root, full)
				return &SymlinkError{Path: filepath.ToSlash(rel)}
			}
			if e.IsDir() {
				return nil
			}
			if IsTemp(e.Name()) {
				temps = append(temps, full)
				return nil
			}
			rel, err := filepath.Rel(root, full)
			if err != nil {
				return err
			}
			paths = append(paths, filepath.ToSlash(rel))
			return nil
		})
		if err != nil {
			return nil, temps, err
		}
	}
	return paths, temps, nil
}

func checkPath(p string) error {
	if p == "" || p == "." || path.IsAbs(p) || path.Clean(p) != p || strings.HasPrefix(p, "../") || p == ".." || strings.ContainsAny(p, "\\\x00") {
		return fmt.Errorf("%q: not a clean relative path", p)
	}
	return nil
}

// removeEmptyParents removes dir and its parents while they are empty, up to (not
// including) root. Relative paths (the default --repo is ".") are compared by
// Rel: a prefix test on "." matched nothing, and left every pruned directory behind.
func removeEmptyParents(root, dir string) {
	for {
		rel, err := filepath.Rel(root, dir)
		if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return
		}
		if err := os.Remove(dir); err != nil {
			return
		}
		dir = filepath.Dir(dir)
	}
}
