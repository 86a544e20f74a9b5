package load_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// Every slip of one keystroke or one line in the base network (a line deleted, a
// quote, brace, bracket, comma or colon deleted) is refused, if at all, with lines
// that each name file:line:col, and never with a panic: the mistakes the corpus does
// not list by name still reach the user at a place in their file.
func TestEveryOneEditMistakeIsPositioned(t *testing.T) {
	for _, name := range []string{"base.cue", "base-fabric.cue"} {
		t.Run(name, func(t *testing.T) { oneEditMistakesArePositioned(t, readTestdata(t, name)) })
	}
}

func oneEditMistakesArePositioned(t *testing.T, base string) {
	dir := testenv.Module(t, map[string]string{"network.cue": base})
	var variants []string
	lines := strings.Split(base, "\n")
	for k, line := range lines {
		if strings.HasPrefix(line, "package ") {
			continue // no package at all is a module error, not a line's
		}
		variants = append(variants, strings.Join(append(append([]string{}, lines[:k]...), lines[k+1:]...), "\n"))
	}
	for k, c := range base {
		if strings.ContainsRune(`"{}[],:`, c) {
			variants = append(variants, base[:k]+base[k+1:])
		}
	}
	for _, v := range variants {
		if err := os.WriteFile(filepath.Join(dir, "network.cue"), []byte(v), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := load.Network(dir)
		if err == nil {
			continue
		}
		for _, line := range strings.Split(err.Error(), "\n") {
			if !positioned.MatchString(line) {
				t.Errorf("error line without file:line:col: %q", line)
			}
		}
	}
}
