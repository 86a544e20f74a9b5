package main

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
)

// runCouchDB is the CouchDB image as the rendered container runs it
// (apache/couchdb-docker 3.3.3): its entrypoint (docker-entrypoint.sh) touches
// etc/local.d/docker.ini (the rendered emptyDir: it must be writable) and, with
// COUCHDB_USER and COUCHDB_PASSWORD set, appends "[admins]\n<user> = <password>" there;
// with no admin in any ini file it exits 1 ("CouchDB 3.0+ will no longer run in Admin
// Party mode"). CouchDB then reads its ini files in order (iniFiles) over default.ini's
// [chttpd] port 5984 and bind_address 127.0.0.1; the image's
// default.d/10-docker-default.ini says bind_address = any, which a later file may
// override. The data directory is /opt/couchdb/data.
// root is /opt/couchdb in the image, control the control listener's address.
//
// It serves what the probes and the peer use (docs.couchdb.org api/server/common.html
// and api/database/common.html): GET /_up {"status":"ok"} without credentials; GET or
// HEAD / (the welcome); GET, PUT /{db} and PUT /{db}/_security, which need the admin's
// basic credentials (401 "You are not a server admin." without, "Name or password is
// incorrect." with wrong ones); 404 not_found for a missing database and 412
// file_exists for an existing one.
//
// A control listener (port 15984 on every address of the pod) lets the test stop and
// restart the HTTP listener, as a CouchDB that went away would.
func runCouchDB(getenv func(string) string, root, control string) (*instance, error) {
	etc := filepath.Join(root, "etc")
	docker := filepath.Join(etc, "local.d", "docker.ini")
	f, err := os.OpenFile(docker, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, fmt.Errorf("touch: cannot touch '%s': %w", docker, err)
	}
	defer f.Close()
	values, err := iniFiles(etc)
	if err != nil {
		return nil, err
	}
	if user, password := getenv("COUCHDB_USER"), getenv("COUCHDB_PASSWORD"); user != "" && password != "" && values["admins."+user] == "" {
		if _, err := fmt.Fprintf(f, "\n[admins]\n%s = %s\n", user, password); err != nil {
			return nil, err
		}
		values["admins."+user] = password
	}
	c := &couchDB{admins: map[string]string{}, data: filepath.Join(root, "data")}
	for k, v := range values {
		if name, ok := strings.CutPrefix(k, "admins."); ok && !strings.HasPrefix(v, ";") {
			c.admins[name] = v
		}
	}
	if len(c.admins) == 0 {
		return nil, errors.New(`ERROR: CouchDB 3.0+ will no longer run in "Admin Party" mode.`)
	}
	if err := os.MkdirAll(c.data, 0o755); err != nil {
		return nil, err
	}
	host, port := "127.0.0.1", "5984"
	if v := values["chttpd.bind_address"]; v != "" {
		host = v
	}
	if host == "any" {
		host = ""
	}
	if v := values["chttpd.port"]; v != "" {
		port = v
	}
	c.addr = net.JoinHostPort(host, port)
	in := newInstance()
	if err := c.start(in); err != nil {
		return nil, err
	}
	if control != "" {
		mux := http.NewServeMux()
		mux.HandleFunc("POST /stop", func(w http.ResponseWriter, r *http.Request) { c.stop() })
		mux.HandleFunc("POST /start", func(w http.ResponseWriter, r *http.Request) {
			if err := c.start(in); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
			}
		})
		if err := in.listen("control", control, nil, mux); err != nil {
			in.close()
			return nil, err
		}
	}
	in.closers = append(in.closers, c.stop)
	return in, nil
}

type couchDB struct {
	mu     sync.Mutex
	addr   string
	admins map[string]string
	data   string
	server *http.Server
}

func (c *couchDB) start(in *instance) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.server != nil {
		return nil
	}
	l, err := net.Listen("tcp", c.addr)
	if err != nil {
		return err
	}
	c.addr = l.Addr().String() // a restart binds where the first start did
	c.server = &http.Server{Handler: c}
	go c.server.Serve(l)
	in.mu.Lock()
	in.addrs["http"] = l.Addr().String()
	in.mu.Unlock()
	return nil
}

func (c *couchDB) stop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.server != nil {
		c.server.Close()
		c.server = nil
	}
}

var databaseName = regexp.MustCompile(`^(_users|_replicator|_global_changes|[a-z][a-z0-9_$()+/-]*)$`)

func (c *couchDB) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	reply := func(code int, body string) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Server", "CouchDB/3.3.3 (Erlang OTP/24)")
		w.WriteHeader(code)
		if r.Method != http.MethodHead {
			fmt.Fprintln(w, body)
		}
	}
	admin := false
	if user, password, ok := r.BasicAuth(); ok {
		want, known := c.admins[user]
		if !known || subtle.ConstantTimeCompare([]byte(want), []byte(password)) != 1 {
			reply(http.StatusUnauthorized, `{"error":"unauthorized","reason":"Name or password is incorrect."}`)
			return
		}
		admin = true
	}
	path := strings.Trim(r.URL.Path, "/")
	switch {
	case path == "_up" && r.Method == http.MethodGet:
		reply(http.StatusOK, `{"status":"ok","seeds":{}}`)
		return
	case path == "" && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		reply(http.StatusOK, `{"couchdb":"Welcome","version":"3.3.3","vendor":{"name":"The Apache Software Foundation"}}`)
		return
	case !admin:
		reply(http.StatusUnauthorized, `{"error":"unauthorized","reason":"You are not a server admin."}`)
		return
	}
	db, doc, _ := strings.Cut(path, "/")
	if !databaseName.MatchString(db) {
		reply(http.StatusBadRequest, `{"error":"illegal_database_name","reason":"Name: '`+db+`'."}`)
		return
	}
	dir := filepath.Join(c.data, strings.ReplaceAll(db, "/", "%2F"))
	_, statErr := os.Stat(dir)
	exists := statErr == nil
	switch {
	case doc == "" && r.Method == http.MethodGet:
		if !exists {
			reply(http.StatusNotFound, `{"error":"not_found","reason":"Database does not exist."}`)
			return
		}
		reply(http.StatusOK, fmt.Sprintf(`{"db_name":%q,"doc_count":0}`, db))
	case doc == "" && r.Method == http.MethodPut:
		if exists {
			reply(http.StatusPreconditionFailed, `{"error":"file_exists","reason":"The database could not be created, the file already exists."}`)
			return
		}
		if err := os.Mkdir(dir, 0o755); err != nil {
			reply(http.StatusInternalServerError, fmt.Sprintf(`{"error":"internal_server_error","reason":%q}`, err.Error()))
			return
		}
		reply(http.StatusCreated, `{"ok":true}`)
	case doc == "_security" && r.Method == http.MethodPut:
		if !exists {
			reply(http.StatusNotFound, `{"error":"not_found","reason":"Database does not exist."}`)
			return
		}
		reply(http.StatusOK, `{"ok":true}`)
	default:
		reply(http.StatusMethodNotAllowed, `{"error":"method_not_allowed","reason":"Only GET,HEAD,PUT allowed"}`)
	}
}
