// Package rendercache lets generate render only the units of the tree whose inputs
// changed. It remembers, for each unit (a party's directory, a cluster's entry
// point), the key of the inputs it was last rendered from and the SHA-256 of every
// file that rendering made. When the key is unchanged and the repository still holds
// exactly those bytes, the unit's files are taken from the disk instead of rendered
// and encoded again: a no-op generate, or one that changes a single node, then costs
// little more than validating the network.
//
// The record lives in the user's cache directory, never in the repository: every
// other party can write the repository, and a record there would let it vouch for
// files it changed. A record says only "this binary renders these inputs to these
// bytes", so it is keyed by the running executable's own digest, and every file is
// checked against it: by its fingerprint (size, times, inode) as git's index does,
// when that was taken long enough after the file's last change, or else by reading
// and hashing it. A file changed on disk, by anyone, makes its unit render again. A
// missing, unreadable or foreign record is an empty one.
package rendercache

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/parallel"
	"github.com/flux-ledger/flux-ledger/generator/render"
	"github.com/flux-ledger/flux-ledger/generator/tree"
)

// DirEnv names the directory of the records (default: flux-ledger/render under the
// user's cache directory, as os.UserCacheDir gives it); "off" disables the cache.
const DirEnv = "FLUX_LEDGER_RENDER_CACHE"

// Cache is the record of one repository's rendered units.
type Cache struct {
	file   string // "" when disabled
	record record
	mu     sync.Mutex
	dirty  bool
	// verified are the paths Desired took from the disk after checking them; true
	// for those its fingerprint vouched for, which Settle need not look at again.
	verified map[string]bool
	// seen are the fingerprints Prefetch took of the record's files, by path; a path
	// missing was not a regular file. Desired uses them once, then drops them.
	seen map[string]fingerprint
	// rendered are the directories of the units Desired rendered; units all of them.
	rendered, units []string
	// written is when the record was last written (its file's modification time, in
	// Unix nanoseconds): fingerprints of files changed since are not trusted.
	written int64
	// sealed are the recipients SealedRecipients gave this run, by content digest.
	sealed map[string][]string
}

type record struct {
	// Build is the digest of the executable that rendered the units.
	Build string `json:"build"`
	// Units are by directory.
	Units map[string]unitRecord `json:"units"`
	// Sealed are the age recipients of the sealed files the last run checked, by the
	// SHA-256 of their bytes.
	Sealed map[string][]string `json:"sealed,omitempty"`
}

type unitRecord struct {
	Key string `json:"key"`
	// Files are by path relative to the unit's directory.
	Files map[string]fileRecord `json:"files"`
}

// fileRecord is what a unit's file must hold, and how it last looked on disk when it
// was known to hold it.
type fileRecord struct {
	// SHA256 is the digest of the rendered bytes.
	SHA256 string `json:"sha256"`
	// Seen, when set, is the file as stat saw it while it held those bytes.
	Seen *fingerprint `json:"seen,omitempty"`
}

// fingerprint is how git's index recognises an unchanged file without reading it:
// any write changes the inode's change time (ctime), which no user can set, and a
// file replaced by another is another inode. As in git, a fingerprint is trusted only
// for a file last changed before the record was written (the record file's own
// modification time, from the same clock): one changed in the same clock tick as the
// record is "racily clean", and a write in that tick would leave its times as they
// were, so it is read. Git's rule and its reasons: Documentation/technical/racy-git.txt
// in git's source; TestFingerprintsSpareReadingOnlyWhatTheyCanVouchFor holds this
// code to it.
type fingerprint struct {
	Size  int64  `json:"size"`
	Mtime int64  `json:"mtime"`
	Ctime int64  `json:"ctime"`
	Ino   uint64 `json:"ino"`
	Dev   uint64 `json:"dev"`
}

// Open reads repo's record from dir ("" for the default, see DirEnv). It never fails:
// a cache that cannot be used renders everything, as without one.
func Open(repo, dir string) *Cache {
	if dir == "" {
		dir = os.Getenv(DirEnv)
	}
	if dir == "off" {
		return &Cache{}
	}
	if dir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			return &Cache{}
		}
		dir = filepath.Join(base, "flux-ledger", "render")
	}
	abs, err := filepath.Abs(repo)
	if err != nil {
		return &Cache{}
	}
	build, err := buildDigest(dir)
	if err != nil {
		return &Cache{}
	}
	name := sha256.Sum256([]byte(abs))
	c := &Cache{file: filepath.Join(dir, hex.EncodeToString(name[:16])+".json")}
	c.record = record{Build: build, Units: map[string]unitRecord{}}
	data, err := os.ReadFile(c.file)
	if err != nil {
		return c
	}
	if info, err := os.Stat(c.file); err == nil {
		c.written = info.ModTime().UnixNano()
	}
	var stored record
	if json.Unmarshal(data, &stored) == nil && stored.Build == build && stored.Units != nil {
		c.record = stored
	}
	return c
}

