package load

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"cuelang.org/go/cue"
	cueerrors "cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/token"
)

// entry is one error as CUE reported it, before folding.
type entry struct {
	issue       Issue
	format      string
	args        []any
	positions   []token.Pos
	disjunction bool
}

// issues turns CUE's error tree into one Issue per distinct failure, in CUE's order.
// CUE reports a failed disjunction as a header plus one "conflicting values" line per
// alternative, and a failed reference again at every value computed from it; a user
// needs one line saying which value is wrong, so those are folded or dropped.
func issues(err error) error {
	cwd, _ := os.Getwd()
	var entries []*entry
	byPath := map[string][]*entry{}
	for _, e := range cueerrors.Errors(err) {
		format, args := e.Msg()
		en := &entry{
			issue: Issue{
				Path:       strings.Join(e.Path(), "."),
				Message:    withReason(e, oneLine(fmt.Sprintf(format, args...))),
				Pos:        position(cueerrors.Positions(e), cwd),
				format:     format,
				incomplete: cue.IsIncomplete(e),
			},
			positions:   cueerrors.Positions(e),
			format:      format,
			args:        args,
			disjunction: strings.Contains(format, "errors in empty disjunction"),
		}
		entries = append(entries, en)
		byPath[en.issue.Path] = append(byPath[en.issue.Path], en)
	}

	var out []Issue
	seen := map[string]bool{}
	emit := func(i Issue) {
		if key := i.String(); !seen[key] {
			seen[key] = true
			out = append(out, i)
		}
	}
	folded := map[string]bool{}
	for _, en := range entries {
		path := en.issue.Path
		group := byPath[path]
		if folded[path] {
			continue
		}
		// One field given two values in the user's own files (a node pasted twice,
		// once in each of two files): name both lines, whatever else failed there.
		if i, ok := twoValues(group, cwd); ok {
			folded[path] = true
			emit(i)
			continue
		}
		if hasDisjunction(group) {
			folded[path] = true
			// A list whose elements failed: the alternatives' complaints about the
			// whole list ("incompatible list lengths (0 and 2)" from a *[] default) are
			// noise beside the element's own line.
			if hasChild(path, entries) {
				continue
			}
			if i, ok := foldDisjunction(path, group); ok {
				emit(i)
				continue
			}
			for _, other := range group {
				if !other.disjunction && !isConflict(other.format) {
					emit(other.issue)
				}
			}
			continue
		}
		if !isCascade(en.issue.Message) {
			emit(en.issue)
		}
	}
	if len(out) == 0 {
		for _, en := range entries {
			emit(en.issue)
		}
	}
	if len(out) == 0 {
		out = append(out, Issue{Message: oneLine(err.Error())})
	}
	return &Error{Issues: out}
}

// withReason appends the reason CUE wraps under some messages ("import failed:
// cannot find package …"): Msg alone drops it, Details keeps it.
func withReason(e cueerrors.Error, msg string) string {
	first := oneLine(strings.SplitN(cueerrors.Details(e, nil), "\n", 2)[0])
	if i := strings.Index(first, msg+": "); i >= 0 {
		return strings.TrimSuffix(first[i:], ":")
	}
	return msg
}

// twoValues finds, among the errors at one path, a conflict between two values both
// written in the user's files, and says so at the later of the two, naming the other.
func twoValues(group []*entry, cwd string) (Issue, bool) {
	for _, en := range group {
		if !isConflict(en.format) || len(en.args) != 2 {
			continue
		}
		var user []token.Pos
		for _, p := range en.positions {
			if inSchema(p.Filename()) {
				return Issue{}, false
			}
			if !slices.ContainsFunc(user, func(q token.Pos) bool { return q.Filename() == p.Filename() && q.Offset() == p.Offset() }) {
				user = append(user, p)
			}
		}
		if len(user) != 2 {
			continue
		}
		first, second := user[0], user[1]
		if first.Filename() > second.Filename() || first.Filename() == second.Filename() && first.Offset() > second.Offset() {
			first, second = second, first
		}
		other := fmt.Sprintf("line %d", first.Line())
		if first.Filename() != second.Filename() {
			other = position([]token.Pos{first}, cwd)
		}
		label := en.issue.Path[strings.LastIndex(en.issue.Path, ".")+1:]
		return Issue{
			Pos:     position([]token.Pos{second}, cwd),
			Path:    en.issue.Path,
			Message: fmt.Sprintf("%s is written twice, here and at %s, with different values (%v and %v): keep one, or rename the copy", label, other, en.args[0], en.args[1]),
			format:  en.format,
		}, true
	}
	return Issue{}, false
}

// hasChild reports whether CUE raised an error below path, at a field or element of
// the value at path.
func hasChild(path string, entries []*entry) bool {
	for _, en := range entries {
		if strings.HasPrefix(en.issue.Path, path+".") {
			return true
		}
	}
	return false
}

func hasDisjunction(group []*entry) bool {
	for _, en := range group {
		if en.disjunction {
			return true
		}
	}
	return false
}

// foldDisjunction turns "value X conflicts with each of A, B, C" into one issue. It
// applies only when every alternative failed by conflict (an enumeration); when one
// alternative failed for a reason of its own (a bound, a pattern), that reason is the
// useful message and the conflicts with defaults are noise.
func foldDisjunction(path string, group []*entry) (Issue, bool) {
	var allowed []string
	var got string
	pos := ""
	for _, en := range group {
		switch {
		case en.disjunction:
		case isConflict(en.format) && len(en.args) == 2:
			a, b := fmt.Sprint(en.args[0]), fmt.Sprint(en.args[1])
			if got != "" && got != b {
				return Issue{}, false
			}
			got = b
			allowed = append(allowed, a)
			pos = en.issue.Pos
		default:
			return Issue{}, false
		}
	}
	if got == "" {
		return Issue{}, false
	}
	return Issue{
		Pos:     pos,
		Path:    path,
		Message: fmt.Sprintf("invalid value %s (must be one of %s)", got, strings.Join(allowed, ", ")),
	}, true
}

func isConflict(format string) bool { return strings.HasPrefix(format, "conflicting values") }

// isCascade recognises errors CUE reports at values computed from an already-reported
// error: they point at the schema, not at what the user wrote.
func isCascade(message string) bool {
	for _, s := range []string{"invalid interpolation", "key value of dynamic field must be concrete", "invalid left-hand value", "_|_"} {
		if strings.Contains(message, s) {
			return true
		}
	}
	return false
}

// position picks the most useful of an error's positions: the last one in a file the
// user wrote (not the schema), which is where the offending value stands.
func position(positions []token.Pos, cwd string) string {
	if len(positions) == 0 {
		return ""
	}
	chosen := positions[0]
	for _, p := range positions {
		if !inSchema(p.Filename()) {
			chosen = p
		}
	}
	file := chosen.Filename()
	if rel, err := filepath.Rel(cwd, file); err == nil && !strings.HasPrefix(rel, "..") {
		file = rel
	}
	return fmt.Sprintf("%s:%d:%d", file, chosen.Line(), chosen.Column())
}

func inSchema(file string) bool {
	dir := filepath.Base(filepath.Dir(file))
	return dir == "schema" || strings.Contains(filepath.ToSlash(file), "/cue.mod/")
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
