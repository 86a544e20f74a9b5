package rendercache

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
)

// TestDigestsHashSharedBytesOnceAndOthersApart checks the memo against crypto/sha256
// itself: the same bytes referenced twice give their digest, and bytes that share an
// address but not a length (a prefix of a shared file), or equal bytes elsewhere,
// are hashed as what they are.
func TestDigestsHashSharedBytesOnceAndOthersApart(t *testing.T) {
	want := func(data []byte) string {
		sum := sha256.Sum256(data)
		return hex.EncodeToString(sum[:])
	}
	shared := []byte("kind: ConfigMap\ndata: {}\n")
	copied := append([]byte(nil), shared...)
	sums := digests{}
	for _, c := range []struct {
		name string
		data []byte
	}{
		{"shared", shared},
		{"shared again", shared},
		{"prefix at the same address", shared[:4]},
		{"equal bytes elsewhere", copied},
		{"empty", nil},
		{"empty slice", shared[:0]},
	} {
		if got := sums.of(c.data); got != want(c.data) {
			t.Errorf("%s: digest %s, want %s", c.name, got, want(c.data))
		}
	}
	if len(sums) != 3 {
		t.Errorf("%d digests computed, want 3 (shared, its prefix, the copy): %v", len(sums), sums)
	}
}
