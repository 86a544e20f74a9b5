package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// curl is the part of curl the rendered CouchDB probes use: -f/--fail, -s/--silent,
// -S/--show-error, -o/--output FILE, -m/--max-time SECONDS (short flags may be
// combined, -fsS) and one URL, fetched with GET. Exit codes and messages are curl's
// (curl.1 "EXIT CODES"; libcurl-errors.3): 7 could not connect, 22 an HTTP status of
// 400 or more with --fail ("The requested URL returned error: <code>"), 28 the
// operation timed out; with -s, errors are printed only if -S is given too.
func curl(args []string, stderr io.Writer) int {
	var fail, silent, showError bool
	var output, target string
	maxTime := time.Duration(0)
	for i := 0; i < len(args); i++ {
		a := args[i]
		next := func() string {
			if i+1 < len(args) {
				i++
				return args[i]
			}
			return ""
		}
		switch {
		case a == "--fail":
			fail = true
		case a == "--silent":
			silent = true
		case a == "--show-error":
			showError = true
		case a == "--output":
			output = next()
		case a == "--max-time":
			secs, err := strconv.ParseFloat(next(), 64)
			if err != nil {
				fmt.Fprintln(stderr, "curl: option --max-time: expected a proper numerical parameter")
				return 2
			}
			maxTime = time.Duration(secs * float64(time.Second))
		case strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--"):
			for _, f := range a[1:] {
				switch f {
				case 'f':
					fail = true
				case 's':
					silent = true
				case 'S':
					showError = true
				case 'o':
					output = next()
				case 'm':
					secs, _ := strconv.ParseFloat(next(), 64)
					maxTime = time.Duration(secs * float64(time.Second))
				default:
					fmt.Fprintf(stderr, "curl: option -%c: is unknown\n", f)
					return 2
				}
			}
		case strings.HasPrefix(a, "--"):
			fmt.Fprintf(stderr, "curl: option %s: is unknown\n", a)
			return 2
		default:
			target = a
		}
	}
	report := func(code int, msg string) int {
		if !silent || showError {
			fmt.Fprintf(stderr, "curl: (%d) %s\n", code, msg)
		}
		return code
	}
	ctx := context.Background()
	if maxTime > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, maxTime)
		defer cancel()
	}
	start := time.Now()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return report(3, "URL using bad/illegal format or missing URL")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		var op *net.OpError
		switch {
		case errors.Is(err, context.DeadlineExceeded):
			return report(28, fmt.Sprintf("Operation timed out after %d milliseconds with 0 bytes received", time.Since(start).Milliseconds()))
		case errors.As(err, &op) && op.Op == "dial":
			return report(7, fmt.Sprintf("Failed to connect to %s port %s after %d ms: Couldn't connect to server", req.URL.Hostname(), req.URL.Port(), time.Since(start).Milliseconds()))
		}
		return report(56, "Failure when receiving data from the peer")
	}
	defer resp.Body.Close()
	if fail && resp.StatusCode >= 400 {
		return report(22, fmt.Sprintf("The requested URL returned error: %d", resp.StatusCode))
	}
	w := io.Writer(os.Stdout)
	if output != "" {
		f, err := os.Create(output)
		if err != nil {
			return report(23, "Failure writing output to destination")
		}
		defer f.Close()
		w = f
	}
	if _, err := io.Copy(w, resp.Body); err != nil {
		return report(23, "Failure writing output to destination")
	}
	return 0
}
