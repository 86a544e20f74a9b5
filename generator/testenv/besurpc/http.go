package besurpc

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
)

// The HTTP framing of Besu's JSON-RPC service, as Besu 24.12.2 writes it (unchanged in
// 26.2.0), files under ethereum/api/src/main/java/org/hyperledger/besu/ethereum/api/:
//
//   - jsonrpc/JsonRpcHttpService.java buildRouter: POST / is JSON-RPC; GET / answers 201
//     with no body (handleEmptyRequest); GET /liveness and GET /readiness are the health
//     checks; anything else is the router's 404.
//   - handlers/JsonRpcObjectExecutor.java and JsonRpcArrayExecutor.java: a reply (result
//     or error object) is "Content-Type: application/json" and is written through
//     jsonrpc/JsonResponseStreamer.java, which calls setChunked(true) before the first
//     byte: every reply is "Transfer-Encoding: chunked", never Content-Length. Jackson
//     hands the streamer its 8000-byte buffer when full and at close, so a reply is one
//     chunk per 8000 bytes, then the last chunk "0".
//   - HTTP status: 400 for INVALID_REQUEST and PARSE_ERROR, 200 for every other error
//     (JsonRpcObjectExecutor.statusCodeFromError): "Method not found" is a 200.
//   - handlers/JsonRpcParserHandler.java: a body that is neither a JSON object nor a
//     non-empty array never reaches the executor: 400 with Vert.x's end(String), which
//     frames it by Content-Length, id null.
//   - jsonrpc/health/HealthService.java: 200 {"status" : "UP"} or 503 {"status" :
//     "DOWN"}, pretty-printed (JsonObject.encodePrettily), framed by end(String).
//     LivenessCheck.java is always healthy; ReadinessCheck.java wants at least minPeers
//     peers (default 1; a minPeers that is not an integer is not ready) and a node in
//     sync (the fake always is).
//
// Vert.x writes header names in lower case (transfer-encoding); Go's server writes
// them canonically (Transfer-Encoding). Clients must not care, and the scripts' own
// tests feed them lower-case names.

// jacksonBuffer is the size of Jackson's output buffer: the largest chunk Besu writes.
const jacksonBuffer = 8000

// ServeHTTP serves what Besu's JSON-RPC HTTP service serves, framed as Besu frames it.
func (n *Node) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Go adds a Date header by default; Vert.x does not.
	w.Header()["Date"] = nil
	switch {
	case r.URL.Path == "/liveness" && r.Method == http.MethodGet:
		n.health(w, true) // LivenessCheck: a Besu that answers is alive
		return
	case r.URL.Path == "/readiness" && r.Method == http.MethodGet:
		n.health(w, n.ready(r.URL.Query()["minPeers"]))
		return
	case r.URL.Path == "/" && r.Method == http.MethodGet:
		w.WriteHeader(http.StatusCreated)
		return
	case r.URL.Path != "/" || r.Method != http.MethodPost:
		http.NotFound(w, r)
		return
	}
	body, err := io.ReadAll(r.Body)
	trimmed := bytes.TrimSpace(body)
	var batch []json.RawMessage
	switch {
	case err != nil || len(trimmed) == 0 || !json.Valid(trimmed) || (trimmed[0] != '{' && trimmed[0] != '['):
		whole(w, http.StatusBadRequest, encode(response{JSONRPC: "2.0", ID: json.RawMessage("null"), Error: errParse}))
	case trimmed[0] == '{':
		resp := n.answer(trimmed)
		status := http.StatusOK
		if resp.Error == errInvalidRequest || resp.Error == errParse {
			status = http.StatusBadRequest
		}
		chunked(w, status, encode(resp))
	case json.Unmarshal(trimmed, &batch) != nil || len(batch) == 0:
		whole(w, http.StatusBadRequest, encode(response{JSONRPC: "2.0", ID: json.RawMessage("null"), Error: errInvalidRequest}))
	default:
		out := make([]response, 0, len(batch))
		for _, one := range batch {
			out = append(out, n.answer(one))
		}
		chunked(w, http.StatusOK, encode(out))
	}
}

// encode is Jackson's compact form: no trailing newline.
func encode(v any) []byte {
	data, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return data
}

// chunked writes a JSON-RPC reply as JsonResponseStreamer does: headers without
// Content-Length, then one chunk per Jackson buffer. Go's server chunks a body whose
// handler set "Transfer-Encoding: chunked" (and never adds Content-Length then); each
// Flush ends one chunk, the first going out with the headers, as Vert.x sends them.
func chunked(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Transfer-Encoding", "chunked")
	w.WriteHeader(status)
	flusher := w.(http.Flusher)
	for len(body) > 0 {
		part := body[:min(len(body), jacksonBuffer)]
		body = body[len(part):]
		w.Write(part)
		flusher.Flush()
	}
}

// whole writes a body Vert.x frames by Content-Length (HttpServerResponse.end(String)).
func whole(w http.ResponseWriter, status int, body []byte) {
	if w.Header().Get("Content-Type") == "" {
		w.Header()["Content-Type"] = nil // Go would sniff one; Vert.x sets none
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

func (n *Node) health(w http.ResponseWriter, healthy bool) {
	if healthy {
		whole(w, http.StatusOK, []byte("{\n  \"status\" : \"UP\"\n}"))
		return
	}
	whole(w, http.StatusServiceUnavailable, []byte("{\n  \"status\" : \"DOWN\"\n}"))
}

// ready is ReadinessCheck.isHealthy for a node in sync: at least minPeers connected
// peers (Integer.parseInt; default 1).
func (n *Node) ready(minPeers []string) bool {
	want := 1
	if len(minPeers) > 0 {
		v, err := strconv.ParseInt(minPeers[0], 10, 32)
		if err != nil {
			return false
		}
		want = int(v)
	}
	return len(n.Peers()) >= want
}
