package rendercache

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The executable's digest is its SHA-256, taken from the note only while the note
// can vouch for it: same path and fingerprint, and the executable older than the
// note. A note naming another digest is believed then (the proof that it was not
// hashed again) and not once the executable may have changed since.
func TestExecutableDigestTrustsItsNoteOnlyForTheSameFile(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	want := hex.EncodeToString(sum[:])
	dir := t.TempDir()
	got, err := executableDigest(dir)
	if err != nil || got != want {
		t.Fatalf("first digest: %s, %v; want %s", got, err, want)
	}
	name := filepath.Join(dir, executableNote)
	var written note
	raw, err := os.ReadFile(name)
	if err != nil {
		t.Fatalf("no note written: %v", err)
	}
	if err := json.Unmarshal(raw, &written); err != nil || written.SHA256 != want || written.Path != exe {
		t.Fatalf("note %s: %v", raw, err)
	}

	forged := written
	forged.SHA256 = strings.Repeat("0", 64)
	writeNote := func(n note, when time.Time) {
		t.Helper()
		raw, err := json.Marshal(n)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, raw, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(name, when, when); err != nil {
			t.Fatal(err)
		}
	}
	writeNote(forged, time.Now().Add(time.Hour))
	if got, _ := executableDigest(dir); got != forged.SHA256 {
		t.Fatalf("a note for this very file, newer than it: digest %s, want the note's (not hashed again)", got)
	}
	writeNote(forged, time.Unix(1_000_000, 0))
	if got, _ := executableDigest(dir); got != want {
		t.Fatalf("a note older than the executable: digest %s, want it hashed again (%s)", got, want)
	}
	other := written
	other.Seen.Ino++
	other.SHA256 = forged.SHA256
	writeNote(other, time.Now().Add(time.Hour))
	if got, _ := executableDigest(dir); got != want {
		t.Fatalf("a note for another inode: digest %s, want it hashed again (%s)", got, want)
	}
	elsewhere := written
	elsewhere.Path += ".old"
	elsewhere.SHA256 = forged.SHA256
	writeNote(elsewhere, time.Now().Add(time.Hour))
	if got, _ := executableDigest(dir); got != want {
		t.Fatalf("a note for another path: digest %s, want it hashed again (%s)", got, want)
	}
}
