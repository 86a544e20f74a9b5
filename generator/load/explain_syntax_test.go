package load

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	cueload "cuelang.org/go/cue/load"
)

func TestUnclosedBrace(t *testing.T) {
	tests := []struct {
		name, src  string
		line, col  int
		closerLine int
	}{
		// cue fmt's indentation: the '}' of b is gone, a's '}' (indented as a's line)
		// closes b's '{' instead.
		{"indented", "x: {\n\ta: {\n\t\tb: {\n\t\t\tc: 1\n\t\td: 2\n\t}\n}\n", 3, 6, 6},
		// One line: no indentation to go by; the innermost '{' still open is named.
		{"one line", "a: {b: {c: 1}\n", 1, 4, 0},
		// A list closed inside: brackets pair as brackets.
		{"list", "a: {\n\tb: [1, 2]\n", 1, 4, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			open, closer, ok := unclosedBrace("f.cue", []byte(tt.src))
			if !ok {
				t.Fatal("no unclosed brace found")
			}
			if open.Line() != tt.line || open.Column() != tt.col {
				t.Errorf("'{' at %d:%d, want %d:%d", open.Line(), open.Column(), tt.line, tt.col)
			}
			if got := closer.Line(); closer.IsValid() && got != tt.closerLine || !closer.IsValid() && tt.closerLine != 0 {
				t.Errorf("closing '}' at line %d, want %d", got, tt.closerLine)
			}
		})
	}
}

// The parser's recovery after a first mistake reports lines that are fine: each
// broken file gives one line, its first error.
func TestSyntaxIssuesOnePerFile(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.cue")
	b := filepath.Join(dir, "b.cue")
	os.WriteFile(a, []byte("package p\n\nx: {\n\timage: docker.io/besu:1\n\ty: 2\n"), 0o644)
	os.WriteFile(b, []byte("package p\n\nz: {\n\tw: 1\n"), 0o644)
	err := loadError(a, b)
	got, ok := syntaxIssues(err)
	if !ok {
		t.Fatalf("no syntax issue in %v", err)
	}
	lines := strings.Split(got.Error(), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines, want 2:\n%s", len(lines), got)
	}
	if !strings.Contains(lines[0], `a.cue:4:9: image: docker.io/besu:1 is not quoted`) || !strings.Contains(lines[0], `image: "docker.io/besu:1"`) {
		t.Errorf("a.cue: %s", lines[0])
	}
	if !strings.Contains(lines[1], "b.cue:3:4: this '{' is never closed") {
		t.Errorf("b.cue: %s", lines[1])
	}
}

// loadError is the error CUE's loader gives for the files, as evaluate sees it.
func loadError(files ...string) error {
	return cueload.Instances(files, &cueload.Config{Dir: filepath.Dir(files[0])})[0].Err
}
