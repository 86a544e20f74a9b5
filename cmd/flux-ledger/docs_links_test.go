package main

import (
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// readmeMaxLines keeps the README a short entry: what flux-ledger is, the first steps,
// the exit codes and where to read on. Everything else belongs in docs/, by reader.
const readmeMaxLines = 250

// Every relative link of the README and of docs/ (the generated CLI reference too)
// leads somewhere: the file exists and, for a #fragment, the target has a heading of
// that slug. Sections move between these files; a link left pointing at the old place
// fails here instead of on GitHub.
func TestDocsLinksResolve(t *testing.T) {
	root := testenv.RepoRoot(t)
	files := []string{"README.md"}
	err := filepath.WalkDir(filepath.Join(root, "docs"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".md") {
			rel, _ := filepath.Rel(root, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 5 {
		t.Fatalf("found only %v under docs/", files)
	}
	for _, problem := range brokenLinks(t, root, files) {
		t.Error(problem)
	}
}

// The checker itself finds what it is meant to: a missing file, a missing heading
// in another file and in the same file, and nothing in code, in a fenced block or
// an external URL. The expected list is written out, not produced by the checker.
func TestDocsLinksBrokenAreFound(t *testing.T) {
	root := filepath.Join("testdata", "doclinks")
	got := brokenLinks(t, root, []string{"README.md", "docs/guide.md"})
	want := []string{
		"README.md:5: docs/missing.md: no such file",
		"README.md:6: docs/guide.md#no-such-heading: docs/guide.md has no heading #no-such-heading",
		"README.md:7: #start_here: README.md has no heading #start_here",
		"README.md:8: docs/guide.md#keys-rotate-2: docs/guide.md has no heading #keys-rotate-2",
		"README.md:19: docs/guide.md#nope: docs/guide.md has no heading #nope",
		"docs/guide.md:11: ../README.md#where-next: README.md has no heading #where-next",
		"docs/guide.md:12: pictures/none.png: no such file",
	}
	if !slices.Equal(got, want) {
		t.Errorf("broken links:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// The README stays a two-minute entry: a section that grows it past readmeMaxLines
// fails here and finds its place among the guides of docs/.
func TestReadmeIsShort(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(testenv.RepoRoot(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(readme), "\n"); n > readmeMaxLines {
		t.Errorf("README.md has %d lines, more than %d: move the new material into docs/ (docs/README.md lists the guides by reader)", n, readmeMaxLines)
	}
}

var (
	// inlineLink matches [text](target) and ![alt](target), with an optional title.
	inlineLink = regexp.MustCompile(`\]\(([^()\s]+)(?:\s+"[^"]*")?\)`)
	// referenceLink matches a link reference definition, [label]: target.
	referenceLink = regexp.MustCompile(`^\s{0,3}\[[^\]]+\]:\s*(\S+)`)
	heading       = regexp.MustCompile(`^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$`)
	scheme        = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*:`)
)

// brokenLinks returns, for the Markdown files named relative to root, one line per
// relative link whose file is missing or whose #fragment names no heading there.
func brokenLinks(t *testing.T, root string, files []string) []string {
	t.Helper()
	anchors := map[string]map[string]bool{}
	anchorsOf := func(rel string) map[string]bool {
		if a, ok := anchors[rel]; ok {
			return a
		}
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
		if err != nil {
			t.Fatal(err)
		}
		a := headingSlugs(string(data))
		anchors[rel] = a
		return a
	}
	var problems []string
	for _, file := range files {
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(file)))
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range proseLines(string(data)) {
			if line == "" {
				continue
			}
			var targets []string
			for _, m := range inlineLink.FindAllStringSubmatch(withoutCodeSpans(line), -1) {
				targets = append(targets, m[1])
			}
			if m := referenceLink.FindStringSubmatch(line); m != nil {
				targets = append(targets, m[1])
			}
			for _, target := range targets {
				target = strings.Trim(target, "<>")
				if scheme.MatchString(target) || strings.HasPrefix(target, "//") {
					continue
				}
				where := fmt.Sprintf("%s:%d: %s", file, i+1, target)
				p, fragment, _ := strings.Cut(target, "#")
				p, err := url.PathUnescape(p)
				if err != nil {
					problems = append(problems, where+": "+err.Error())
					continue
				}
				dest := file
				if p != "" {
					dest = path.Join(path.Dir(file), p)
					if dest == ".." || strings.HasPrefix(dest, "../") {
						problems = append(problems, where+": leaves the repository")
						continue
					}
					info, err := os.Stat(filepath.Join(root, filepath.FromSlash(dest)))
					if err != nil {
						problems = append(problems, where+": no such file")
						continue
					}
					if info.IsDir() {
						if fragment != "" {
							problems = append(problems, where+": a #fragment on a directory")
						}
						continue
					}
				}
				if fragment == "" || !strings.HasSuffix(dest, ".md") {
					continue
				}
				if !anchorsOf(dest)[fragment] {
					problems = append(problems, fmt.Sprintf("%s: %s has no heading #%s", where, dest, fragment))
				}
			}
		}
	}
	return problems
}

// proseLines returns the file's lines with those of fenced code blocks (``` or ~~~,
// closed by a fence of the same character at least as long) blanked, so that line
// numbers stay those of the file.
func proseLines(text string) []string {
	lines := strings.Split(text, "\n")
	var fence string
	for i, line := range lines {
		trimmed := strings.TrimLeft(line, " ")
		if fence != "" {
			if strings.HasPrefix(trimmed, fence) && strings.Trim(trimmed, fence[:1]+" ") == "" {
				fence = ""
			}
			lines[i] = ""
			continue
		}
		for _, c := range []string{"`", "~"} {
			if n := len(trimmed) - len(strings.TrimLeft(trimmed, c)); n >= 3 {
				fence = strings.Repeat(c, n)
				lines[i] = ""
				break
			}
		}
	}
	return lines
}

// withoutCodeSpans removes inline code (a run of backticks to the next run of the
// same length), where a link is only text.
func withoutCodeSpans(line string) string {
	var b strings.Builder
	for {
		start := strings.Index(line, "`")
		if start < 0 {
			b.WriteString(line)
			return b.String()
		}
		n := len(line[start:]) - len(strings.TrimLeft(line[start:], "`"))
		ticks := line[start : start+n]
		rest := line[start+n:]
		end := -1
		for off := 0; off < len(rest); {
			j := strings.Index(rest[off:], ticks)
			if j < 0 {
				break
			}
			j += off
			m := len(rest[j:]) - len(strings.TrimLeft(rest[j:], "`"))
			if m == n {
				end = j
				break
			}
			off = j + m
		}
		if end < 0 {
			// An unmatched run is literal backticks.
			b.WriteString(line[:start+n])
			line = rest
			continue
		}
		b.WriteString(line[:start])
		line = rest[end+n:]
	}
}

// headingSlugs returns the anchors GitHub gives the file's headings: the heading's
// text lower-cased, every character but letters, digits, spaces, hyphens and
// underscores dropped, spaces turned into hyphens; a repeated slug gets -1, -2, ….
func headingSlugs(text string) map[string]bool {
	slugs := map[string]bool{}
	seen := map[string]int{}
	for _, line := range proseLines(text) {
		m := heading.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		var b strings.Builder
		for _, r := range strings.ToLower(m[2]) {
			switch {
			case r == ' ':
				b.WriteRune('-')
			case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
				b.WriteRune(r)
			}
		}
		slug := b.String()
		if n := seen[slug]; n > 0 {
			seen[slug]++
			slug = fmt.Sprintf("%s-%d", slug, n)
		} else {
			seen[slug] = 1
		}
		slugs[slug] = true
	}
	return slugs
}
