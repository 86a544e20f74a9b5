// Command pause is the sandbox ("pause") image of the kubelet end-to-end test
// (hack/e2e/kubelet), built without cgo as the only file of its image. Like
// Kubernetes' own build/pause/linux/pause.c, it holds the pod's namespaces doing
// nothing, reaps the children it inherits (SIGCHLD), and exits 0 on SIGINT or SIGTERM.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	signals := make(chan os.Signal, 8)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGCHLD)
	for s := range signals {
		if s != syscall.SIGCHLD {
			os.Exit(0)
		}
		for {
			var status syscall.WaitStatus
			pid, err := syscall.Wait4(-1, &status, syscall.WNOHANG, nil)
			if pid <= 0 || err != nil {
				break
			}
		}
	}
}
