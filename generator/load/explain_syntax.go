package load

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	cueerrors "cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/parser"
	"cuelang.org/go/cue/scanner"
	"cuelang.org/go/cue/token"
)

// syntaxIssues restates the syntax errors among err, the loader's: one line per file,
// the parser's first (after a first mistake, its recovery reports lines that are fine,
// such as "expected '}', found 'EOF'" after an unquoted value), said as the mistake it
// most likely is. It returns false when err holds no syntax error.
func syntaxIssues(err error) (error, bool) {
	var files []string
	for _, e := range cueerrors.Errors(err) {
		if len(e.Path()) > 0 {
			continue
		}
		for _, p := range cueerrors.Positions(e) {
			if name := p.Filename(); name != "" && !slices.Contains(files, name) {
				files = append(files, name)
			}
		}
	}
	cwd, _ := os.Getwd()
	var out []Issue
	for _, name := range files {
		data, readErr := os.ReadFile(name)
		if readErr != nil {
			continue
		}
		_, parseErr := parser.ParseFile(name, data)
		list := cueerrors.Errors(parseErr)
		if len(list) == 0 {
			continue
		}
		first := list[0]
		format, args := first.Msg()
		issue := Issue{
			Pos:     position([]token.Pos{first.Position()}, cwd),
			Message: oneLine(fmt.Sprintf(format, args...)),
			format:  format,
		}
		switch {
		case format == "missing ',' in %s":
			if label, value, col, ok := unquotedValue(data, first.Position()); ok {
				issue.Pos = issue.Pos[:strings.LastIndex(issue.Pos, ":")+1] + strconv.Itoa(col)
				issue.Message = fmt.Sprintf("%s %s is not quoted: CUE reads it as references and operators; a string is written in quotes, %s %q", label, value, label, value)
			}
		case format == "expected %s, found '%s'" && len(args) == 2 && strings.Contains(fmt.Sprint(args[1]), "}"):
			if label, closer, ok := missingBrace(name, data); ok {
				issue.Pos = position([]token.Pos{label.pos}, cwd)
				issue.Message = fmt.Sprintf("the '{' after %s: is missing (its '}' is at line %d)", label.lit, closer.Line())
			}
		case format == "expected %s, found '%s'" && len(args) == 2 && strings.Contains(fmt.Sprint(args[0]), "}"):
			if open, closer, ok := unclosedBrace(name, data); ok {
				issue.Pos = position([]token.Pos{open}, cwd)
				issue.Message = "this '{' is never closed: add its '}'"
				if closer.IsValid() {
					issue.Message += fmt.Sprintf(" (the '}' at line %d, indented as an outer block's, closes it instead)", closer.Line())
				}
			}
		}
		out = append(out, issue)
	}
	if len(out) == 0 {
		return nil, false
	}
	return &Error{Issues: out}, true
}

// tokens scans a file's source into its tokens, comments left out.
type scanned struct {
	pos token.Pos
	tok token.Token
	lit string
}

func scan(name string, data []byte) []scanned {
	file := token.NewFile(name, 0, len(data))
	var s scanner.Scanner
	s.Init(file, data, nil, 0)
	var out []scanned
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			return out
		}
		out = append(out, scanned{pos, tok, lit})
	}
}

// unquotedValue finds, on the line of pos, the field whose value runs into pos
// unquoted ("image: docker.io/hyperledger/besu:24.12.2", where the parser stops at
// the second ':'), and returns its label as written ("image:", "besu ="), the value's
// text and its column.
func unquotedValue(data []byte, pos token.Pos) (field, value string, column int, ok bool) {
	lineStart := pos.Offset() - (pos.Column() - 1)
	if lineStart < 0 || pos.Offset() > len(data) {
		return "", "", 0, false
	}
	lineEnd := len(data)
	if k := strings.IndexByte(string(data[lineStart:]), '\n'); k >= 0 {
		lineEnd = lineStart + k
	}
	line := data[lineStart:lineEnd]
	tokens := scan("line", line)
	col := pos.Column() - 1
	for k := len(tokens) - 3; k >= 0; k-- {
		l, colon, v := tokens[k], tokens[k+1], tokens[k+2]
		if (colon.tok != token.COLON && colon.tok != token.BIND) || colon.pos.Offset() >= col || v.tok != token.IDENT || (l.tok != token.IDENT && l.tok != token.STRING) {
			continue
		}
		// The value runs to the end of the field: a ',', the struct's '}', a comment
		// or the end of the line ("displayName: Contoso Bank" is one unquoted value).
		text := string(line[v.pos.Offset():])
		if end := strings.IndexAny(text, ",}]"); end >= 0 {
			text = text[:end]
		}
		if end := strings.Index(text, "//"); end >= 0 {
			text = text[:end]
		}
		text = strings.TrimSpace(text)
		if text == v.lit || strings.ContainsAny(text, `"'`) {
			return "", "", 0, false // a plain reference, or something else than a bare string
		}
		label := l.lit + ":"
		if colon.tok == token.BIND {
			label = l.lit + " ="
		}
		return label, text, v.pos.Offset() + 1, true
	}
	return "", "", 0, false
}

