package platform

import (
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/format"
)

// The records launch writes, relative to the repository.
const (
	GenesisRecord    = "cue/genesis.cue"
	ValidatorsRecord = "cue/validators.cue"
	// ChannelsRecord holds each running channel's config as last recorded
	// (fabric.channels.<c>.onChain).
	ChannelsRecord = "cue/channels.cue"
)

// CUEFile prints a record: package network, the doc comment lines, then field. Every
// record is printed by the CUE formatter, so that the same record is the same bytes.
func CUEFile(doc []string, field *ast.Field) ([]byte, error) {
	pkg := &ast.Package{Name: ast.NewIdent("network")}
	comments := &ast.CommentGroup{Doc: true}
	for _, line := range doc {
		comments.List = append(comments.List, &ast.Comment{Text: line})
	}
	ast.AddComment(pkg, comments)
	return format.Node(&ast.File{Decls: []ast.Decl{pkg, field}}, format.Simplify())
}
