package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"google.golang.org/protobuf/encoding/protowire"
)

// runOrderer starts the orderer from its environment, over the image's defaults
// (sampleconfig/orderer.yaml: General.ListenAddress 127.0.0.1, ListenPort 7050,
// BootstrapMethod file, Admin.ListenAddress 127.0.0.1:9443, Operations 127.0.0.1:8443,
// ChannelParticipation.Enabled false, FileLedger.Location
// /var/hyperledger/production/orderer). It refuses what orderer/common/server/main.go
// refuses before serving: a bootstrap method other than none (no genesis file is
// rendered), an MSP or TLS key pair it cannot load.
func runOrderer(getenv func(string) string) (*instance, error) {
	env := func(key, def string) string {
		if v := getenv("ORDERER_" + key); v != "" {
			return v
		}
		return def
	}
	if m := env("GENERAL_BOOTSTRAPMETHOD", "file"); m != "none" {
		return nil, fmt.Errorf("Failed validating bootstrap block: bootstrap method %q needs a genesis file, none is rendered", m)
	}
	if _, err := loadMSP(env("GENERAL_LOCALMSPDIR", "/etc/hyperledger/fabric/msp")); err != nil {
		return nil, fmt.Errorf("Failed to get local MSP identity: %w", err)
	}
	if !parseBool(env("GENERAL_TLS_ENABLED", "false")) {
		// main.go: "TLS is required for running ordering nodes of cluster type."
		return nil, errors.New("TLS is required for running ordering nodes of cluster type.")
	}
	general, err := serverTLS(env("GENERAL_TLS_CERTIFICATE", ""), env("GENERAL_TLS_PRIVATEKEY", ""), nil)
	if err != nil {
		return nil, fmt.Errorf("Failed to load server TLS key pair: %w", err)
	}
	if _, err := certPool(envList(env("GENERAL_TLS_ROOTCAS", ""))...); err != nil {
		return nil, fmt.Errorf("Failed to load ServerRootCAs: %w", err)
	}
	o := &orderer{dir: env("FILELEDGER_LOCATION", "/var/hyperledger/production/orderer")}
	if err := os.MkdirAll(filepath.Join(o.dir, "chains"), 0o750); err != nil {
		return nil, fmt.Errorf("Failed to create ledger factory: %w", err)
	}
	in := newInstance()
	if err := in.tlsOnly("general", net.JoinHostPort(env("GENERAL_LISTENADDRESS", "127.0.0.1"), env("GENERAL_LISTENPORT", "7050")), general); err != nil {
		in.close()
		return nil, err
	}
	var admin = &struct{ cert, key string }{env("ADMIN_TLS_CERTIFICATE", ""), env("ADMIN_TLS_PRIVATEKEY", "")}
	if !parseBool(env("ADMIN_TLS_ENABLED", "false")) || !parseBool(env("ADMIN_TLS_CLIENTAUTHREQUIRED", "true")) {
		in.close()
		return nil, errors.New("failed to start admin server: the admin endpoint must require mutual TLS")
	}
	adminTLS, err := serverTLS(admin.cert, admin.key, envList(env("ADMIN_TLS_CLIENTROOTCAS", "")))
	if err != nil {
		in.close()
		return nil, fmt.Errorf("failed to start admin server: %w", err)
	}
	mux := http.NewServeMux()
	participation := o.participation(parseBool(env("CHANNELPARTICIPATION_ENABLED", "false")))
	mux.Handle("/participation/v1/channels", participation)
	mux.Handle("/participation/v1/channels/", participation)
	if err := in.listen("admin", env("ADMIN_LISTENADDRESS", "127.0.0.1:9443"), adminTLS, mux); err != nil {
		in.close()
		return nil, err
	}
	if err := in.listen("operations", env("OPERATIONS_LISTENADDRESS", "127.0.0.1:8443"), nil, operations(nil, "2.5.16")); err != nil {
		in.close()
		return nil, err
	}
	return in, nil
}

func parseBool(s string) bool {
	b, _ := strconv.ParseBool(s)
	return b
}

// orderer keeps the channels it joined as files under the ledger location (the
// rendered volume), so a restarted container still serves them.
type orderer struct {
	mu  sync.Mutex
	dir string
}

// channelInfo is orderer/common/types/channelinfo.go ChannelInfo.
type channelInfo struct {
	Name              string `json:"name"`
	URL               string `json:"url"`
	ConsensusRelation string `json:"consensusRelation"`
	Status            string `json:"status"`
	Height            uint64 `json:"height"`
}

