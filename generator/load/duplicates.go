package load

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

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
	entities := map[string][]entityLiteral{}
	var order []string
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
		collectEntities(f.Decls, nil, nil, func(key string, e entityLiteral) {
			if entities[key] == nil {
				order = append(order, key)
			}
			entities[key] = append(entities[key], e)
		})
	}
	for _, key := range order {
		issues = append(issues, entityWrittenTwice(key, entities[key], cwd)...)
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

// entityLiteral is one struct literal, with braces, that describes a party, cluster or
// node, and the struct literal it stands in.
type entityLiteral struct {
	field  *ast.Field
	parent ast.Node
}

// collectEntities calls fn for every braced struct literal that declarations, at the
// path of labels above them, give to network.parties.X, network.clusters.X or
// network.nodes.X, however the path is spelled (network: nodes: "a": {…} in one file,
// nodes: {"a": {…}} inside network: schema.#Network & {…} in another).
func collectEntities(decls []ast.Decl, path []string, parent ast.Node, fn func(string, entityLiteral)) {
	for _, d := range decls {
		field, ok := d.(*ast.Field)
		if !ok {
			continue
		}
		label, ok := labelName(field.Label)
		if !ok {
			continue
		}
		p := append(slices.Clone(path), label)
		if s, ok := field.Value.(*ast.StructLit); ok && s.Lbrace.IsValid() && len(p) == 3 && p[0] == NetworkField && entityKinds[p[1]] != "" {
			fn(strings.Join(p[1:], "."), entityLiteral{field, parent})
			continue
		}
		for _, s := range structOperands(field.Value) {
			collectEntities(s.Elts, p, s, fn)
		}
	}
}

// structOperands is the struct literals a value is made of: itself, or the operands
// of a unification (schema.#Network & {…}).
func structOperands(e ast.Expr) []*ast.StructLit {
	switch e := e.(type) {
	case *ast.StructLit:
		return []*ast.StructLit{e}
	case *ast.BinaryExpr:
		if e.Op == token.AND {
			return append(structOperands(e.X), structOperands(e.Y)...)
		}
	case *ast.ParenExpr:
		return structOperands(e.X)
	}
	return nil
}

// entityWrittenTwice reports an entity that two struct literals in different places
// (not one struct, which duplicateKeys covers) describe by the same fields: a node
// pasted into a second file, which CUE merges into one. Adding fields from another
// place (a node's resources in a file of their own) stays allowed.
func entityWrittenTwice(key string, literals []entityLiteral, cwd string) []Issue {
	var issues []Issue
	for k := 1; k < len(literals); k++ {
		for _, earlier := range literals[:k] {
			if earlier.parent == literals[k].parent {
				continue
			}
			shared := sharedLabels(earlier.field, literals[k].field)
			if len(shared) == 0 {
				continue
			}
			kind, name, _ := strings.Cut(key, ".")
			issues = append(issues, Issue{
				Pos:     position([]token.Pos{literals[k].field.Pos()}, cwd),
				Message: fmt.Sprintf("%s %s is written twice, here and at %s, both setting %s: CUE merges the two into one %s; rename one or remove it", entityKinds[kind], name, position([]token.Pos{earlier.field.Pos()}, cwd), strings.Join(shared, ", "), entityKinds[kind]),
			})
			break
		}
	}
	return issues
}

// sharedLabels is the field names both struct values set, in a's order.
func sharedLabels(a, b *ast.Field) []string {
	set := map[string]bool{}
	for _, d := range b.Value.(*ast.StructLit).Elts {
		if f, ok := d.(*ast.Field); ok {
			if l, ok := labelName(f.Label); ok {
				set[l] = true
			}
		}
	}
	var shared []string
	for _, d := range a.Value.(*ast.StructLit).Elts {
		if f, ok := d.(*ast.Field); ok {
			if l, ok := labelName(f.Label); ok && set[l] {
				shared = append(shared, l)
			}
		}
	}
	return shared
}
