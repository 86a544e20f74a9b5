package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

// instance is a running server program: its listeners by name and how to stop them.
type instance struct {
	mu      sync.Mutex
	addrs   map[string]string
	closers []func()
}

func newInstance() *instance { return &instance{addrs: map[string]string{}} }

// listen serves h on addr, over TLS when cfg is set.
func (in *instance) listen(name, addr string, cfg *tls.Config, h http.Handler) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("%s listener on %s: %w", name, addr, err)
	}
	if cfg != nil {
		l = tls.NewListener(l, cfg)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ErrorLog: nil}
	go srv.Serve(l)
	in.mu.Lock()
	defer in.mu.Unlock()
	in.addrs[name] = l.Addr().String()
	in.closers = append(in.closers, func() { srv.Close() })
	return nil
}

func (in *instance) addr(name string) string {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.addrs[name]
}

func (in *instance) close() {
	in.mu.Lock()
	closers := in.closers
	in.closers = nil
	in.mu.Unlock()
	for _, c := range closers {
		c()
	}
}

// serve runs a started program until SIGTERM (what the kubelet sends), or reports
// why it could not start: Fabric's logger.Fatalf/Panicf end the process non-zero.
func serve(in *instance, err error) int {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	<-sig
	in.close()
	return 0
}

// checker is a component's health check (fabric-lib-go healthz.HealthChecker).
type checker func(context.Context) error

// healthz is Fabric's /healthz (fabric-lib-go v1.0.0 healthz/checker.go HealthHandler,
// served by core/operations/system.go without client authentication): GET only
// (anything else 405 with no body); every registered check runs; 200 with
// {"status":"OK","time":…} when all pass, otherwise 503 with {"status":"Service
// Unavailable","time":…,"failed_checks":[{"component":…,"reason":…}]}.
func healthz(checks map[string]checker) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		type failedCheck struct {
			Component string `json:"component"`
			Reason    string `json:"reason"`
		}
		status := struct {
			Status       string        `json:"status"`
			Time         time.Time     `json:"time"`
			FailedChecks []failedCheck `json:"failed_checks,omitempty"`
		}{Status: "OK", Time: time.Now()}
		ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
		defer cancel()
		for component, check := range checks {
			if err := check(ctx); err != nil {
				status.FailedChecks = append(status.FailedChecks, failedCheck{component, err.Error()})
			}
		}
		code := http.StatusOK
		if len(status.FailedChecks) > 0 {
			status.Status, code = "Service Unavailable", http.StatusServiceUnavailable
		}
		body, _ := json.Marshal(status)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		w.Write(body)
	})
}

// operations is the operations listener's mux (core/operations/system.go initializeServer):
// /healthz, and /version with the image's version.
func operations(checks map[string]checker, version string) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/healthz", healthz(checks))
	mux.HandleFunc("/version", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"Version": version})
	})
	return mux
}

// tlsOnly accepts connections on addr and completes TLS handshakes (the general and
// gossip ports a real node serves gRPC on): a client can check the certificate and
// name it is given, nothing more.
func (in *instance) tlsOnly(name, addr string, cfg *tls.Config) error {
	l, err := tls.Listen("tcp", addr, cfg)
	if err != nil {
		return fmt.Errorf("%s listener on %s: %w", name, addr, err)
	}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				c.SetDeadline(time.Now().Add(10 * time.Second))
				c.(*tls.Conn).Handshake()
				c.Close()
			}()
		}
	}()
	in.mu.Lock()
	defer in.mu.Unlock()
	in.addrs[name] = l.Addr().String()
	in.closers = append(in.closers, func() { l.Close() })
	return nil
}
