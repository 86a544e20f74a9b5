// Command bench measures what a consortium's pull request costs as it grows: for
// synthetic networks of 3, 30 and 300 parties (4 nodes each) it times, on the same
// input, the CUE floor (the real `cue export`), `flux-ledger vet`, a cold `generate`,
// a no-op `generate` (which must write nothing) and a `generate` after a one-node
// change, with wall time and peak RSS of each process. It prints a table and writes
// the raw numbers to bench/results.json.
//
// Run it with `make bench` (which builds bin/flux-ledger and bin/cue first).
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"filippo.io/age"

	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// Measurement is one process run.
type Measurement struct {
	Step    string  `json:"step"`
	Seconds float64 `json:"seconds"`
	PeakMB  float64 `json:"peakMB"`
	Output  string  `json:"-"`
}

// Result is one network size.
type Result struct {
	Parties      int           `json:"parties"`
	Nodes        int           `json:"nodes"`
	Measurements []Measurement `json:"measurements"`
}

func main() {
	sizes := flag.String("sizes", "3,30,300", "comma-separated party counts")
	out := flag.String("out", "bench", "directory for results.json")
	bin := flag.String("bin", "bin", "directory holding flux-ledger and cue")
	flag.Parse()
	if err := run(*sizes, *out, *bin); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(sizes, out, bin string) error {
	bin, err := filepath.Abs(bin)
	if err != nil {
		return err
	}
	var results []Result
	for _, s := range strings.Split(sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return fmt.Errorf("-sizes: %q is not a party count", s)
		}
		r, err := measure(n, bin)
		if err != nil {
			return fmt.Errorf("%d parties: %w", n, err)
		}
		results = append(results, r)
	}
	printTable(results)
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	data, err := json.MarshalIndent(map[string]any{
		"date": time.Now().UTC().Format(time.RFC3339), "goos": runtime.GOOS, "cpus": runtime.NumCPU(), "results": results,
	}, "", "  ")
	if err != nil {
		return err
	}
	path := filepath.Join(out, "results.json")
	fmt.Println("raw numbers:", path)
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

// measure builds a repository for n parties (identities included) and times each step.
func measure(n int, bin string) (Result, error) {
	root, err := os.MkdirTemp("", "flux-ledger-bench-")
	if err != nil {
		return Result{}, err
	}
	defer os.RemoveAll(root)
	// One age key per party: the schema refuses a recipient shared by two parties.
	// Kept across rewrites of the network, so only the edit changes.
	recipients := map[string]string{}
	recipient := func(party string) string {
		if recipients[party] == "" {
			id, err := age.GenerateX25519Identity()
			if err != nil {
				panic(err)
			}
			recipients[party] = id.Recipient().String()
		}
		return recipients[party]
	}
	write := func(edit func(map[string]any)) error {
		src, err := testenv.SynthNetwork(testenv.SynthOptions{Parties: n, Recipients: recipient, Edit: edit})
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(root, "cue", "network.cue"), src, 0o644)
	}
	if err := copyModule(root); err != nil {
		return Result{}, err
	}
	if err := write(nil); err != nil {
		return Result{}, err
	}
	fluxLedger := filepath.Join(bin, "flux-ledger")
	if _, err := runStep("keys", root, fluxLedger, "--repo", root, "keys", "init", "--all"); err != nil {
		return Result{}, err
	}
	result := Result{Parties: n, Nodes: 4 * n}
	steps := []struct {
		name   string
		before func() error
		dir    string
		cmd    []string
		check  func(string) error
	}{
		{"cue export", nil, filepath.Join(root, "cue"), []string{filepath.Join(bin, "cue"), "export", ".", "-e", "network"}, nil},
		{"vet", nil, root, []string{fluxLedger, "vet", filepath.Join(root, "cue")}, nil},
		{"generate (cold)", nil, root, []string{fluxLedger, "--repo", root, "generate"}, nil},
		{"generate (no-op)", nil, root, []string{fluxLedger, "--repo", root, "generate"}, wantChanged("0 changed")},
		{"generate (one node)", func() error {
			return write(func(network map[string]any) {
				node := network["nodes"].(map[string]any)["p0000-rpc-3"].(map[string]any)
				node["resources"] = map[string]any{"limits": map[string]any{"memory": "8Gi"}}
			})
		}, root, []string{fluxLedger, "--repo", root, "generate"}, wantChanged("1 changed")},
	}
	for _, s := range steps {
		if s.before != nil {
			if err := s.before(); err != nil {
				return result, err
			}
		}
		m, err := runStep(s.name, s.dir, s.cmd[0], s.cmd[1:]...)
		if err != nil {
			return result, err
		}
		if s.check != nil {
			if err := s.check(m.Output); err != nil {
				return result, fmt.Errorf("%s: %w", s.name, err)
			}
		}
		result.Measurements = append(result.Measurements, m)
	}
	return result, nil
}

func wantChanged(want string) func(string) error {
	return func(output string) error {
		if !strings.HasSuffix(strings.TrimSpace(output), want) {
			return fmt.Errorf("want %q, got:\n%s", want, output)
		}
		return nil
	}
}

// runStep runs one process and reads its wall time and peak RSS (getrusage).
func runStep(name, dir, command string, args ...string) (Measurement, error) {
	cmd := exec.Command(command, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	elapsed := time.Since(start)
	if err != nil {
		return Measurement{}, fmt.Errorf("%s: %v\n%s", name, err, stderr.String())
	}
	rusage := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	return Measurement{Step: name, Seconds: elapsed.Seconds(), PeakMB: float64(rusage.Maxrss) / 1024, Output: stdout.String()}, nil
}

// copyModule copies the repository's CUE schema into a fresh cue/ module under root.
func copyModule(root string) error {
	for _, dir := range []string{"cue.mod", "schema"} {
		if err := os.CopyFS(filepath.Join(root, "cue", dir), os.DirFS(filepath.Join("cue", dir))); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(filepath.Join(root, "cue", "identities"), 0o755); err != nil {
		return err
	}
	doc, err := os.ReadFile(filepath.Join("cue", "identities", "doc.cue"))
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(root, "cue", "identities", "doc.cue"), doc, 0o644)
}

func printTable(results []Result) {
	fmt.Printf("\n%-8s %-6s", "parties", "nodes")
	for _, m := range results[0].Measurements {
		fmt.Printf(" %-22s", m.Step)
	}
	fmt.Printf(" %-14s %s\n", "gen/cue export", "no-op/vet")
	for _, r := range results {
		fmt.Printf("%-8d %-6d", r.Parties, r.Nodes)
		by := map[string]Measurement{}
		for _, m := range r.Measurements {
			by[m.Step] = m
			fmt.Printf(" %-22s", fmt.Sprintf("%.2fs %4.0fMB", m.Seconds, m.PeakMB))
		}
		fmt.Printf(" %-14s %.2f\n",
			fmt.Sprintf("%.2f", by["generate (cold)"].Seconds/by["cue export"].Seconds),
			by["generate (no-op)"].Seconds/by["vet"].Seconds)
	}
	fmt.Println()
}
