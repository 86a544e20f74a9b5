package generator

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/flux-ledger/flux-ledger/generator/identity"
	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render"
	"github.com/flux-ledger/flux-ledger/generator/render/owners"
	"github.com/flux-ledger/flux-ledger/generator/render/platform"
	"github.com/flux-ledger/flux-ledger/generator/rendercache"
	"github.com/flux-ledger/flux-ledger/generator/secrets"
	"github.com/flux-ledger/flux-ledger/generator/tree"
)

// Options control one generation.
type Options struct {
	// Repo is the repository root (holds cue/, parties/, clusters/).
	Repo string
	// Check computes the changes without writing anything.
	Check bool
	// LockTimeout bounds the wait for another writer (default 30s).
	LockTimeout time.Duration
	// Prune also deletes files in generator-owned directories that the generator did
	// not write (never anything under parties/<party>/secrets/).
	Prune bool
	// CacheDir holds the record of rendered units (rendercache); "" for the default,
	// "off" to render every unit.
	CacheDir string
}

// Report says what a generation changed (or, with Check, would change).
type Report struct {
	Network *model.Network
	Changes []tree.FileChange
	// Orphans are sealed secrets whose node no longer exists; they are kept, unused.
	Orphans []string
	// Rendered are the unit directories (parties/<party>, policies/parties/<party>,
	// clusters/<cluster>) rendered this time; the others' inputs and files were as
	// the render record left them, so their files were taken from the disk.
	Rendered []string
}

// Generate loads and validates the network, renders the desired tree and brings the
// generator-owned paths of the repository to it, writing only files whose bytes differ.
func Generate(opts Options) (*Report, error) {
	if opts.LockTimeout == 0 {
		opts.LockTimeout = 30 * time.Second
	}
	if !opts.Check {
		unlock, err := tree.Lock(opts.Repo, opts.LockTimeout)
		if err != nil {
			return nil, err
		}
		defer unlock()
	}
	// What needs the repository and not the network is read while CUE evaluates the
	// network (readAheadOf); it is awaited even when that fails, so nothing reads
	// the repository once Generate has returned.
	ahead := make(chan *readAhead, 1)
	go func() { ahead <- readAheadOf(opts) }()
	result, err := load.Network(filepath.Join(opts.Repo, "cue"))
	pre := <-ahead
	if err != nil {
		return nil, err
	}
	network := result.Network
	if err := checkIdentities(network); err != nil {
		return nil, err
	}
	cache := pre.cache
	orphans, err := checkSecrets(opts.Repo, network, cache, pre.sealed)
	if err != nil {
		return nil, err
	}
	pre.sealed = nil // 18 MB at 3,000 parties, not needed past the check
	desired, err := cache.Desired(opts.Repo, network)
	if err != nil {
		return nil, err
	}
	// The record holds facts about rendering, true whatever happens to the disk next.
	_ = cache.Save()
	if err := owners.Strays(func(p string) bool { _, ok := desired[p]; return ok }, func(p string) bool {
		_, err := os.Lstat(filepath.Join(opts.Repo, filepath.FromSlash(p)))
		return err == nil
	}); err != nil {
		return nil, err
	}
	changes, err := tree.DiffListed(pre.listing, desired, cache.Verified, Ownership, opts.Prune)
	if err != nil {
		return nil, err
	}
	changes = slices.DeleteFunc(changes, func(c tree.FileChange) bool {
		// Seeded files are created once; what replaced them (flux bootstrap) stays.
		return c.Action == tree.Change && render.Seeded(c.Path)
	})
	if network.Launched {
		ledger, err := render.PlatformOf(network)
		if err != nil {
			return nil, err
		}
		if genesis, ok := ledger.(platform.Genesis); ok {
			if err := checkGenesisFrozen(opts.Repo, genesis, changes); err != nil {
				return nil, err
			}
		}
	}
	if !opts.Check {
		if err := tree.Apply(opts.Repo, changes); err != nil {
			return nil, err
		}
		// The disk now holds what was rendered: fingerprint it, so that the next run
		// need not read it to know.
		cache.Settle(opts.Repo)
		_ = cache.Save() // a record not saved costs the next run a render, nothing else
	}
	return &Report{Network: network, Changes: changes, Orphans: orphans, Rendered: cache.Rendered()}, nil
}

