package tree

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
)

// Compare lists the changes that turn tree old into tree new, sorted by path: the
// in-memory counterpart of Diff, for comparing two renderings.
func Compare(old, new Tree) []FileChange {
	var changes []FileChange
	for _, p := range new.Paths() {
		before, existed := old[p]
		switch {
		case !existed:
			changes = append(changes, FileChange{Path: p, Action: Add, Data: new[p]})
		case !bytes.Equal(before, new[p]):
			changes = append(changes, FileChange{Path: p, Action: Change, Data: new[p]})
		}
	}
	for _, p := range old.Paths() {
		if _, ok := new[p]; !ok {
			changes = append(changes, FileChange{Path: p, Action: Remove})
		}
	}
	sort.Slice(changes, func(i, j int) bool { return changes[i].Path < changes[j].Path })
	return changes
}

// DirSummary counts the changes under one directory.
type DirSummary struct {
	Dir     string `json:"dir"`
	Added   int    `json:"added"`
	Changed int    `json:"changed"`
	Removed int    `json:"removed"`
}

// String reads like "2 added, 3 changed".
func (s DirSummary) String() string {
	var parts []string
	for _, c := range []struct {
		n    int
		what string
	}{{s.Added, "added"}, {s.Changed, "changed"}, {s.Removed, "removed"}} {
		if c.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c.n, c.what))
		}
	}
	return strings.Join(parts, ", ")
}

// Summarise groups changes by the directory that owns them — the first two path
// segments (parties/<party>, clusters/<cluster>), or the file itself at the top —
// sorted by directory.
func Summarise(changes []FileChange) []DirSummary {
	byDir := map[string]*DirSummary{}
	for _, c := range changes {
		if IsIndex(c.Path) {
			continue // bookkeeping that follows the files counted
		}
		dir := c.Path
		if strings.Count(c.Path, "/") >= 2 {
			dir = Unit(c.Path)
		}
		s := byDir[dir]
		if s == nil {
			s = &DirSummary{Dir: dir}
			byDir[dir] = s
		}
		switch c.Action {
		case Add:
			s.Added++
		case Change:
			s.Changed++
		case Remove:
			s.Removed++
		}
	}
	out := make([]DirSummary, 0, len(byDir))
	for _, dir := range slices.Sorted(maps.Keys(byDir)) {
		out = append(out, *byDir[dir])
	}
	return out
}
