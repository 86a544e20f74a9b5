package besurpc

import (
	"bufio"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// The node's WebSocket JSON-RPC listener (--rpc-ws-enabled), as Besu 24.12.2 serves it
// (unchanged in 26.2.0), files under ethereum/api/src/main/java/org/hyperledger/besu/
// ethereum/api/jsonrpc/websocket/:
//
//   - WebSocketService.java: its own host, port and API list (--rpc-ws-api); a plain
//     HTTP request is 400 "Websocket endpoint can't handle HTTP requests".
//   - WebSocketMessageHandler.java replyToClient, JsonResponseStreamer.java: a reply
//     is a text frame followed by continuation frames, one per write of Jackson's
//     8000-byte buffer, the last one final (the streamer holds each write back until
//     the next one or close, which sends it final).
//
// The fake's listener serves the ADMIN methods only, the API an RPC node's peer-sync
// gets on loopback.

// StartWS starts the node's WebSocket listener on 127.0.0.1, with the ADMIN API.
func (n *Node) StartWS(t testing.TB) {
	t.Helper()
	n.ws = httptest.NewServer(http.HandlerFunc(n.serveWS))
	t.Cleanup(n.ws.Close)
}

// WSHandler is the node's WebSocket listener as a handler its caller serves (the
// kubelet test's stand-in Besu, on its pod's --rpc-ws-host and --rpc-ws-port).
func (n *Node) WSHandler() http.Handler { return http.HandlerFunc(n.serveWS) }

// WSPort is the port of the node's WebSocket listener.
func (n *Node) WSPort() string {
	u, _ := url.Parse(n.ws.URL)
	return u.Port()
}

const wsGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11" // RFC 6455 section 1.3

func (n *Node) serveWS(w http.ResponseWriter, r *http.Request) {
	if !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") || r.Header.Get("Sec-WebSocket-Key") == "" {
		whole(w, http.StatusBadRequest, []byte("Websocket endpoint can't handle HTTP requests"))
		return
	}
	sum := sha1.Sum([]byte(r.Header.Get("Sec-WebSocket-Key") + wsGUID))
	conn, rw, err := w.(http.Hijacker).Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	rw.WriteString("HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: upgrade\r\nsec-websocket-accept: " +
		base64.StdEncoding.EncodeToString(sum[:]) + "\r\n\r\n")
	rw.Flush()
	var message []byte
	for {
		fin, op, payload, err := readFrame(rw.Reader)
		if err != nil || op == 8 {
			return
		}
		if op != 0 && op != 1 {
			continue
		}
		message = append(message, payload...)
		if !fin {
			continue
		}
		reply := encode(n.answerWS(message))
		message = nil
		// Jackson's writes: one per full buffer, then the rest at close.
		parts := [][]byte{}
		for len(reply) > jacksonBuffer {
			parts, reply = append(parts, reply[:jacksonBuffer]), reply[jacksonBuffer:]
		}
		parts = append(parts, reply)
		for i, part := range parts {
			op := byte(0)
			if i == 0 {
				op = 1
			}
			writeFrame(rw.Writer, i == len(parts)-1, op, part)
		}
		rw.Flush()
	}
}

// answerWS answers one message on the listener whose API list is ADMIN alone.
func (n *Node) answerWS(body []byte) response {
	var req request
	if err := json.Unmarshal(body, &req); err != nil || req.Method == "" {
		return response{JSONRPC: "2.0", ID: json.RawMessage("null"), Error: errInvalidRequest}
	}
	if !strings.HasPrefix(req.Method, "admin_") {
		if req.ID == nil {
			req.ID = json.RawMessage("null")
		}
		return response{JSONRPC: "2.0", ID: req.ID, Error: errNotEnabled}
	}
	n.chain.mu.Lock()
	enabled := n.adminAPI
	n.adminAPI = true
	n.chain.mu.Unlock()
	resp := n.answer(body)
	n.chain.mu.Lock()
	n.adminAPI = enabled
	n.chain.mu.Unlock()
	return resp
}

func readFrame(r *bufio.Reader) (fin bool, op byte, payload []byte, err error) {
	var head [2]byte
	if _, err = io.ReadFull(r, head[:]); err != nil {
		return
	}
	fin, op = head[0]&0x80 != 0, head[0]&0x0f
	length := uint64(head[1] & 0x7f)
	switch length {
	case 126:
		var b [2]byte
		_, err = io.ReadFull(r, b[:])
		length = uint64(binary.BigEndian.Uint16(b[:]))
	case 127:
		var b [8]byte
		_, err = io.ReadFull(r, b[:])
		length = binary.BigEndian.Uint64(b[:])
	}
	if err != nil || head[1]&0x80 == 0 || length > 1<<20 {
		return false, 8, nil, io.ErrUnexpectedEOF // a client must mask: close
	}
	var mask [4]byte
	if _, err = io.ReadFull(r, mask[:]); err != nil {
		return
	}
	payload = make([]byte, length)
	if _, err = io.ReadFull(r, payload); err != nil {
		return
	}
	for i := range payload {
		payload[i] ^= mask[i%4]
	}
	return fin, op, payload, nil
}

func writeFrame(w io.Writer, fin bool, op byte, payload []byte) {
	head := []byte{op}
	if fin {
		head[0] |= 0x80
	}
	switch n := len(payload); {
	case n < 126:
		head = append(head, byte(n))
	case n < 1<<16:
		head = append(head, 126, byte(n>>8), byte(n))
	default:
		head = append(head, 127)
		head = binary.BigEndian.AppendUint64(head, uint64(n))
	}
	w.Write(append(head, payload...))
}
