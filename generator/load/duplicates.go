package load

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/format"
	"cuelang.org/go/cue/parser"
	"cuelang.org/go/cue/token"
)

// checkDuplicateKeys refuses a struct that names one key twice with a struct on both
// sides, in the module's root package files. CUE unifies the two: an identical copy
// vanishes (the third validator the user meant to add never exists) and a differing
// one fails at one of its lines only. Either way it is never what was meant, so both
// lines are named. Keys written as paths (a: b: 1 beside a: c: 2) are CUE's way of
// adding to one struct from several places, and stay allowed.
func checkDuplicateKeys(dir string) error {
	names, err := filepath.Glob(filepath.Join(dir, "*.cue"))
	if err != nil {
		return err
	}
	sort.Strings(names)
	cwd, _ := os.Getwd()
	var issues []Issue
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		f, err := parser.ParseFile(name, data)
		if err != nil {
			continue // CUE's own loader reports syntax errors, with its positions
		}
		ast.Walk(f, func(n ast.Node) bool {
			if s, ok := n.(*ast.StructLit); ok {
				issues = append(issues, duplicateKeys(s.Elts, cwd)...)
			}
			return true
		}, nil)
		issues = append(issues, duplicateKeys(f.Decls, cwd)...)
	}
	if len(issues) > 0 {
		return &Error{Issues: issues}
	}
	return nil
}

// duplicateKeys reports each key that two fields of one struct literal set to a
// struct literal.
func duplicateKeys(decls []ast.Decl, cwd string) []Issue {
	first := map[string]*ast.Field{}
	var issues []Issue
	for _, d := range decls {
		field, ok := d.(*ast.Field)
		if !ok {
			continue
		}
		// a: b: {…} is written as a struct without braces: a path, not a repetition.
		if s, isStruct := field.Value.(*ast.StructLit); !isStruct || !s.Lbrace.IsValid() {
			continue
		}
		key, ok := labelName(field.Label)
		if !ok {
			continue
		}
		earlier, seen := first[key]
		if !seen {
			first[key] = field
			continue
		}
		what := "the same value: CUE merges the two into one, so the second adds nothing"
		if !sameSource(earlier, field) {
			what = "different values: CUE merges the two into one key"
		}
		issues = append(issues, Issue{
			Pos:     position([]token.Pos{field.Pos()}, cwd),
			Message: fmt.Sprintf("%s is written twice in one struct (also at line %d), with %s; rename one or remove it", strconv.Quote(key), earlier.Pos().Line(), what),
		})
	}
	return issues
}

func labelName(l ast.Label) (string, bool) {
	switch l := l.(type) {
	case *ast.Ident:
		return l.Name, true
	case *ast.BasicLit:
		s, err := strconv.Unquote(l.Value)
		return s, err == nil
	}
	return "", false
}

// sameSource compares two values as CUE formats them, so spacing does not matter.
func sameSource(a, b *ast.Field) bool {
	x, errA := format.Node(a.Value)
	y, errB := format.Node(b.Value)
	return errA == nil && errB == nil && bytes.Equal(x, y)
}
