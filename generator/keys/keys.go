// Package keys manages node identities in a network repository: it creates missing ones
// (public half into cue/identities/, private half sealed to the owning party under
// parties/<party>/secrets/), re-encrypts a party's secrets to a new recipient list, and
// verifies that sealed keys match their public identities. On Fabric the identities are
// x509 certificates from each party's own CAs (fabric.go), which `keys renew` re-issues
// before they expire (fabric_renew.go).
package keys

import (
	"crypto/ecdsa"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"filippo.io/age"

	"github.com/flux-ledger/flux-ledger/generator/identity"
	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/secrets"
	"github.com/flux-ledger/flux-ledger/generator/tree"
)

// LockTimeout is how long a writer waits for another one to finish.
const LockTimeout = 30 * time.Second

// Result lists the files a command wrote, relative to the repository root.
type Result struct {
	Written []string
	// Advice is what the user should do next (e.g. rotate keys after a recipient left).
	Advice []string
}

// InitOptions selects what `keys init` creates.
type InitOptions struct {
	Party string
	// All creates identities for every party (Party must be empty).
	All bool
	// Rotate names nodes whose existing identity is deliberately replaced.
	Rotate []string
	// Identities are the caller's age identities. On Fabric, issuing certificates for
	// a party whose CAs already exist needs one of the party's: its CA keys are sealed.
	Identities []age.Identity
}

// Init creates an identity for every node of the party (or of every party) that has
// none, and for each node in Rotate. Existing identities are never touched otherwise.
// Everything is computed and sealed in memory first; files are written only when all
// succeeded.
func Init(repo string, opts InitOptions) (*Result, error) {
	if opts.All == (opts.Party != "") {
		return nil, errors.New("name one party, or all parties")
	}
	result, err := load.Network(filepath.Join(repo, "cue"))
	if err != nil {
		return nil, err
	}
	network := result.Network
	parties := network.PartyNames()
	if !opts.All {
		if _, ok := network.Parties[opts.Party]; !ok {
			return nil, unknownParty(network, opts.Party)
		}
		parties = []string{opts.Party}
	}
	if network.IsFabric() {
		return initFabric(repo, network, parties, opts)
	}
	out := tree.Tree{}
	nodesByParty := network.NodesByParty()
	rotate := map[string]bool{}
	for _, r := range opts.Rotate {
		node, ok := network.Nodes[r]
		if !ok || !slices.Contains(parties, node.Party) {
			return nil, fmt.Errorf("--rotate %s: %s has no node %q", r, strings.Join(parties, ", "), r)
		}
		if network.Launched && node.IsValidator() {
			return nil, fmt.Errorf("--rotate %s: %s is a validator of the launched network %s, and a key rotation is the old key out, then the new one in: set its role to \"member\" (the validators vote the old key out), rotate once flux-ledger status shows it gone, then make it a validator again", r, r, network.Name)
		}
		rotate[r] = true
	}
	for _, name := range parties {
		if err := initParty(out, repo, network, network.Parties[name], nodesByParty[name], rotate); err != nil {
			return nil, err
		}
	}
	sopsConfig, err := secrets.Config(network)
	if err != nil {
		return nil, err
	}
	out[secrets.ConfigPath] = sopsConfig
	return write(repo, out)
}

// initParty adds the missing (and rotated) identities of one party to out.
func initParty(out tree.Tree, repo string, network *model.Network, party model.Party, nodes []model.Node, rotate map[string]bool) error {
	if err := checkSealedTo(repo, party, nodes); err != nil {
		return err
	}
	for _, node := range nodes {
		if _, has := network.Identities[node.Name]; has && !rotate[node.Name] {
			continue
		}
		// A node without public identity but with a sealed key has lost its identity
		// file, not its key: replacing the key would silently change the node's
		// address (and a validator's vote). Only --rotate may do that.
		if sealed := identity.SecretPath(party.Name, node.Name); !rotate[node.Name] {
			if _, err := os.Lstat(filepath.Join(repo, filepath.FromSlash(sealed))); err == nil {
				return fmt.Errorf("%s: node %s already has a sealed key but no %s; restore that file (e.g. git checkout -- %s), or replace the key with --rotate %s",
					sealed, node.Name, identity.IdentityPath(node.Name), identity.IdentityPath(node.Name), node.Name)
			}
		}
		key, err := identity.Generate()
		if err != nil {
			return err
		}
		if err := seal(out, network, node, key); err != nil {
			return err
		}
	}
	return nil
}

