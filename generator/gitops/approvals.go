package gitops

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/flux-ledger/flux-ledger/generator/approval"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/tree"
)

// ApprovedTree is the hash of c's tree without its approvals/ directory: what an
// approval names, so that committing approvals does not change what they approve.
// The tree object is encoded by go-git exactly as Git encodes it, so a tree without
// approvals/ hashes to itself.
func ApprovedTree(c *object.Commit) (plumbing.Hash, error) {
	t, err := c.Tree()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	stripped := &object.Tree{}
	for _, e := range t.Entries {
		if e.Name != approval.Dir {
			stripped.Entries = append(stripped.Entries, e)
		}
	}
	if len(stripped.Entries) == len(t.Entries) {
		return t.Hash, nil
	}
	obj := &plumbing.MemoryObject{}
	if err := stripped.Encode(obj); err != nil {
		return plumbing.ZeroHash, err
	}
	return obj.Hash(), nil
}

// ChangeStatement is the statement an approval of base → head must carry (Party
// left empty): the network's name at base and both trees without approvals/.
func ChangeStatement(base, head *object.Commit, network *model.Network) (approval.Statement, error) {
	b, err := ApprovedTree(base)
	if err != nil {
		return approval.Statement{}, err
	}
	h, err := ApprovedTree(head)
	if err != nil {
		return approval.Statement{}, err
	}
	return approval.Statement{Network: network.Name, BaseTree: b.String(), ResultTree: h.String()}, nil
}

// Approvals judges the approval files that head brings against base — every entry
// of head's approvals/ that base does not hold with the same content — as approvals
// of the change base → head, with the approval keys of baseNet. Files approvals/
// held at base already (earlier changes' approvals) are not this change's and are
// left out. Anything under approvals/ that is not a regular file is refused: nothing
// there is covered by the approvals themselves.
func Approvals(base, head *object.Commit, baseNet *model.Network) ([]approval.Verdict, error) {
	want, err := ChangeStatement(base, head, baseNet)
	if err != nil {
		return nil, err
	}
	return approvalsBetween(base, head, want, baseNet)
}

func approvalsBetween(base, head *object.Commit, want approval.Statement, baseNet *model.Network) ([]approval.Verdict, error) {
	before, err := approvalEntries(base)
	if err != nil {
		return nil, err
	}
	after, err := approvalEntries(head)
	if err != nil {
		return nil, err
	}
	headTree, err := head.Tree()
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(after))
	for name := range after {
		names = append(names, name)
	}
	sort.Strings(names)
	var out []approval.Verdict
	for _, name := range names {
		e := after[name]
		if old, ok := before[name]; ok && old.Hash == e.Hash && old.Mode == e.Mode {
			continue
		}
		file := approval.Dir + "/" + name
		if name == "" {
			out = append(out, approval.Verdict{File: approval.Dir, Problem: "not a directory: approvals/ holds approval files only"})
			continue
		}
		if e.Mode != filemode.Regular {
			out = append(out, approval.Verdict{File: file, Problem: "not a regular file: approvals/ holds approval files only"})
			continue
		}
		data, err := readBlob(headTree, file)
		if err != nil {
			out = append(out, approval.Verdict{File: file, Problem: err.Error()})
			continue
		}
		out = append(out, approval.Check(file, data, want, baseNet))
	}
	return out, nil
}

// approvalEntries are the entries directly under c's approvals/ (none without it).
func approvalEntries(c *object.Commit) (map[string]object.TreeEntry, error) {
	t, err := c.Tree()
	if err != nil {
		return nil, err
	}
	out := map[string]object.TreeEntry{}
	e, err := t.FindEntry(approval.Dir)
	if err != nil {
		return out, nil
	}
	if e.Mode != filemode.Dir {
		out[""] = *e
		return out, nil
	}
	sub, err := t.Tree(approval.Dir)
	if err != nil {
		return nil, err
	}
	for _, entry := range sub.Entries {
		out[entry.Name] = entry
	}
	return out, nil
}

// readBlob reads a file of t, at most approval.MaxFileSize bytes of it.
func readBlob(t *object.Tree, p string) ([]byte, error) {
	f, err := t.File(p)
	if err != nil {
		return nil, err
	}
	if f.Size > approval.MaxFileSize {
		return nil, fmt.Errorf("larger than %d bytes: not an approval file", approval.MaxFileSize)
	}
	r, err := f.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(io.LimitReader(r, approval.MaxFileSize+1))
}

// UncommittedApprovals lists the files of the working directory's approvals/ that
// head does not hold as they are: plan reads approvals from commits only.
func UncommittedApprovals(head *object.Commit, dir string) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(dir, approval.Dir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	committed, err := approvalEntries(head)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		p := approval.Dir + "/" + e.Name()
		data, err := tree.ReadInput(dir, p)
		if c, ok := committed[e.Name()]; err == nil && ok && c.Hash == plumbing.ComputeHash(plumbing.BlobObject, data) {
			continue
		}
		out = append(out, p)
	}
	return out, nil
}

// ApprovalFilesAt lists the paths under c's approvals/.
func ApprovalFilesAt(c *object.Commit) (map[string]bool, error) {
	entries, err := approvalEntries(c)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for name := range entries {
		out[approval.Dir+"/"+name] = true
	}
	return out, nil
}
