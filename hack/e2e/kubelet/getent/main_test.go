package main

import (
	"bytes"
	"testing"
)

// The output and exit codes of glibc's getent for the databases the node scripts use
// (as `getent hosts localhost` and `getent ahostsv4 localhost` print on Debian 12).
func TestGetentAsGlibc(t *testing.T) {
	for _, c := range []struct {
		args   []string
		status int
		out    string
	}{
		{[]string{"hosts", "localhost"}, 0, "127.0.0.1       localhost\n"},
		{[]string{"ahostsv4", "localhost"}, 0, "127.0.0.1       STREAM localhost\n127.0.0.1       DGRAM  \n127.0.0.1       RAW    \n"},
		{[]string{"ahostsv4", "no-such-name.invalid"}, 2, ""},
		{[]string{"passwd", "root"}, 1, ""},
	} {
		var out bytes.Buffer
		if status := run(c.args, &out); status != c.status || out.String() != c.out {
			t.Errorf("getent %v: %d %q, want %d %q", c.args, status, out.String(), c.status, c.out)
		}
	}
}