// readAhead is what generate reads of the repository before it knows the network.
type readAhead struct {
	// cache is the render record, with the fingerprints of its files taken.
	cache *rendercache.Cache
	// listing is the owned paths' files on disk.
	listing *tree.Listing
	// sealed are the files parties/*/secrets/*.yaml, as tree.ReadInput read them (an
	// error is kept for the check that would have read the file).
	sealed map[string]sealedFile
}

type sealedFile struct {
	data []byte
	err  error
}

// readAheadOf reads what a generate needs of the repository and not of the network:
// the render record (whose key, the executable's digest, hashes the whole binary) and
// its files' fingerprints, the owned paths' files and the sealed keys. CUE evaluates
// the network on one core and leaves the other mostly idle; read after it, in a no-op
// generate at 300 parties these made a fifth of the run. Nothing here acts on what it
// finds: each is checked, and each error reported, where it was before, after the
// network is loaded and valid.
func readAheadOf(opts Options) *readAhead {
	pre := &readAhead{sealed: map[string]sealedFile{}}
	pre.cache = rendercache.Open(opts.Repo, opts.CacheDir)
	pre.cache.Prefetch(opts.Repo)
	pre.listing = tree.Scan(opts.Repo, Ownership)
	files, _ := filepath.Glob(filepath.Join(opts.Repo, "parties", "*", "secrets", "*.yaml"))
	for _, f := range files {
		rel, err := filepath.Rel(opts.Repo, f)
		if err != nil {
			continue
		}
		rel = filepath.ToSlash(rel)
		data, err := tree.ReadInput(opts.Repo, rel)
		pre.sealed[rel] = sealedFile{data, err}
	}
	return pre
}

// Ownership is render's ownership with one more promise: nothing under a party's
// secrets/ directory is ever deleted by generate — not a sealed key, not a backup a
// person put there — except the index of sealed keys generate itself writes.
var Ownership = func() tree.Ownership {
	own := render.Ownership
	own.Keep = func(p string) bool {
		return render.WrittenByOthers(p) || inSecrets(p) && !generatedInSecrets(p)
	}
	return own
}()

// inSecrets reports whether p lies under parties/<party>/secrets/.
func inSecrets(p string) bool {
	parts := strings.SplitN(p, "/", 4)
	return len(parts) == 4 && parts[0] == "parties" && parts[2] == "secrets"
}

func generatedInSecrets(p string) bool {
	parts := strings.Split(p, "/")
	return len(parts) == 4 && parts[3] == "kustomization.yaml"
}

// Desired is the whole tree generate writes for a network: the rendered files and,
// in every owned directory, the index of what the generator wrote there.
func Desired(network *model.Network) (tree.Tree, error) { return render.Desired(network) }

// checkGenesisFrozen refuses to rewrite a launched network's block 0, as every party's
// directory carries it: the running chain would no longer match it. Only config-only
// fields (validator transitions) may change; validators otherwise change by vote.
func checkGenesisFrozen(repo string, genesis platform.Genesis, changes []tree.FileChange) error {
	pattern := path.Join("parties", "*", genesis.GenesisFile())
	// Every party carries the same genesis: a pair of bytes checked once is not parsed
	// again for the next party.
	var checkedWas, checkedNow []byte
	for _, c := range changes {
		if match, _ := path.Match(pattern, c.Path); c.Action != tree.Change || !match {
			continue
		}
		current, err := os.ReadFile(filepath.Join(repo, filepath.FromSlash(c.Path)))
		if err != nil {
			return err
		}
		if bytes.Equal(current, checkedWas) && bytes.Equal(c.Data, checkedNow) {
			continue
		}
		checkedWas, checkedNow = current, c.Data
		was, errWas := genesis.BlockZero(current)
		now, errNow := genesis.BlockZero(c.Data)
		if errWas != nil || errNow != nil || was != now {
			return fmt.Errorf("%s: the network is launched, its genesis block is frozen (cue/genesis.cue); validators change by vote or transition (see flux-ledger plan)", c.Path)
		}
	}
	return nil
}

