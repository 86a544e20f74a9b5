//go:build e2e

package e2e

import "github.com/go-git/go-git/v5/plumbing"

func plumbingHash(sha string) plumbing.Hash { return plumbing.NewHash(sha) }
