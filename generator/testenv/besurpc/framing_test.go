package besurpc

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// rawReply is one HTTP reply as bytes on the wire.
type rawReply struct {
	status  string            // the status line
	headers map[string]string // lower-case name → value
	names   []string          // the header names as sent
	rest    []byte            // everything after the blank line
}

// exchange sends a raw request to the node and reads the raw reply until the server
// closes (the request says Connection: close).
func exchange(t *testing.T, n *Node, method, target, body string) rawReply {
	t.Helper()
	conn, err := net.DialTimeout("tcp", "127.0.0.1:"+n.Port(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	req := fmt.Sprintf("%s %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n", method, target)
	if body != "" {
		req += fmt.Sprintf("Content-Type: application/json\r\nContent-Length: %d\r\n", len(body))
	}
	if _, err := io.WriteString(conn, req+"\r\n"+body); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(conn)
	var out rawReply
	out.headers = map[string]string{}
	line, err := r.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	out.status = strings.TrimSuffix(line, "\r\n")
	for {
		line, err := r.ReadString('\n')
		if err != nil || !strings.HasSuffix(line, "\r\n") {
			t.Fatalf("header line %q: %v", line, err)
		}
		if line == "\r\n" {
			break
		}
		name, value, _ := strings.Cut(strings.TrimSuffix(line, "\r\n"), ":")
		out.names = append(out.names, name)
		out.headers[strings.ToLower(name)] = strings.TrimSpace(value)
	}
	out.rest, err = io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var reChunkSize = regexp.MustCompile(`^([0-9a-f]+)\r\n`)

// dechunk checks the chunked framing byte by byte (RFC 9112 section 7.1: hex size
// CRLF data CRLF, then "0" CRLF, no trailer, CRLF) and returns the chunks.
func dechunk(t *testing.T, data []byte) []string {
	t.Helper()
	var chunks []string
	for {
		m := reChunkSize.FindSubmatch(data)
		if m == nil {
			t.Fatalf("no chunk size line at %q", data[:min(len(data), 40)])
		}
		size, _ := strconv.ParseInt(string(m[1]), 16, 64)
		data = data[len(m[0]):]
		if size == 0 {
			if string(data) != "\r\n" {
				t.Fatalf("after the last chunk: %q, want CRLF and nothing else", data)
			}
			return chunks
		}
		if int64(len(data)) < size+2 || string(data[size:size+2]) != "\r\n" {
			t.Fatalf("chunk of %d bytes not followed by CRLF", size)
		}
		chunks = append(chunks, string(data[:size]))
		data = data[size+2:]
	}
}

// Besu 24.12.2 (and 26.2.0) ethereum/api/.../handlers/JsonRpcObjectExecutor.java writes
// every reply, result or error, through jsonrpc/JsonResponseStreamer.java, which calls
// response.setChunked(true) before the first byte: Transfer-Encoding chunked and no
// Content-Length, Content-Type application/json; HTTP 200 except INVALID_REQUEST (400).
// A fake that lets Go's server pick Content-Length for small bodies fails here.
func TestRepliesAreChunkedAsBesuSendsThem(t *testing.T) {
	_, nodes := network(t, QBFT, 30000, 4)
	n := nodes[0]
	cases := []struct {
		name, body, status, want string
	}{
		{"result", call("eth_blockNumber", `[]`), "HTTP/1.1 200 OK", `{"jsonrpc":"2.0","id":7,"result":"0x0"}`},
		// RpcErrorType METHOD_NOT_FOUND and METHOD_NOT_ENABLED: HTTP 200.
		{"not found", call("eth_nothing", `[]`), "HTTP/1.1 200 OK", `{"jsonrpc":"2.0","id":7,"error":{"code":-32601,"message":"Method not found"}}`},
		{"not enabled", call("ibft_getPendingVotes", `[]`), "HTTP/1.1 200 OK", `{"jsonrpc":"2.0","id":7,"error":{"code":-32604,"message":"Method not enabled"}}`},
		{"invalid params", call("admin_addPeer", `[]`), "HTTP/1.1 200 OK", `{"jsonrpc":"2.0","id":7,"error":{"code":-32602,"message":"Invalid number of params"}}`},
		// INVALID_REQUEST: HTTP 400, still through the streamer.
		{"invalid request", `{"jsonrpc":"2.0","id":7}`, "HTTP/1.1 400 Bad Request", `{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request"}}`},
	}
	for _, c := range cases {
		reply := exchange(t, n, "POST", "/", c.body)
		if reply.status != c.status {
			t.Errorf("%s: status %q, want %q", c.name, reply.status, c.status)
		}
		if reply.headers["transfer-encoding"] != "chunked" || reply.headers["content-length"] != "" {
			t.Errorf("%s: headers %v, want chunked and no Content-Length", c.name, reply.headers)
		}
		seen := map[string]int{}
		for _, name := range reply.names {
			seen[strings.ToLower(name)]++
		}
		if seen["transfer-encoding"] != 1 || seen["content-type"] != 1 {
			t.Errorf("%s: header names %q, want Transfer-Encoding and Content-Type once each", c.name, reply.names)
		}
		if reply.headers["content-type"] != "application/json" {
			t.Errorf("%s: Content-Type %q", c.name, reply.headers["content-type"])
		}
		if _, ok := reply.headers["date"]; ok {
			t.Errorf("%s: a Date header (Vert.x sends none)", c.name)
		}
		if got := strings.Join(dechunk(t, reply.rest), ""); got != c.want {
			t.Errorf("%s: body %q, want %q (Jackson writes no newline)", c.name, got, c.want)
		}
	}

	// Jackson hands the streamer its 8000-byte buffer each time it fills: a long reply
	// comes in several chunks.
	batch := "[" + strings.TrimSuffix(strings.Repeat(call("eth_blockNumber", `[]`)+",", 300), ",") + "]"
	chunks := dechunk(t, exchange(t, n, "POST", "/", batch).rest)
	if len(chunks) < 2 || len(chunks[0]) != 8000 {
		t.Errorf("a %d-byte reply came in %d chunks (first %d bytes), want 8000-byte chunks", len(strings.Join(chunks, "")), len(chunks), len(chunks[0]))
	}
}

// What never reaches the executor is framed by Content-Length: Vert.x's
// HttpServerResponse.end(String) in handlers/JsonRpcParserHandler.java (a body that is
// not JSON: 400 Parse error) and jsonrpc/health/HealthService.java (pretty-printed
// {"status" : "UP"} with 200, "DOWN" with 503). LivenessCheck.java is always healthy;
// ReadinessCheck.java wants minPeers connected peers (default 1, not a number: not
// ready). GET / is 201 with no body (JsonRpcHttpService.handleEmptyRequest).
func TestParseErrorsAndHealthAreFramedByLength(t *testing.T) {
	_, nodes := network(t, QBFT, 30000, 4)
	n := nodes[0]
	length := func(name string, r rawReply, status, body string) {
		t.Helper()
		if r.status != status || r.headers["transfer-encoding"] != "" || r.headers["content-length"] != strconv.Itoa(len(body)) || string(r.rest) != body {
			t.Errorf("%s: %q %v %q, want %q with Content-Length %q", name, r.status, r.headers, r.rest, status, body)
		}
	}
	length("parse error", exchange(t, n, "POST", "/", "{not json"), "HTTP/1.1 400 Bad Request", `{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}`)
	length("empty batch", exchange(t, n, "POST", "/", "[]"), "HTTP/1.1 400 Bad Request", `{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request"}}`)
	up, down := "{\n  \"status\" : \"UP\"\n}", "{\n  \"status\" : \"DOWN\"\n}"
	live := exchange(t, n, "GET", "/liveness", "")
	length("liveness", live, "HTTP/1.1 200 OK", up)
	if _, ok := live.headers["content-type"]; ok {
		t.Errorf("liveness: a Content-Type (HealthService sets none)")
	}
	length("readiness without peers", exchange(t, n, "GET", "/readiness", ""), "HTTP/1.1 503 Service Unavailable", down)
	length("readiness minPeers=0", exchange(t, n, "GET", "/readiness?minPeers=0", ""), "HTTP/1.1 200 OK", up)
	n.StartWith("enode://" + strings.Repeat("2", 128) + "@localhost:30304")
	length("readiness with a peer", exchange(t, n, "GET", "/readiness?minPeers=1", ""), "HTTP/1.1 200 OK", up)
	length("readiness minPeers=2", exchange(t, n, "GET", "/readiness?minPeers=2", ""), "HTTP/1.1 503 Service Unavailable", down)
	length("readiness minPeers=x", exchange(t, n, "GET", "/readiness?minPeers=x", ""), "HTTP/1.1 503 Service Unavailable", down)
	if r := exchange(t, n, "GET", "/", ""); r.status != "HTTP/1.1 201 Created" || len(r.rest) != 0 {
		t.Errorf("GET /: %q %q", r.status, r.rest)
	}
}