// unclosedBrace finds the '{' whose '}' is missing. Braces pair up to the end of the
// file, each '}' closing the wrong '{' after the hole, so the parser's error is at EOF;
// cue fmt indents a '}' as the line of its '{', so the first '}' indented less than
// its '{' line shows which '{' lost its own. Without such a '}', the innermost '{'
// still open at the end is the one.
func unclosedBrace(name string, data []byte) (open, closer token.Pos, ok bool) {
	var stack []scanned
	for _, t := range scan(name, data) {
		switch t.tok {
		case token.LBRACE, token.LBRACK, token.LPAREN:
			stack = append(stack, t)
		case token.RBRACE, token.RBRACK, token.RPAREN:
			if len(stack) == 0 {
				return token.NoPos, token.NoPos, false
			}
			top := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if top.tok != token.LBRACE || t.tok != token.RBRACE {
				continue
			}
			if lead, first := leading(data, t.pos); first && len(lead) < len(lineIndent(data, top.pos)) {
				return top.pos, t.pos, true
			}
		}
	}
	for k := len(stack) - 1; k >= 0; k-- {
		if stack[k].tok == token.LBRACE {
			return stack[k].pos, token.NoPos, true
		}
	}
	return token.NoPos, token.NoPos, false
}

// missingBrace finds the field whose '{' was deleted ("a:" alone on its line, its
// fields below it): the '}' that ended its struct then closes an outer '{', and is
// indented deeper than that '{' line (cue fmt indents a '}' as its '{' line). The
// field is the nearest line above that '}', indented as it, ending in ':'.
func missingBrace(name string, data []byte) (label scanned, closer token.Pos, ok bool) {
	tokens := scan(name, data)
	var stack []scanned
	for k, t := range tokens {
		switch t.tok {
		case token.LBRACE, token.LBRACK, token.LPAREN:
			stack = append(stack, t)
			continue
		case token.RBRACE, token.RBRACK, token.RPAREN:
		default:
			continue
		}
		if len(stack) == 0 {
			return scanned{}, token.NoPos, false
		}
		top := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		lead, first := leading(data, t.pos)
		if t.tok != token.RBRACE || !first || len(lead) <= len(lineIndent(data, top.pos)) {
			continue
		}
		for j := k - 1; j > 0; j-- {
			if tokens[j].pos.Offset() < top.pos.Offset() {
				break
			}
			// A line ending in ':': the next token is on a later line.
			colon, next := tokens[j-1], tokens[j]
			if colon.tok == token.COLON && next.pos.Line() > colon.pos.Line() && lineIndent(data, colon.pos) == lead {
				first := j - 1
				for first > 0 && tokens[first-1].pos.Line() == colon.pos.Line() {
					first--
				}
				return tokens[first], t.pos, true
			}
		}
		return scanned{}, token.NoPos, false
	}
	return scanned{}, token.NoPos, false
}

// leading is the text of p's line before p, and whether it is only blanks (p is the
// line's first token).
func leading(data []byte, p token.Pos) (string, bool) {
	start := p.Offset() - (p.Column() - 1)
	lead := string(data[start:p.Offset()])
	return lead, strings.TrimLeft(lead, " \t") == ""
}

// lineIndent is the blanks that start p's line.
func lineIndent(data []byte, p token.Pos) string {
	line := string(data[p.Offset()-(p.Column()-1):])
	return line[:len(line)-len(strings.TrimLeft(line, " \t"))]
}