// Desired is render.Desired for the repository at repo, except for the files of the
// units whose key and files on disk match the record: those are not rendered, and
// their entries are nil, as the disk already holds what rendering would make
// (Verified reports them, for tree.DiffVerified).
func (c *Cache) Desired(repo string, network *model.Network) (tree.Tree, error) {
	desired, units, err := render.Split(network)
	if err != nil {
		return nil, err
	}
	kept := make([]map[string]bool, len(units))
	var stale []render.Unit
	for i, u := range units {
		if kept[i] = c.kept(repo, u); kept[i] == nil {
			stale = append(stale, u)
		}
	}
	rendered, err := render.RenderUnits(stale)
	if err != nil {
		return nil, err
	}
	c.rendered, c.units = nil, nil
	for _, u := range units {
		c.units = append(c.units, u.Dir)
	}
	sums := digests{}
	for i, u := range stale {
		c.remember(u, rendered[i], sums)
		c.rendered = append(c.rendered, u.Dir)
	}
	c.verified = map[string]bool{}
	for i, u := range units {
		for p, byFingerprint := range kept[i] {
			desired[path.Join(u.Dir, p)] = nil
			c.verified[path.Join(u.Dir, p)] = byFingerprint
		}
	}
	c.seen = nil
	for i, u := range stale {
		for p, data := range rendered[i] {
			desired[path.Join(u.Dir, p)] = data
		}
	}
	tree.AddIndexes(desired, render.Ownership)
	return desired, nil
}

// Rendered lists the directories of the units the last Desired rendered, in unit
// order; the others it took from the disk.
func (c *Cache) Rendered() []string { return c.rendered }

// Verified reports whether the last Desired took p from the disk, where it holds the
// bytes rendering would make (for tree.DiffVerified).
func (c *Cache) Verified(p string) bool {
	_, ok := c.verified[p]
	return ok
}

// Prefetch takes the fingerprints of every file the record lists, for the next
// Desired, which would otherwise take them itself. It needs no network: generate
// calls it while CUE evaluates the network, on a core that evaluation leaves mostly
// idle. The files are the generator's, and generate holds the repository's lock from
// before Prefetch until after it writes: a file changed by anyone else since has
// another ctime, which the next run sees, as Settle does not fingerprint again a
// file whose fingerprint vouched for it.
func (c *Cache) Prefetch(repo string) {
	if c.file == "" {
		return
	}
	var names []string
	for dir, rec := range c.record.Units {
		for name := range rec.Files {
			names = append(names, path.Join(dir, name))
		}
	}
	seen := make(map[string]fingerprint, len(names))
	for _, name := range names {
		if now, err := stat(filepath.Join(repo, filepath.FromSlash(name))); err == nil {
			seen[name] = now
		}
	}
	c.seen = seen
}

// statSeen is stat of a unit's file, or the fingerprint Prefetch took of it.
func (c *Cache) statSeen(repo, dir, name string) (fingerprint, error) {
	if c.seen != nil {
		if now, ok := c.seen[path.Join(dir, name)]; ok {
			return now, nil
		}
	}
	return stat(filepath.Join(repo, filepath.FromSlash(dir), filepath.FromSlash(name)))
}

// kept reports, when the record has u's key and every file it lists still holds its
// recorded bytes, the names of u's files; nil otherwise. A file whose fingerprint
// is unchanged, and older than the record, is not read (its name maps to true); any
// other is read and hashed (false).
func (c *Cache) kept(repo string, u render.Unit) map[string]bool {
	if c.file == "" {
		return nil
	}
	rec, ok := c.record.Units[u.Dir]
	if !ok || rec.Key != hex.EncodeToString(u.Key[:]) || len(rec.Files) == 0 {
		return nil
	}
	names := make([]string, 0, len(rec.Files))
	for name := range rec.Files {
		names = append(names, name)
	}
	byFingerprint := make([]bool, len(names))
	err := parallel.For(len(names), func(i int) error {
		full := filepath.Join(repo, filepath.FromSlash(u.Dir), filepath.FromSlash(names[i]))
		want := rec.Files[names[i]]
		if now, err := c.statSeen(repo, u.Dir, names[i]); err == nil && want.Seen != nil && now == *want.Seen && max(now.Mtime, now.Ctime) < c.written {
			byFingerprint[i] = true
			return nil
		}
		data, err := readRegular(full)
		sum := sha256.Sum256(data)
		if err != nil || hex.EncodeToString(sum[:]) != want.SHA256 {
			return errChanged
		}
		return nil
	})
	if err != nil {
		return nil
	}
	files := make(map[string]bool, len(names))
	for i, name := range names {
		files[name] = byFingerprint[i]
	}
	return files
}

