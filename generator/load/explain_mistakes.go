package load

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/format"
	"cuelang.org/go/cue/parser"
	"cuelang.org/go/cue/token"
)

// Mistakes in how a value is written, before any network rule applies: a required
// field left out, a field name mistyped, a string left unquoted, a list written the
// YAML way. CUE reports them in its own terms ("incomplete value =~…", "reference
// "rpc" not found", "invalid operation -"…" (- string)"); each mistake below is
// recognised by the kind of error (cue.IsIncomplete, else its format before
// arguments: CUE's errors carry no other kind), the path and the user's source at its
// position, and said as what to write instead.

// mistake restates one issue by the kind of CUE error it is.
type mistake func(n network, i Issue) (Issue, bool)

var mistakes = map[string]mistake{
	"field not allowed":            explainTypo,
	validatorFormat:                explainBuiltin,
	"reference %q not found":       explainUnquoted,
	"invalid operation %v (%s %s)": explainYAMLItem,
}

// explainMistake restates i if it is one of the mistakes: a missing field when CUE
// found the value incomplete, else by the kind of error.
func explainMistake(n network, i Issue) (Issue, bool) {
	if i.incomplete {
		return explainMissing(n, i)
	}
	if m, ok := mistakes[i.format]; ok {
		return m(n, i)
	}
	return i, false
}

// selectorsOf is the issue's path as CUE selectors. Issue paths join CUE's error path
// with dots, list indices included (egressCIDRs.0), which cue.ParsePath does not
// read as an index.
func selectorsOf(i Issue) []cue.Selector {
	var out []cue.Selector
	for rest := i.Path; rest != ""; {
		if strings.HasPrefix(rest, `"`) {
			end := strings.Index(rest[1:], `"`)
			if end < 0 {
				return nil
			}
			out = append(out, cue.Str(rest[1:end+1]))
			rest = strings.TrimPrefix(rest[end+2:], ".")
			continue
		}
		var label string
		label, rest, _ = strings.Cut(rest, ".")
		if k, err := strconv.Atoi(label); err == nil {
			out = append(out, cue.Index(k))
			continue
		}
		sel := cue.ParsePath(label).Selectors()
		if len(sel) != 1 {
			return nil
		}
		out = append(out, sel[0])
	}
	return out
}

// explainMissing says which field a struct the user wrote lacks and shows a value it
// could have: another entry's of the same map (another node's image), which the user
// has already written in the right form, or the schema's choices.
func explainMissing(n network, i Issue) (Issue, bool) {
	sel := selectorsOf(i)
	if !i.incomplete || len(sel) < 2 || !sel[len(sel)-1].IsString() {
		return i, false
	}
	field := n.root.LookupPath(cue.MakePath(sel...))
	if _, written := userPos(field); written {
		return i, false // the user wrote it, as a type or a reference to nothing concrete
	}
	// A field the schema computes (a party's namespace from the network's name) is
	// incomplete because what it reads is.
	if interpolated(field, 3) {
		return i, false
	}
	// The struct that lacks the field is one the user wrote: a field of a struct
	// the schema fills in (a node's storage, from its cluster) fails because what it
	// is computed from does, which is reported where it stands.
	// A section of the network left out whole (repository: url: …) is the one
	// exception: the network is the struct the user wrote.
	depth := len(sel) - 1
	pos, ok := userPos(n.root.LookupPath(cue.MakePath(sel[:depth]...)))
	if !ok && sel[0].Unquoted() == NetworkField {
		depth = 1
		pos, ok = userPos(n.root.LookupPath(cue.MakePath(sel[:1]...)))
	}
	if !ok {
		return i, false
	}
	parent := cue.MakePath(sel[:depth]...)
	cwd, _ := os.Getwd()
	var labels []string
	for _, l := range sel[depth:] {
		labels = append(labels, l.String())
	}
	label := strings.Join(labels, ".")
	what := strings.TrimPrefix(parent.String(), NetworkField+".")
	if depth >= 2 && entityKinds[sel[1].Unquoted()] != "" {
		what = entityKinds[sel[1].Unquoted()] + " " + sel[2].Unquoted()
		if len(sel) > 4 {
			what += " " + cue.MakePath(sel[3:len(sel)-1]...).String()
		}
	}
	example := ""
	if depth >= 3 && entityKinds[sel[1].Unquoted()] != "" {
		example = n.siblingValue(sel[:2], sel[2], sel[3:]...)
	}
	if example == "" {
		example = choices(field)
	}
	// At the struct that lacks it, the one line the user can point at; the path
	// names the field.
	i.Pos = position([]token.Pos{pos}, cwd)
	i.Message = fmt.Sprintf("%s has no %s, which is required", what, label)
	if example != "" {
		i.Message += fmt.Sprintf("; e.g. %s: %s", strings.Join(labels, ": "), example)
	}
	return i, true
}

