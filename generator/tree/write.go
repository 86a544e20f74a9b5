package tree

import (
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// WriteChanged writes the files that differ from the repository's, each atomically,
// under the repository lock, and returns their paths. Commands that write a few
// records beside the generated tree (keys, launch) use it; every path is checked with
// generate's rules first, so nothing is written when one would escape the repository
// or pass through a symlink.
func WriteChanged(repo string, files Tree, lockTimeout time.Duration) ([]string, error) {
	unlock, err := Lock(repo, lockTimeout)
	if err != nil {
		return nil, err
	}
	defer unlock()
	for _, p := range files.Paths() {
		if err := CheckPath(p); err != nil {
			return nil, fmt.Errorf("refusing to write %w", err)
		}
		if err := CheckNoSymlink(repo, p); err != nil {
			return nil, err
		}
	}
	dirs := map[string]bool{}
	for _, p := range files.Paths() {
		dirs[filepath.Dir(filepath.Join(repo, filepath.FromSlash(p)))] = true
	}
	for dir := range dirs {
		if err := RemoveTemps(dir); err != nil {
			return nil, err
		}
	}
	var written []string
	for _, p := range files.Paths() {
		full := filepath.Join(repo, filepath.FromSlash(p))
		if current, err := os.ReadFile(full); err == nil && string(current) == string(files[p]) {
			continue
		}
		if err := WriteFile(full, files[p]); err != nil {
			return nil, err
		}
		written = append(written, p)
	}
	return written, nil
}
