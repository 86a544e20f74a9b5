package load_test

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// A party's pull request can ask CUE for anything: here 16 million list elements. The
// evaluation stops at the time or the memory bound, whichever comes first, with an
// error naming the bound. Each run is a child process: the abandoned evaluation ends
// with it, as it does when a command exits on the error.
func TestEvaluationIsBounded(t *testing.T) {
	dir := testenv.Module(t, map[string]string{
		"network.cue": testenv.BaseNetwork(t, "", ""),
		"huge.cue":    "package network\n\nimport \"list\"\n\nhuge: [for i in list.Range(0, 4000, 1) for j in list.Range(0, 4000, 1) {i + j}]\n",
	})
	for _, tc := range []struct {
		bound string
		env   []string
		says  string
	}{
		{"time", []string{"FLUX_LEDGER_CUE_TIMEOUT=1s"}, "took longer than 1s, the time bound (FLUX_LEDGER_CUE_TIMEOUT)"},
		{"memory", []string{"FLUX_LEDGER_CUE_TIMEOUT=10m", "FLUX_LEDGER_CUE_MEMORY_MIB=100"}, "above the memory bound of 100 MiB (FLUX_LEDGER_CUE_MEMORY_MIB)"},
	} {
		t.Run(tc.bound, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestBoundedEvaluationChild$")
			cmd.Env = append(append(os.Environ(), "FLUX_LEDGER_BOUND_CHILD="+dir), tc.env...)
			out, err := cmd.CombinedOutput()
			if err != nil || !strings.Contains(string(out), tc.says) {
				t.Errorf("child: %v\n%s", err, out)
			}
		})
	}
}

// TestBoundedEvaluationChild is the child process of TestEvaluationIsBounded.
func TestBoundedEvaluationChild(t *testing.T) {
	dir := os.Getenv("FLUX_LEDGER_BOUND_CHILD")
	if dir == "" {
		t.Skip("the child process of TestEvaluationIsBounded")
	}
	_, err := load.Network(dir)
	fmt.Println("load:", err)
	os.Exit(0)
}