// checkIdentities fails when a node has no public identity, naming the command that
// creates the missing ones.
func checkIdentities(network *model.Network) error {
	missing := map[string][]string{}
	for _, name := range network.NodeNames() {
		if _, ok := network.Identities[name]; !ok {
			party := network.Nodes[name].Party
			missing[party] = append(missing[party], name)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	var lines []string
	for _, party := range network.PartyNames() {
		if nodes := missing[party]; len(nodes) > 0 {
			lines = append(lines, fmt.Sprintf("nodes without identity: %s; run: flux-ledger keys init --party %s",
				strings.Join(nodes, ", "), party))
		}
	}
	return errors.New(strings.Join(lines, "\n"))
}

// checkSecrets makes sure every node's sealed key exists and is sealed to its party's
// current recipients, and lists sealed keys left behind by removed nodes.
// The files already read (readAheadOf) are not read again.
func checkSecrets(repo string, network *model.Network, cache *rendercache.Cache, read map[string]sealedFile) (orphans []string, err error) {
	var problems []string
	var refusal error // a link or irregular file: reported alone, as the writers do
	expected := map[string]bool{}
	check := func(rel string, party model.Party, missing string) {
		expected[rel] = true
		f, ok := read[filepath.ToSlash(rel)]
		if !ok {
			f.data, f.err = tree.ReadInput(repo, filepath.ToSlash(rel))
		}
		data, err := f.data, f.err
		var link *tree.SymlinkError
		var refused *tree.InputError
		if errors.As(err, &link) || errors.As(err, &refused) {
			if refusal == nil {
				refusal = err
			}
			return
		}
		if err != nil {
			problems = append(problems, rel+": "+missing)
			return
		}
		recipients, err := cache.SealedRecipients(data, secrets.Recipients)
		if err != nil {
			problems = append(problems, rel+": "+err.Error())
			return
		}
		if !secrets.SameRecipients(recipients, party.Recipients) {
			problems = append(problems, fmt.Sprintf("%s: sealed to an outdated recipient list; run: flux-ledger keys rewrap --party %s", rel, party.Name))
		}
	}
	for _, name := range network.NodeNames() {
		node := network.Nodes[name]
		check(identity.SecretPath(node.Party, name), network.Parties[node.Party],
			fmt.Sprintf("missing sealed node key for %s; run: flux-ledger keys init --party %s --rotate %s", name, node.Party, name))
	}
	for _, name := range network.PartyNames() {
		for _, rel := range identity.PartySecretPaths(network, name) {
			check(rel, network.Parties[name], fmt.Sprintf("missing sealed MSP keys of party %s; restore the file from Git history (git checkout -- %s): new CA keys would make it another organisation to every channel", name, rel))
		}
	}
	if refusal != nil {
		return nil, refusal
	}
	if len(problems) > 0 {
		return nil, errors.New(strings.Join(problems, "\n"))
	}
	// The files of parties/*/secrets/*.yaml: those of the network's parties that no
	// check expected.
	for rel := range read {
		party := strings.Split(rel, "/")[1]
		if _, ok := network.Parties[party]; ok && !expected[rel] && render.WrittenByOthers(rel) {
			orphans = append(orphans, rel)
		}
	}
	sort.Strings(orphans)
	return orphans, nil
}

// Summaries groups the changes by owning directory (parties/<party>, clusters/<cluster>,
// or the file itself at the root), sorted.
func (r *Report) Summaries() []tree.DirSummary { return tree.Summarise(r.Changes) }
