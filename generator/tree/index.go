package tree

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// IndexName is the file, in each generator-owned unit directory (parties/<party>,
// clusters/<cluster>, policies, …; see Unit), that lists every file the generator
// wrote there. It is the generator's proof of authorship: a file in an owned
// directory that no index lists was made by someone else, and generate refuses to
// delete it unless asked to prune. The index is rendered from the desired tree
// alone, so an unchanged network rewrites no byte of it. Its name has no .yaml
// suffix, so neither kustomize nor Flux's generated kustomization reads it.
const IndexName = ".flux-ledger.index"

const indexHeader = "# Files flux-ledger generate wrote in this directory, one per line. generate deletes\n" +
	"# only files listed here; anything else is refused until moved or pruned (--prune).\n"

// Unit is the directory that owns p for indexing and summaries: the first two path
// segments (parties/<party>, clusters/<cluster>), or the first one for a file
// directly inside a top-level directory (policies/x.yaml → policies), or p itself for
// a top-level file.
func Unit(p string) string {
	parts := strings.SplitN(p, "/", 3)
	switch len(parts) {
	case 3:
		return parts[0] + "/" + parts[1]
	case 2:
		return parts[0]
	}
	return p
}

// IsIndex reports whether p is an index file.
func IsIndex(p string) bool { return path.Base(p) == IndexName }

// AddIndexes adds to desired, for each unit directory under an owned directory, the
// index of the files desired holds there.
func AddIndexes(desired Tree, own Ownership) {
	byUnit := map[string][]string{}
	for p := range desired {
		if IsIndex(p) || !own.inDir(p) {
			continue
		}
		unit := Unit(p)
		byUnit[unit] = append(byUnit[unit], strings.TrimPrefix(p, unit+"/"))
	}
	for unit, files := range byUnit {
		sort.Strings(files)
		var b bytes.Buffer
		b.WriteString(indexHeader)
		for _, f := range files {
			b.WriteString(f + "\n")
		}
		desired[path.Join(unit, IndexName)] = b.Bytes()
	}
}

// readIndexes returns every path listed by the index files among existing (paths
// relative to root). Lines that are comments, or that would leave their unit, are
// ignored: an index can only vouch for files inside its own directory.
func readIndexes(root string, existing []string) (map[string]bool, error) {
	listed := map[string]bool{}
	for _, p := range existing {
		if !IsIndex(p) {
			continue
		}
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(p)))
		if err != nil {
			return nil, err
		}
		unit := path.Dir(p)
		sc := bufio.NewScanner(bytes.NewReader(data))
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if line == "" || strings.HasPrefix(line, "#") || checkPath(line) != nil || strings.HasPrefix(line, "../") {
				continue
			}
			listed[path.Join(unit, line)] = true
		}
	}
	return listed, nil
}

// ForeignFilesError lists files in generator-owned directories that the generator did
// not write and would have to delete.
type ForeignFilesError struct {
	Paths []string
}

func (e *ForeignFilesError) Error() string {
	return fmt.Sprintf("%s: not written by flux-ledger (no %s lists it) but inside a generator-owned directory; move it elsewhere, or run generate --prune to delete it",
		strings.Join(e.Paths, ", "), IndexName)
}

// SymlinkError is a symbolic link where the generator writes: following it would write
// or delete outside the repository, deleting it would lose what it points to.
type SymlinkError struct {
	Path string
}

func (e *SymlinkError) Error() string {
	return fmt.Sprintf("%s: symbolic link inside a generator-owned path; flux-ledger never writes through links: replace it with the directory or file itself", e.Path)
}

// CheckNoSymlink fails when any existing component of rel (a clean relative path)
// below root is a symbolic link. Writers outside Diff (flux-ledger keys) call it
// before each write.
func CheckNoSymlink(root, rel string) error {
	if err := checkPath(rel); err != nil {
		return err
	}
	cur := root
	for _, part := range strings.Split(rel, "/") {
		cur = filepath.Join(cur, part)
		info, err := os.Lstat(cur)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if info.Mode()&fs.ModeSymlink != 0 {
			r, _ := filepath.Rel(root, cur)
			return &SymlinkError{Path: filepath.ToSlash(r)}
		}
	}
	return nil
}

// CheckPath fails unless p is a clean, relative, slash-separated path that stays below
// its root: the one rule every writer applies to a path built from input.
func CheckPath(p string) error { return checkPath(p) }