// seal adds a node's sealed key Secret and public identity to out.
func seal(out tree.Tree, network *model.Network, node model.Node, key *ecdsa.PrivateKey) error {
	plain, err := identity.Secret(network, node, key)
	if err != nil {
		return err
	}
	sealed, err := secrets.Seal(plain, network.Parties[node.Party].Recipients)
	if err != nil {
		return fmt.Errorf("%s: %w", identity.SecretPath(node.Party, node.Name), err)
	}
	public, err := identity.CUE(node, identity.Public(key))
	if err != nil {
		return err
	}
	out[identity.SecretPath(node.Party, node.Name)] = sealed
	out[identity.IdentityPath(node.Name)] = public
	return nil
}

// RewrapOptions selects the party whose secrets are re-encrypted and the key to do it.
type RewrapOptions struct {
	Party string
	// Identities are the caller's age identities; one must be a current recipient.
	Identities []age.Identity
}

// Rewrap re-encrypts every secret of the party whose recipients differ from the
// party's recipients in the network, using a current recipient's identity. Files that
// already match are left byte-identical.
func Rewrap(repo string, opts RewrapOptions) (*Result, error) {
	_, party, err := loadParty(repo, opts.Party)
	if err != nil {
		return nil, err
	}
	files, err := sealedFiles(repo, party.Name)
	if err != nil {
		return nil, err
	}
	out := tree.Tree{}
	var failed []string
	removed := map[string]bool{}
	var exposed, exposedOrg []string
	for _, f := range files {
		data, err := tree.ReadInput(repo, filepath.ToSlash(f))
		if err != nil {
			return nil, err
		}
		current, err := secrets.Recipients(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		if secrets.SameRecipients(current, party.Recipients) {
			continue
		}
		if gone := without(current, party.Recipients); len(gone) > 0 {
			for _, r := range gone {
				removed[r] = true
			}
			if node, ok := strings.CutSuffix(filepath.Base(f), "-nodekey.yaml"); ok {
				exposed = append(exposed, node)
			} else {
				exposedOrg = append(exposedOrg, f)
			}
		}
		rewrapped, err := secrets.Rewrap(data, opts.Identities, party.Recipients)
		if err != nil {
			failed = append(failed, f)
			continue
		}
		out[f] = rewrapped
	}
	if len(failed) > 0 {
		return nil, fmt.Errorf("cannot decrypt %s with the given age identity: rewrapping needs a key of a current recipient", strings.Join(failed, ", "))
	}
	result, err := write(repo, out)
	if err != nil {
		return nil, err
	}
	// Rewrapping re-encrypts the data key only (SOPS keeps it): a removed recipient
	// could decrypt these files before and, with a copy of the old history or of the
	// data key, still can. The node keys themselves must change.
	if len(exposed) > 0 {
		var args []string
		for _, n := range exposed {
			args = append(args, "--rotate "+n)
		}
		result.Advice = append(result.Advice, fmt.Sprintf("removed recipient(s) %s could read these node keys and the Git history keeps them; rotate them: flux-ledger keys init --party %s %s",
			strings.Join(slices.Sorted(maps.Keys(removed)), ", "), party.Name, strings.Join(args, " ")))
	}
	// A Fabric party's CA and admin keys: replacing them changes the organisation in
	// every channel's configuration, which the other parties must sign.
	if len(exposedOrg) > 0 {
		result.Advice = append(result.Advice, fmt.Sprintf("removed recipient(s) %s could read %s and the Git history keeps them: the party's CA or admin keys must be replaced, which changes its organisation in every channel (a config update the other parties sign)",
			strings.Join(slices.Sorted(maps.Keys(removed)), ", "), strings.Join(exposedOrg, ", ")))
	}
	return result, nil
}

// without lists the elements of a not in b.
func without(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// VerifyOptions selects the party whose sealed keys are checked.
type VerifyOptions struct {
	Party      string
	Identities []age.Identity
}

// Verify decrypts every node key of the party and checks it against the node's public
// identity, and that each secret is sealed to exactly the party's recipients. It
// returns one error line per problem, each naming its file.
func Verify(repo string, opts VerifyOptions) error {
	network, party, err := loadParty(repo, opts.Party)
	if err != nil {
		return err
	}
	if network.IsFabric() {
		return verifyFabric(repo, network, party, opts.Identities)
	}
	var problems []string
	for _, node := range network.NodesByParty()[party.Name] {
		path := identity.SecretPath(party.Name, node.Name)
		if err := verifyNode(repo, network, party, node, opts.Identities); err != nil {
			problems = append(problems, path+": "+err.Error())
		}
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "\n"))
	}
	return nil
}