// interpolated reports whether v's expression, depth levels down, builds a string
// from other values ("\(networkName)-\(Name)").
func interpolated(v cue.Value, depth int) bool {
	op, operands := v.Expr()
	if op == cue.InterpolationOp {
		return true
	}
	if depth == 0 || op == cue.NoOp && len(operands) == 1 {
		return false
	}
	for _, o := range operands {
		if interpolated(o, depth-1) {
			return true
		}
	}
	return false
}

// choices is the schema's alternatives for a field that is a disjunction of
// concrete values ("a" | "b"), as CUE source joined by " or ", or "".
func choices(v cue.Value) string {
	op, arms := v.Expr()
	if op != cue.OrOp {
		return ""
	}
	var out []string
	for _, arm := range arms {
		if !arm.IsConcrete() {
			return ""
		}
		src, err := format.Node(arm.Syntax(cue.Final()))
		if err != nil {
			return ""
		}
		out = append(out, string(src))
	}
	return strings.Join(out, " or ")
}

// entityKinds names an entry of the network's maps as docs/network-model.md does.
var entityKinds = map[string]string{"nodes": "node", "clusters": "cluster", "parties": "party"}

// siblingValue is the value at path in another entry than self of the map at
// mapPath, as CUE source, or "".
func (n network) siblingValue(mapPath []cue.Selector, self cue.Selector, path ...cue.Selector) string {
	iter, err := n.root.LookupPath(cue.MakePath(mapPath...)).Fields()
	if err != nil {
		return ""
	}
	for iter.Next() {
		if iter.Selector() == self {
			continue
		}
		v := iter.Value().LookupPath(cue.MakePath(path...))
		if !v.IsConcrete() || v.Validate(cue.Concrete(true)) != nil {
			continue
		}
		if k := v.Kind(); k == cue.StructKind || k == cue.ListKind {
			continue
		}
		if src, err := format.Node(v.Syntax(cue.Final())); err == nil {
			return string(src)
		}
	}
	return ""
}

// platformFields are the network's fields the schema allows on one platform only
// (cue/schema/besu.cue, fabric.cue, network.cue: "if platform == …"): one of them
// refused means the platform is not that one, or not set at all.
var platformFields = map[string]string{"fabric": "fabric", "msp": "fabric", "chainId": "besu", "genesis": "besu", "peering": "besu"}

// explainTypo suggests the schema's field nearest to a field it does not allow, and
// says so when the field belongs to another platform than the network's.
func explainTypo(n network, i Issue) (Issue, bool) {
	sel := selectorsOf(i)
	if len(sel) < 2 || !sel[len(sel)-1].IsString() {
		return i, false
	}
	typo := sel[len(sel)-1].Unquoted()
	if want, ok := platformFields[typo]; ok && len(sel) == 2 {
		now := "not set"
		if p, err := n.lookup("platform").String(); err == nil {
			now = strconv.Quote(p)
		}
		i.Message = fmt.Sprintf("field %s belongs to %s networks: it is allowed with platform: %q only, and network.platform is %s", typo, want, want, now)
		return i, true
	}
	iter, err := n.root.LookupPath(cue.MakePath(sel[:len(sel)-1]...)).Fields(cue.Optional(true))
	if err != nil {
		return i, false
	}
	var known []string
	for iter.Next() {
		if name := iter.Selector().Unquoted(); name != typo && iter.Selector().IsString() {
			known = append(known, name)
		}
	}
	hint := suggest(typo, known)
	if hint == "" {
		return i, false
	}
	i.Message = "field " + typo + " is not allowed here" + hint
	return i, true
}

