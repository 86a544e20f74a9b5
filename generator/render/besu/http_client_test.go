package besu

import (
	"bufio"
	"context"
	"net"
	"net/textproto"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// rawServer answers each connection with the given bytes after reading the request's
// headers, then closes it, or holds it open until the test ends (hang).
func rawServer(t *testing.T, reply string, hang bool) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { close(done); l.Close() })
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				r := textproto.NewReader(bufio.NewReader(conn))
				r.ReadLine()
				r.ReadMIMEHeader()
				conn.Write([]byte(reply))
				if hang {
					<-done
				}
			}()
		}
	}()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return port
}

// request runs http_request from scripts/http.sh with the local bash, bounded by a
// deadline well above HTTP_TIMEOUT: a client that hangs fails the test.
func request(t *testing.T, port string) (rc int, status, body, errText string) {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	snippet := `source "$1"; http_request "$2" GET /x; rc=$?; printf '%s\n%s\n%s\n' "$rc" "$http_status" "$http_error"; printf '%s' "$http_body"`
	cmd := exec.CommandContext(ctx, bash, "-c", snippet, "bash", filepath.Join("scripts", httpScript), port)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "TMPDIR=/nonexistent", "HTTP_TIMEOUT=1"}
	out, err := cmd.Output()
	if ctx.Err() != nil {
		t.Fatalf("http_request hung: %v", ctx.Err())
	}
	if err != nil {
		t.Fatalf("bash: %v\n%s", err, out)
	}
	parts := strings.SplitN(string(out), "\n", 4)
	if len(parts) != 4 {
		t.Fatalf("output %q", out)
	}
	rc, _ = strconv.Atoi(parts[0])
	return rc, parts[1], parts[3], parts[2]
}

// The sidecars' HTTP client reads a reply as RFC 9112 frames it, whichever framing the
// server picks: Besu's JSON-RPC replies are chunked (Besu 24.12.2 ethereum/api/.../
// jsonrpc/JsonResponseStreamer.java setChunked(true)), its health checks carry
// Content-Length (jsonrpc/health/HealthService.java, Vert.x end(String)). Vert.x writes
// header names in lower case.
func TestHTTPClientReadsEveryFraming(t *testing.T) {
	big := strings.Repeat("x", 9000)
	down := "{\n  \"status\" : \"DOWN\"\n}"
	cases := []struct {
		name, reply, status, body string
	}{
		{"chunked, several chunks, an extension, a trailer",
			"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n" +
				"7;name=value\r\n{\"a\":\r\n\r\n" + "5 \r\n\"b\r\nc\r\n" + "A\r\n\", \"d\": 1}\r\n" + "0\r\nx-trailer: 1\r\n\r\n",
			"200", "{\"a\":\r\n\"b\r\nc\", \"d\": 1}"},
		{"a chunk longer than Jackson's buffer",
			"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + strconv.FormatInt(int64(len(big)), 16) + "\r\n" + big + "\r\n0\r\n\r\n",
			"200", big},
		{"Content-Length",
			"HTTP/1.1 503 Service Unavailable\r\nCONTENT-LENGTH: " + strconv.Itoa(len(down)) + "\r\n\r\n" + down,
			"503", down},
		{"no body", "HTTP/1.1 201 Created\r\ncontent-length: 0\r\n\r\n", "201", ""},
		{"up to the end of the connection", "HTTP/1.0 200 OK\r\n\r\nhello\nworld", "200", "hello\nworld"},
	}
	for _, c := range cases {
		rc, status, body, errText := request(t, rawServer(t, c.reply, false))
		if rc != 0 || status != c.status || body != c.body {
			t.Errorf("%s: rc %d (%s), status %q, body %q; want 0, %q, %q", c.name, rc, errText, status, body, c.status, c.body)
		}
	}
}

// A reply that is malformed, cut off or late fails the request (within HTTP_TIMEOUT),
// never hangs it, and never passes part of it as the body.
func TestHTTPClientRefusesBrokenReplies(t *testing.T) {
	cases := []struct {
		name, reply string
		hang        bool
	}{
		{"not HTTP", "SSH-2.0-OpenSSH_9.6\r\n", false},
		{"a bad chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n", false},
		{"a chunk cut off", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n{\"res", false},
		{"a chunk cut off, connection open", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n{\"res", true},
		{"no last chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n", false},
		{"no CRLF after a chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}xx0\r\n\r\n", false},
		{"a short body", "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{}", false},
		{"headers, then silence", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n", true},
		{"a bad Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n{}", false},
		{"a header line without a colon", "HTTP/1.1 200 OK\r\nbroken\r\n\r\n", false},
		{"no reply at all", "", false},
	}
	for _, c := range cases {
		start := time.Now()
		rc, _, body, errText := request(t, rawServer(t, c.reply, c.hang))
		if rc == 0 || errText == "" {
			t.Errorf("%s: rc %d, body %q: accepted", c.name, rc, body)
		}
		if time.Since(start) > 5*time.Second {
			t.Errorf("%s: took %s with HTTP_TIMEOUT=1", c.name, time.Since(start))
		}
	}
	// Nothing listens.
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	_, port, _ := net.SplitHostPort(l.Addr().String())
	l.Close()
	if rc, _, _, errText := request(t, port); rc == 0 || !strings.Contains(errText, "nothing listens") {
		t.Errorf("closed port: rc %d, error %q", rc, errText)
	}
}

// ws_jsonrpc fails, within HTTP_TIMEOUT, on a listener that does not upgrade, on a
// wrong Sec-WebSocket-Accept (RFC 6455 section 4.1), and on a frame cut off.
func TestWebSocketClientRefusesBrokenReplies(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	upgrade := "HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: upgrade\r\nsec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"
	cases := []struct {
		name, reply string
		hang        bool
	}{
		{"plain HTTP", "HTTP/1.1 400 Bad Request\r\ncontent-length: 2\r\n\r\nno", false},
		{"a wrong accept key", strings.Replace(upgrade, "s3pP", "AAAA", 1) + "\x81\x02{}", false},
		{"a frame cut off", upgrade + "\x81\x64{\"res", true},
		{"a close frame", upgrade + "\x88\x00", false},
	}
	for _, c := range cases {
		port := rawServer(t, c.reply, c.hang)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		cmd := exec.CommandContext(ctx, bash, "-c", `source "$1"; ws_jsonrpc "$2" admin_peers '[]'; echo "rc=$? $reply"`, "bash", filepath.Join("scripts", httpScript), port)
		cmd.Env = []string{"PATH=/usr/bin:/bin", "HTTP_TIMEOUT=1"}
		out, _ := cmd.Output()
		if ctx.Err() != nil || strings.HasPrefix(string(out), "rc=0") {
			t.Errorf("%s: %q (%v)", c.name, out, ctx.Err())
		}
		cancel()
	}
}