// errChanged stops checking a unit's files at the first one that is not as recorded.
var errChanged = errors.New("a recorded file changed")

// Settle takes the fingerprints of every unit's files once the repository holds them
// as rendered: after generate wrote its changes, under its lock. It is never called
// when the disk may differ (generate --check). A file Desired took from the disk on
// its fingerprint keeps the one it has: stat would only say it again (or, for a file
// someone changed since, vouch for bytes nobody checked), so a no-op generate
// neither fingerprints its 10,000 files again nor rewrites the record.
func (c *Cache) Settle(repo string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, dir := range c.units {
		rec, ok := c.record.Units[dir]
		if !ok {
			continue
		}
		for name, file := range rec.Files {
			if c.verified[path.Join(dir, name)] {
				continue
			}
			if now, err := stat(filepath.Join(repo, filepath.FromSlash(dir), filepath.FromSlash(name))); err == nil {
				rec.Files[name] = fileRecord{SHA256: file.SHA256, Seen: &now}
				c.dirty = true
			}
		}
	}
}

// stat fingerprints a regular file without following a link.
func stat(name string) (fingerprint, error) {
	var st unix.Stat_t
	if err := unix.Lstat(name, &st); err != nil {
		return fingerprint{}, err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return fingerprint{}, &fs.PathError{Op: "stat", Path: name, Err: errors.New("not a regular file")}
	}
	return fingerprintOf(&st), nil
}

func fingerprintOf(st *unix.Stat_t) fingerprint {
	return fingerprint{
		Size: st.Size, Mtime: st.Mtim.Nano(), Ctime: st.Ctim.Nano(),
		Ino: st.Ino, Dev: uint64(st.Dev), //nolint:unconvert // Dev is not uint64 on every GOARCH
	}
}

// readRegular reads a regular file without following a symbolic link.
func readRegular(name string) ([]byte, error) {
	f, err := os.OpenFile(name, os.O_RDONLY|unix.O_NOFOLLOW, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, &fs.PathError{Op: "read", Path: name, Err: errors.New("not a regular file")}
	}
	// One byte more than the size, to see a file that grew since Stat.
	data := make([]byte, info.Size()+1)
	n, err := io.ReadFull(f, data)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return data[:n], nil
}

// digests are the SHA-256 digests of rendered files by the bytes' address and length:
// the files every party's directory shares (Fabric's channel blocks and TLS roots,
// Besu's genesis) are one encoding referenced by every party, 213 of the 247 MB a
// cold generate renders at 300 Fabric organisations, and are hashed once. Rendered
// bytes are never written to after rendering, so the same address and length are the
// same bytes.
type digests map[digestKey]string

type digestKey struct {
	first *byte
	n     int
}

func (d digests) of(data []byte) string {
	if len(data) == 0 {
		sum := sha256.Sum256(nil)
		return hex.EncodeToString(sum[:])
	}
	key := digestKey{&data[0], len(data)}
	if sum, ok := d[key]; ok {
		return sum
	}
	sum := sha256.Sum256(data)
	d[key] = hex.EncodeToString(sum[:])
	return d[key]
}

// remember records that u's key renders to files.
func (c *Cache) remember(u render.Unit, files map[string][]byte, sums digests) {
	if c.file == "" {
		return
	}
	rec := unitRecord{Key: hex.EncodeToString(u.Key[:]), Files: make(map[string]fileRecord, len(files))}
	for name, data := range files {
		rec.Files[name] = fileRecord{SHA256: sums.of(data)}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.record.Units[u.Dir] = rec
	c.dirty = true
}

// Save writes the record, replacing the old one in one rename, when it changed. A
// record that cannot be saved costs the next run a full render, nothing else.
func (c *Cache) Save() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sealed != nil && !maps.EqualFunc(c.sealed, c.record.Sealed, slices.Equal) {
		c.record.Sealed, c.dirty = c.sealed, true
	}
	if c.file == "" || !c.dirty {
		return nil
	}
	data, err := json.Marshal(&c.record)
	if err != nil {
		return err
	}
	// A record lost in a crash costs a full render.
	if err := replaceFile(c.file, ".record-*", data); err != nil {
		return err
	}
	c.dirty = false
	trim(filepath.Dir(c.file))
	return nil
}