func verifyNode(repo string, network *model.Network, party model.Party, node model.Node, ids []age.Identity) error {
	public, ok := network.Identities[node.Name]
	if !ok {
		return fmt.Errorf("node %s has no public identity in %s", node.Name, identity.IdentityPath(node.Name))
	}
	plain, err := openOwnSealed(repo, identity.SecretPath(party.Name, node.Name), party, ids)
	if err != nil {
		return err
	}
	key, err := identity.KeyFromSecret(plain)
	if err != nil {
		return err
	}
	if got := identity.Public(key); got != public {
		return fmt.Errorf("private key does not match the public identity in %s (key address %s, identity address %s)",
			identity.IdentityPath(node.Name), got.Address, public.Address)
	}
	return nil
}

// openOwnSealed reads a sealed file of the party, checks that it is sealed to exactly the
// party's recipients, and decrypts it with the caller's identities.
func openOwnSealed(repo, path string, party model.Party, ids []age.Identity) ([]byte, error) {
	sealed, err := tree.ReadInput(repo, path)
	if err != nil {
		return nil, fmt.Errorf("unreadable: %w", unwrapPathError(err))
	}
	recipients, err := secrets.Recipients(sealed)
	if err != nil {
		return nil, err
	}
	if !secrets.SameRecipients(recipients, party.Recipients) {
		return nil, fmt.Errorf("sealed to %s, but party %s's recipients are %s (run flux-ledger keys rewrap --party %s)",
			strings.Join(recipients, ","), party.Name, strings.Join(party.Recipients, ","), party.Name)
	}
	return secrets.Open(sealed, ids)
}

// checkSealedTo refuses to add keys for a party whose existing secrets are sealed to
// another recipient list: the repository would hold a mix, and the fix is a rewrap.
func checkSealedTo(repo string, party model.Party, nodes []model.Node) error {
	files, err := sealedFiles(repo, party.Name)
	if err != nil {
		return err
	}
	var stale []string
	for _, f := range files {
		data, err := tree.ReadInput(repo, filepath.ToSlash(f))
		if err != nil {
			return err
		}
		recipients, err := secrets.Recipients(data)
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		if !secrets.SameRecipients(recipients, party.Recipients) {
			stale = append(stale, f)
		}
	}
	if len(stale) > 0 {
		return fmt.Errorf("%s: sealed to an outdated recipient list for party %s; run flux-ledger keys rewrap --party %s --identity <age key file> first",
			strings.Join(stale, ", "), party.Name, party.Name)
	}
	return nil
}

// sealedFiles lists the party's sealed Secret files, relative to the repository.
func sealedFiles(repo, party string) ([]string, error) {
	dir := filepath.Join(repo, "parties", party, "secrets")
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var files []string
	for _, e := range entries {
		// kustomization.yaml is the generator's index of the sealed files, not one of them.
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".yaml") && e.Name() != "kustomization.yaml" {
			files = append(files, "parties/"+party+"/secrets/"+e.Name())
		}
	}
	return files, nil
}

func loadParty(repo, name string) (*model.Network, model.Party, error) {
	result, err := load.Network(filepath.Join(repo, "cue"))
	if err != nil {
		return nil, model.Party{}, err
	}
	network := result.Network
	party, ok := network.Parties[name]
	if !ok {
		return nil, model.Party{}, unknownParty(network, name)
	}
	return network, party, nil
}

func unknownParty(network *model.Network, name string) error {
	names := network.PartyNames()
	if len(names) > 10 {
		names = append(names[:10], "…")
	}
	return fmt.Errorf("unknown party %q (parties: %s)", name, strings.Join(names, ", "))
}

// write applies the files under one repository lock, only those that differ.
func write(repo string, files tree.Tree) (*Result, error) {
	written, err := tree.WriteChanged(repo, files, LockTimeout)
	if err != nil {
		return nil, err
	}
	return &Result{Written: written}, nil
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
