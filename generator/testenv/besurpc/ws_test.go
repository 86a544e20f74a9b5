package besurpc

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// Besu 24.12.2 ethereum/api/.../jsonrpc/websocket/JsonResponseStreamer.java: a reply
// longer than Jackson's 8000-byte buffer is a text frame and continuation frames, the
// last one final; WebSocketService.java refuses plain HTTP with 400.
func TestWebSocketRepliesAreFragmentedAsBesuSendsThem(t *testing.T) {
	chain, nodes := network(t, QBFT, 30000, 4)
	n := nodes[0]
	n.StartWS(t)
	var static []string
	for i := range 40 {
		host := fmt.Sprintf("peer-%d.example", i)
		chain.SetHost(host, fmt.Sprintf("10.0.1.%d", i))
		static = append(static, "enode://"+fmt.Sprintf("%0128x", i+1)+"@"+host+":30303")
	}
	n.StartWith(static...)

	conn, err := net.DialTimeout("tcp", "127.0.0.1:"+n.WSPort(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(conn, "GET / HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
	r := bufio.NewReader(conn)
	var head []string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if line == "\r\n" {
			break
		}
		head = append(head, strings.TrimSpace(line))
	}
	// RFC 6455 section 1.3's example key and answer.
	if head[0] != "HTTP/1.1 101 Switching Protocols" || !strings.Contains(strings.Join(head, "\n"), "sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") {
		t.Fatalf("handshake %q", head)
	}
	// A client frame: text, final, masked with the key 0.
	msg := `{"jsonrpc":"2.0","id":1,"method":"admin_peers","params":[]}`
	conn.Write(append([]byte{0x81, 0x80 | byte(len(msg)), 0, 0, 0, 0}, msg...))
	var ops []byte
	var sizes []int
	var text []byte
	for {
		b0, _ := r.ReadByte()
		b1, _ := r.ReadByte()
		size := int(b1 & 0x7f)
		if size == 126 {
			hi, _ := r.ReadByte()
			lo, _ := r.ReadByte()
			size = int(hi)<<8 | int(lo)
		}
		if b1&0x80 != 0 || size == 127 {
			t.Fatalf("frame head %x %x", b0, b1)
		}
		payload := make([]byte, size)
		if _, err := io.ReadFull(r, payload); err != nil {
			t.Fatal(err)
		}
		ops, sizes, text = append(ops, b0), append(sizes, size), append(text, payload...)
		if b0&0x80 != 0 {
			break
		}
	}
	if len(ops) < 3 || ops[0] != 0x01 || ops[1] != 0x00 || ops[len(ops)-1] != 0x80 || sizes[0] != 8000 {
		t.Errorf("frames %x of sizes %v, want a text frame, continuation frames of 8000 bytes, the last final", ops, sizes)
	}
	if !strings.HasPrefix(string(text), `{"jsonrpc":"2.0","id":1,"result":[{"version":`) || !strings.HasSuffix(string(text), "}]}") {
		t.Errorf("reply %.80q…", text)
	}

	// Plain HTTP on the WebSocket listener.
	plain, err := net.Dial("tcp", "127.0.0.1:"+n.WSPort())
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	io.WriteString(plain, "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
	data, _ := io.ReadAll(plain)
	if !strings.HasPrefix(string(data), "HTTP/1.1 400 ") || !strings.HasSuffix(string(data), "Websocket endpoint can't handle HTTP requests") {
		t.Errorf("plain HTTP: %q", data)
	}
}