// explainUnquoted restates a reference to nothing as the string the user meant: in
// CUE a bare word is a reference, a string is quoted.
func explainUnquoted(n network, i Issue) (Issue, bool) {
	ident, ok := sourceAt(i.Pos).(*ast.Ident)
	sel := selectorsOf(i)
	if !ok || len(sel) == 0 {
		return i, false
	}
	label := sel[len(sel)-1]
	if hint := suggest(ident.Name, letNames(i.Pos)); hint != "" || !bareValue(i.Pos) {
		i.Message = ident.Name + " is not defined" + hint
		return i, true
	}
	i.Message = fmt.Sprintf("%s is not defined: CUE reads an unquoted word as a reference; a string is quoted, %s: %q", ident.Name, label, ident.Name)
	return i, true
}

// bareValue reports whether the identifier at pos is a field's or list element's
// whole value (role: rpc), where a string left unquoted would stand, rather than part
// of an expression (schema.#Network, a package whose import is missing).
func bareValue(pos string) bool {
	bare := false
	walkAt(pos, func(n ast.Node, stack []ast.Node) {
		if _, ok := n.(*ast.Ident); !ok || len(stack) == 0 {
			return
		}
		switch parent := stack[len(stack)-1].(type) {
		case *ast.Field:
			bare = parent.Value == n
		case *ast.ListLit:
			bare = true
		}
	})
	return bare
}

// letNames is the names the file of pos binds with let (let besu = "…"): a mistyped
// one is a reference to nothing too.
func letNames(pos string) []string {
	file, _, _ := strings.Cut(pos, ".cue:")
	data, err := os.ReadFile(file + ".cue")
	if err != nil {
		return nil
	}
	f, err := parser.ParseFile(file+".cue", data)
	if err != nil {
		return nil
	}
	var names []string
	ast.Walk(f, func(n ast.Node) bool {
		if l, ok := n.(*ast.LetClause); ok && l.Ident != nil {
			names = append(names, l.Ident.Name)
		}
		return true
	}, nil)
	return names
}

// explainYAMLItem recognises "- value" inside a list, a YAML list item, and shows the
// list in CUE's spelling.
func explainYAMLItem(n network, i Issue) (Issue, bool) {
	item, ok := sourceAt(i.Pos).(*ast.UnaryExpr)
	if !ok || item.Op != token.SUB {
		return i, false
	}
	list, ok := enclosingList(i.Pos)
	if !ok {
		return i, false
	}
	elts := make([]ast.Expr, len(list.Elts))
	for k, e := range list.Elts {
		if u, ok := e.(*ast.UnaryExpr); ok && u.Op == token.SUB {
			e = u.X
		}
		elts[k] = e
	}
	sel := selectorsOf(i)
	if len(sel) < 2 {
		return i, false
	}
	path := cue.MakePath(sel[:len(sel)-1]...)
	label := sel[len(sel)-2]
	spelled, err := format.Node(&ast.ListLit{Elts: elts})
	if err != nil {
		return i, false
	}
	i.Path = path.String()
	i.Message = fmt.Sprintf("a YAML list item (- …): CUE writes a list in brackets with commas, %s: %s", label, oneLine(string(spelled)))
	return i, true
}

// listIssues reports every element of the user's list that holds the element i
// reports and that fails the element types the schema gives the list, one issue each:
// CUE, trying the list against each alternative of its type (a list of T, or the
// default []), stops at the first element that fails.
func (n network) listIssues(i Issue) []Issue {
	sel := selectorsOf(i)
	if len(sel) < 2 || sel[len(sel)-1].Type() != cue.IndexLabel {
		return nil
	}
	listPath := cue.MakePath(sel[:len(sel)-1]...)
	_, operands := n.root.LookupPath(listPath).Expr()
	var user cue.Value
	var constraints [][]cue.Value
	for _, o := range operands {
		if _, ok := userPos(o); ok && o.IncompleteKind() == cue.ListKind {
			user = o
			continue
		}
		// A disjunction's arms: Expr gives them (for *[] | [...T], the one arm
		// besides the default), while the value itself is the default.
		_, alternatives := o.Expr()
		arms := append([]cue.Value{o}, alternatives...)
		var elems []cue.Value
		for _, arm := range arms {
			if e := arm.LookupPath(cue.MakePath(cue.AnyIndex)); e.Exists() {
				elems = append(elems, e)
			}
		}
		if len(elems) > 0 {
			constraints = append(constraints, elems)
		}
	}
	if !user.Exists() || len(constraints) == 0 {
		return nil
	}
	iter, err := user.List()
	if err != nil {
		return nil
	}
	cwd, _ := os.Getwd()
	var out []Issue
	reported := false // whether the element of i is among them: else i is not about its type
	for k := 0; iter.Next(); k++ {
		element := iter.Value()
		for _, elems := range constraints {
			var failure error
			for _, e := range elems {
				if failure = element.Unify(e).Validate(cue.Concrete(true)); failure == nil {
					break
				}
			}
			if failure == nil {
				continue
			}
			pos, ok := userPos(element)
			if !ok {
				break
			}
			for _, f := range issues(failure).(*Error).Issues { //nolint:errorlint // issues returns the *Error itself, never a wrapped one
				f.Pos = position([]token.Pos{pos}, cwd)
				f.Path = i.Path[:strings.LastIndex(i.Path, ".")+1] + strconv.Itoa(k)
				reported = reported || f.Path == i.Path
				out = append(out, f)
				break
			}
			break
		}
	}
	if !reported {
		return nil
	}
	return out
}