// SealedRecipients returns the age recipients of a sealed file's bytes: parse reads
// them from its SOPS metadata, or the record remembers them from the last run for the
// same bytes (a digest of the content, so a file anyone changed is parsed again).
// Parsing each sealed key was a tenth of a no-op generate at 300 parties. The record
// keeps only the files of the latest run, so it does not grow with old keys.
func (c *Cache) SealedRecipients(data []byte, parse func([]byte) ([]string, error)) ([]string, error) {
	sum := sha256.Sum256(data)
	digest := hex.EncodeToString(sum[:])
	c.mu.Lock()
	recipients, ok := c.record.Sealed[digest]
	c.mu.Unlock()
	if !ok {
		var err error
		if recipients, err = parse(data); err != nil {
			return nil, err
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sealed == nil {
		c.sealed = map[string][]string{}
	}
	c.sealed[digest] = recipients
	return slices.Clone(recipients), nil
}

// keepRecords is how many repositories' records a cache directory keeps: the most
// recently written. Every repository a user (or a test) generates leaves one.
const keepRecords = 32

// trim removes all but the keepRecords newest records of dir, and only records.
func trim(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	type aged struct {
		name string
		mod  int64
	}
	var records []aged
	for _, e := range entries {
		if !recordName.MatchString(e.Name()) || !e.Type().IsRegular() {
			continue
		}
		if info, err := e.Info(); err == nil {
			records = append(records, aged{e.Name(), info.ModTime().UnixNano()})
		}
	}
	if len(records) <= keepRecords {
		return
	}
	slices.SortFunc(records, func(a, b aged) int { return cmp.Compare(b.mod, a.mod) })
	for _, r := range records[keepRecords:] {
		_ = os.Remove(filepath.Join(dir, r.name))
	}
}

// recordName is the name Open gives a record.
var recordName = regexp.MustCompile(`^[0-9a-f]{32}\.json$`)

var build struct {
	once   sync.Once
	digest string
	err    error
}

// buildDigest is the SHA-256 of the running executable: a record is valid only for
// the binary that rendered it, whatever version string it was built with. It is
// computed once per process.
func buildDigest(dir string) (string, error) {
	build.once.Do(func() { build.digest, build.err = executableDigest(dir) })
	return build.digest, build.err
}

// executableNote is the file, beside the records in dir, that remembers the last
// executable's digest by its fingerprint. trim removes only records, never it.
const executableNote = "executable.json"

// note is what executableNote holds.
type note struct {
	Path   string      `json:"path"`
	Seen   fingerprint `json:"seen"`
	SHA256 string      `json:"sha256"`
}

// executableDigest hashes the running executable, unless executableNote in dir knows
// its digest: reading and hashing the 70 MB binary was a fifth of what a no-op
// generate at 300 parties does besides evaluating CUE. The note is trusted as a
// unit's file is: for the same path and fingerprint (size, times, inode), when the
// executable last changed before the note was written; a binary built, copied or
// installed over it has another ctime or inode. A note that cannot be written costs
// the next run the hash, nothing else.
func executableDigest(dir string) (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", err
	}
	f, err := os.Open(exe)
	if err != nil {
		return "", err
	}
	defer f.Close()
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		return "", err
	}
	seen := fingerprintOf(&st)
	name := filepath.Join(dir, executableNote)
	if data, err := os.ReadFile(name); err == nil {
		var known note
		info, err := os.Stat(name)
		if err == nil && json.Unmarshal(data, &known) == nil && known.Path == exe && known.Seen == seen &&
			max(seen.Mtime, seen.Ctime) < info.ModTime().UnixNano() && validDigest.MatchString(known.SHA256) {
			return known.SHA256, nil
		}
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	digest := hex.EncodeToString(h.Sum(nil))
	if data, err := json.Marshal(note{Path: exe, Seen: seen, SHA256: digest}); err == nil {
		_ = replaceFile(name, ".executable-*", data)
	}
	return digest, nil
}

// replaceFile replaces name with data in one rename of a temporary file named after
// pattern, making name's directory if needed (0700: the records are the user's). It
// is not synced: the record and the note are a cache, which a crash costs a render or
// a hash, and a torn file is never seen, as the rename replaces it whole.
func replaceFile(name, pattern string, data []byte) error {
	dir := filepath.Dir(name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op once renamed
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}

// validDigest is a SHA-256 in hex, as executableDigest writes it.
var validDigest = regexp.MustCompile(`^[0-9a-f]{64}$`)
