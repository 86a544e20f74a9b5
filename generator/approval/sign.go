package approval

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Signer says how to sign, as Git would sign a commit.
type Signer struct {
	// Format is "openpgp" or "ssh" (git config gpg.format; default openpgp).
	Format string
	// Key is, for openpgp, what gpg's --local-user takes (a key ID, fingerprint or
	// user ID; empty: gpg's default key); for ssh, the private key file, or a public
	// key file or "key::<public key>" whose private half is in ssh-agent
	// (git config user.signingKey).
	Key string
	// Program is gpg or ssh-keygen, or a program with the same interface
	// (git config gpg.program / gpg.openpgp.program, gpg.ssh.program).
	Program string
	// Stderr receives the program's own messages (pinentry prompts, errors).
	Stderr io.Writer
}

// GitSigner reads the signing settings of the Git repository at dir with `git config`
// (so includes and every scope apply exactly as for `git commit -S`); explicit
// (non-empty) fields of override win. The settings, from git-config(1):
// gpg.format ("openpgp" default, "x509", "ssh"); gpg.<format>.program, with
// gpg.program a legacy synonym of gpg.openpgp.program, defaults "gpg" and
// "ssh-keygen"; user.signingKey (passed to gpg's --local-user; with ssh, a key file
// or "key::<public key>").
func GitSigner(dir string, override Signer) Signer {
	get := func(name string) string {
		out, err := exec.Command("git", "-C", dir, "config", "--get", name).Output()
		if err != nil {
			return ""
		}
		return strings.TrimSpace(string(out))
	}
	s := override
	if s.Format == "" {
		s.Format = get("gpg.format")
	}
	if s.Format == "" {
		s.Format = "openpgp"
	}
	if s.Key == "" {
		s.Key = get("user.signingkey")
	}
	if s.Program == "" {
		switch s.Format {
		case "ssh":
			s.Program = get("gpg.ssh.program")
		case "openpgp":
			if s.Program = get("gpg.openpgp.program"); s.Program == "" {
				s.Program = get("gpg.program")
			}
		}
	}
	return s
}

// Sign signs the statement and returns the approval file's content. The private key
// stays with the program that holds it: flux-ledger only hands it the statement.
func Sign(ctx context.Context, s Statement, signer Signer) ([]byte, error) {
	var sig []byte
	var err error
	switch signer.Format {
	case "openpgp", "":
		sig, err = signOpenPGP(ctx, s.Text(), signer)
	case "ssh":
		sig, err = signSSH(ctx, s.Text(), signer)
	default:
		return nil, fmt.Errorf("signing format %q: want openpgp or ssh", signer.Format)
	}
	if err != nil {
		return nil, err
	}
	f, err := Parse(append(s.Text(), sig...))
	if err != nil {
		return nil, fmt.Errorf("the signing program's output is not a signature: %w", err)
	}
	return f.Encode(), nil
}

// signOpenPGP runs gpg as Git does ("gpg -bsau $key" fed the data on standard input,
// the armored signature on standard output: git-config(1), gpg.program), spelt out.
func signOpenPGP(ctx context.Context, data []byte, signer Signer) ([]byte, error) {
	program := signer.Program
	if program == "" {
		program = "gpg"
	}
	args := []string{"--detach-sign", "--armor"}
	if signer.Key != "" {
		args = append(args, "--local-user", signer.Key)
	}
	return run(ctx, program, args, data, signer.Stderr)
}

// signSSH runs ssh-keygen as Git does: `ssh-keygen -Y sign -n <namespace> -f <key>
// <file>` writes <file>.sig (ssh-keygen(1), -Y sign; Git's gpg-interface.c passes -U
// too when the key is a literal public key held by ssh-agent).
func signSSH(ctx context.Context, data []byte, signer Signer) ([]byte, error) {
	program := signer.Program
	if program == "" {
		program = "ssh-keygen"
	}
	if signer.Key == "" {
		return nil, errors.New("SSH signing needs a key: --key FILE or git config user.signingkey")
	}
	dir, err := os.MkdirTemp("", "flux-ledger-approve-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	keyFile, agent := expandHome(signer.Key), false
	if literal, ok := literalSSHKey(signer.Key); ok {
		// A public key only: its private half is in ssh-agent.
		keyFile, agent = filepath.Join(dir, "key.pub"), true
		if err := os.WriteFile(keyFile, []byte(literal+"\n"), 0o600); err != nil {
			return nil, err
		}
	}
	msg := filepath.Join(dir, "statement")
	if err := os.WriteFile(msg, data, 0o600); err != nil {
		return nil, err
	}
	args := []string{"-Y", "sign", "-n", Namespace, "-f", keyFile}
	if agent {
		args = append(args, "-U")
	}
	// ssh-keygen narrates ("Signing file …", "Write signature to …") on standard error
	// and asks for a passphrase on the terminal: its messages are shown on failure only.
	if _, err := run(ctx, program, append(args, msg), nil, nil); err != nil {
		return nil, err
	}
	return os.ReadFile(msg + ".sig")
}

// expandHome reads a leading ~/ as the home directory, as Git reads the key file
// of user.signingKey (gpg-interface.c: interpolate_path).
func expandHome(p string) string {
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, rest)
		}
	}
	return p
}

// literalSSHKey is the public key of a user.signingKey written as "key::<key>" (or, in
// Git's deprecated form, a bare "ssh-…" key).
func literalSSHKey(key string) (string, bool) {
	if k, ok := strings.CutPrefix(key, "key::"); ok {
		return k, true
	}
	if strings.HasPrefix(key, "ssh-") || strings.HasPrefix(key, "ecdsa-") {
		return key, true
	}
	return "", false
}

func run(ctx context.Context, program string, args []string, stdin []byte, stderr io.Writer) ([]byte, error) {
	cmd := exec.CommandContext(ctx, program, args...)
	cmd.Stdin = os.Stdin // a passphrase prompt, when the data is in a file
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var out, errOut bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &errOut
	if stderr != nil {
		cmd.Stderr = io.MultiWriter(&errOut, stderr)
	}
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(errOut.String())
		if i := strings.LastIndex(msg, "\n"); i >= 0 {
			msg = msg[i+1:]
		}
		return nil, fmt.Errorf("%s %s: %w: %s", program, strings.Join(args[:2], " "), err, msg)
	}
	return out.Bytes(), nil
}
