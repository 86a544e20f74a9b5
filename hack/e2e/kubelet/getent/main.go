// Command getent is the getent of the kubelet end-to-end test's tools image for the
// host databases the node scripts query (busybox has no getent; the Besu image's
// comes from glibc). As glibc's nss/getent.c does, "hosts" (hosts_keys) prints
// "ADDRESS NAME" and "ahosts"/"ahostsv4" (ahosts_keys_int) print each address three
// times, for the STREAM, DGRAM and RAW socket types, the name after the first; names
// resolve through /etc/hosts and the DNS servers of /etc/resolv.conf, as the pod's
// resolver is set up. It exits 2 when a name does not resolve ("One or more supplied
// key could not be found in the database"), 1 for a database it does not serve.
package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout))
}

func run(args []string, out io.Writer) int {
	db := ""
	if len(args) > 0 {
		db = args[0]
	}
	if len(args) < 2 || (db != "hosts" && db != "ahosts" && db != "ahostsv4") {
		fmt.Fprintln(os.Stderr, "usage: getent hosts|ahosts|ahostsv4 NAME...")
		return 1
	}
	resolver := &net.Resolver{PreferGo: true}
	status := 0
	for _, name := range args[1:] {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		network := "ip"
		if db == "ahostsv4" {
			network = "ip4"
		}
		addrs, err := resolver.LookupIP(ctx, network, name)
		cancel()
		if err != nil || len(addrs) == 0 {
			status = 2
			continue
		}
		if db == "hosts" {
			fmt.Fprintf(out, "%-15s %s\n", addrs[0], name)
			continue
		}
		for i, a := range addrs {
			suffix := ""
			if i == 0 {
				suffix = " " + name
			}
			fmt.Fprintf(out, "%-15s STREAM%s\n%-15s DGRAM  \n%-15s RAW    \n", a, suffix, a, a)
		}
	}
	return status
}