// sourceAt is the innermost expression of the user's file that starts at pos
// (file:line:col), or nil.
func sourceAt(pos string) ast.Node {
	var found ast.Node
	walkAt(pos, func(n ast.Node, _ []ast.Node) {
		if _, ok := n.(ast.Expr); ok {
			found = n
		}
	})
	return found
}

// enclosingList is the list literal holding the element at pos.
func enclosingList(pos string) (*ast.ListLit, bool) {
	var list *ast.ListLit
	walkAt(pos, func(_ ast.Node, stack []ast.Node) {
		if len(stack) > 0 {
			list, _ = stack[len(stack)-1].(*ast.ListLit)
		}
	})
	return list, list != nil
}

// walkAt parses the file of pos and calls fn, with the nodes enclosing it, for every
// node starting at pos's line and column.
func walkAt(pos string, fn func(n ast.Node, stack []ast.Node)) {
	var file string
	var line, col int
	if k := strings.LastIndex(pos, ".cue:"); k < 0 {
		return
	} else if _, err := fmt.Sscanf(pos[k+len(".cue:"):], "%d:%d", &line, &col); err != nil {
		return
	} else {
		file = pos[:k+len(".cue")]
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return
	}
	f, err := parser.ParseFile(file, data)
	if err != nil {
		return
	}
	var stack []ast.Node
	ast.Walk(f, func(n ast.Node) bool {
		if p := n.Pos(); p.Line() == line && p.Column() == col {
			fn(n, stack)
		}
		stack = append(stack, n)
		return true
	}, func(ast.Node) { stack = stack[:len(stack)-1] })
}

// validatorFormat is CUE's message when a validator (net.IPCIDR, …) refuses a value
// (cuelang.org/go v0.17.1 internal/core/adt/expr.go, validateWithBuiltin).
const validatorFormat = "invalid value %s (does not satisfy %s)"

// builtinValidators say, for CUE's validators the schema uses, what a value must look
// like, with an example.
var builtinValidators = map[string]string{
	"net.IPCIDR": "an IP prefix in CIDR notation, address/length (203.0.113.0/28, 2001:db8::/48)",
	"net.IP":     "an IP address (203.0.113.7, 2001:db8::7)",
}

// explainBuiltin restates a value a CUE validator refused ("invalid value "…" (does
// not satisfy net.IPCIDR): netip.ParsePrefix(…): …") as what the value must be, with
// the parser's reason for this one.
func explainBuiltin(n network, i Issue) (Issue, bool) {
	for validator, want := range builtinValidators {
		marker := "(does not satisfy " + validator + "): "
		at := strings.Index(i.Message, marker)
		if at < 0 {
			continue
		}
		value := strings.TrimPrefix(i.Message[:at], "invalid value ")
		reason := i.Message[at+len(marker):]
		// The parser's own words come last: "…: ParseAddr(…): IPv4 field has value >255".
		if k := strings.LastIndex(reason, "): "); k >= 0 {
			reason = reason[k+3:]
		}
		i.Message = fmt.Sprintf("%s is not %s: %s", strings.TrimSpace(value), want, reason)
		return i, true
	}
	return i, false
}
