// Command getent is the "getent hosts" of the kubelet end-to-end test's tools image
// (busybox has no getent; the Besu image's comes from glibc). Like glibc's
// nss/getent.c hosts_keys, it prints "ADDRESS NAME" for each name that resolves
// (through /etc/hosts and the DNS servers of /etc/resolv.conf, as the pod's resolver
// is set up) and exits 2 when a name does not ("One or more supplied key could not
// be found in the database"), 1 for a database it does not serve.
package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"time"
)

func main() {
	if len(os.Args) < 3 || os.Args[1] != "hosts" {
		fmt.Fprintln(os.Stderr, "usage: getent hosts NAME...")
		os.Exit(1)
	}
	resolver := &net.Resolver{PreferGo: true}
	status := 0
	for _, name := range os.Args[2:] {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		addrs, err := resolver.LookupHost(ctx, name)
		cancel()
		if err != nil || len(addrs) == 0 {
			status = 2
			continue
		}
		fmt.Printf("%-15s %s\n", addrs[0], name)
	}
	os.Exit(status)
}