// participation is the channel participation API
// (orderer/common/channelparticipation/restapi.go): 503 when disabled; GET
// /participation/v1/channels lists, GET …/<channel> describes, POST joins from the
// multipart part "config-block" (FormDataConfigBlockKey), answering 201 with the
// channel's info and a Location header, or 405 "cannot join: channel already exists"
// (sendJoinError, types.ErrChannelAlreadyExists) with Allow: GET, DELETE. Every answer
// is JSON written by json.Encoder (newline-terminated).
func (o *orderer) participation(enabled bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !enabled {
			sendJSON(w, http.StatusServiceUnavailable, errorResponse("channel participation API is disabled"))
			return
		}
		name := strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, "/participation/v1/channels"), "/")
		switch {
		case r.Method == http.MethodGet && name == "":
			o.mu.Lock()
			entries, _ := os.ReadDir(filepath.Join(o.dir, "chains"))
			o.mu.Unlock()
			list := struct {
				SystemChannel *channelInfo  `json:"systemChannel"`
				Channels      []channelInfo `json:"channels"`
			}{}
			for _, e := range entries {
				list.Channels = append(list.Channels, channelInfo{Name: e.Name(), URL: "/participation/v1/channels/" + e.Name()})
			}
			w.Header().Set("Cache-Control", "no-store")
			sendJSON(w, http.StatusOK, list)
		case r.Method == http.MethodGet:
			if _, err := os.Stat(filepath.Join(o.dir, "chains", filepath.Base(name))); err != nil {
				sendJSON(w, http.StatusNotFound, errorResponse("channel does not exist"))
				return
			}
			sendJSON(w, http.StatusOK, o.info(name))
		case r.Method == http.MethodPost && name == "":
			o.join(w, r)
		default:
			sendJSON(w, http.StatusMethodNotAllowed, errorResponse(fmt.Sprintf("invalid request method: %s", r.Method)))
		}
	})
}

func (o *orderer) info(name string) channelInfo {
	return channelInfo{Name: name, URL: "/participation/v1/channels/" + name, ConsensusRelation: "consenter", Status: "onboarding"}
}

func (o *orderer) join(w http.ResponseWriter, r *http.Request) {
	if _, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil {
		sendJSON(w, http.StatusBadRequest, errorResponse("cannot parse Mime media type: "+err.Error()))
		return
	}
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		sendJSON(w, http.StatusBadRequest, errorResponse("cannot read form from request body: "+err.Error()))
		return
	}
	files := r.MultipartForm.File["config-block"]
	if len(files) == 0 {
		sendJSON(w, http.StatusBadRequest, errorResponse("form does not contains part key: config-block"))
		return
	}
	f, err := files[0].Open()
	if err != nil {
		sendJSON(w, http.StatusBadRequest, errorResponse(err.Error()))
		return
	}
	block, _ := io.ReadAll(f)
	f.Close()
	channel, err := configBlockChannel(block)
	if err != nil {
		sendJSON(w, http.StatusBadRequest, errorResponse("invalid join block: "+err.Error()))
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	path := filepath.Join(o.dir, "chains", channel)
	if _, err := os.Stat(path); err == nil {
		w.Header().Set("Allow", "GET, DELETE")
		sendJSON(w, http.StatusMethodNotAllowed, errorResponse("cannot join: channel already exists"))
		return
	}
	if err := os.WriteFile(path, block, 0o640); err != nil {
		sendJSON(w, http.StatusInternalServerError, errorResponse("cannot join: "+err.Error()))
		return
	}
	info := o.info(channel)
	w.Header().Set("Location", info.URL)
	sendJSON(w, http.StatusCreated, info)
}

func errorResponse(msg string) any {
	return struct {
		Error string `json:"error"`
	}{msg}
}

func sendJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

// configBlockChannel reads the channel of a config block as ValidateJoinBlock
// (orderer/common/channelparticipation/validator.go) does: Block.data (2) .data[0]
// (1) is an Envelope whose payload (1) has a header (1) whose channel_header (1) is a
// ChannelHeader of type CONFIG (1 = 1) naming channel_id (4) — field numbers from
// fabric-protos common/common.proto.
func configBlockChannel(block []byte) (string, error) {
	data := field(block, 2)
	envelope := field(data, 1)
	payload := field(envelope, 1)
	header := field(payload, 1)
	channelHeader := field(header, 1)
	if channelHeader == nil {
		return "", errors.New("block is not a config block")
	}
	var typ uint64
	var channel string
	for b := channelHeader; len(b) > 0; {
		num, wt, n := protowire.ConsumeTag(b)
		if n < 0 {
			return "", errors.New("malformed channel header")
		}
		b = b[n:]
		switch {
		case num == 1 && wt == protowire.VarintType:
			v, m := protowire.ConsumeVarint(b)
			typ, n = v, m
		case num == 4 && wt == protowire.BytesType:
			v, m := protowire.ConsumeBytes(b)
			channel, n = string(v), m
		default:
			n = protowire.ConsumeFieldValue(num, wt, b)
		}
		if n < 0 {
			return "", errors.New("malformed channel header")
		}
		b = b[n:]
	}
	if typ != 1 || channel == "" {
		return "", fmt.Errorf("block is not a config block (header type %d)", typ)
	}
	return channel, nil
}

// field returns the first length-delimited field num of a message, nil if none.
func field(msg []byte, num protowire.Number) []byte {
	for len(msg) > 0 {
		n, wt, m := protowire.ConsumeTag(msg)
		if m < 0 {
			return nil
		}
		msg = msg[m:]
		if n == num && wt == protowire.BytesType {
			v, k := protowire.ConsumeBytes(msg)
			if k < 0 {
				return nil
			}
			return v
		}
		k := protowire.ConsumeFieldValue(n, wt, msg)
		if k < 0 {
			return nil
		}
		msg = msg[k:]
	}
	return nil
}
