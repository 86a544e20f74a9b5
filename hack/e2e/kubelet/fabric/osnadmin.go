package main

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"strings"
)

// osnadmin is Fabric's osnadmin (cmd/osnadmin/main.go executeForArgs, v2.5.16): the
// flags -o/--orderer-address, --ca-file, --client-cert, --client-key; `channel join
// -c/--channelID -b/--config-block` (the block's channel must be the one named,
// validateBlockChannelID) and `channel list [-c]`. With --ca-file the URL is https://
// and the client presents its key pair (internal/osnadmin/httpclient.go); a join is a
// multipart form with the block as the file part "config-block" named "config.block"
// (internal/osnadmin/join.go). Whenever the orderer answers, the output is "Status:
// <code>\n" and the body indented with tabs (responseOutput), exit 0; with no answer,
// "Error: <err>" (errorOutput) and exit 1. A flag it cannot use is err, which main
// reports through kingpin.Fatalf on stderr.
func osnadmin(args []string) (output string, exit int, err error) {
	flags := map[string]string{}
	var command []string
	aliases := map[string]string{"-o": "--orderer-address", "-c": "--channelID", "-b": "--config-block"}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") {
			command = append(command, a)
			continue
		}
		name, value, inline := strings.Cut(a, "=")
		if long, ok := aliases[name]; ok {
			name = long
		}
		if !inline {
			if i+1 >= len(args) {
				return "", 1, fmt.Errorf("expected argument for flag '%s'", name)
			}
			i++
			value = args[i]
		}
		flags[name] = value
	}
	if flags["--orderer-address"] == "" {
		return "", 1, fmt.Errorf("required flag --orderer-address not provided")
	}
	errorOutput := func(err error) (string, int, error) { return "Error: " + err.Error() + "\n", 1, nil }
	url := "http://" + flags["--orderer-address"]
	client := &http.Client{}
	if ca := flags["--ca-file"]; ca != "" {
		url = "https://" + flags["--orderer-address"]
		pool, err := certPool(ca)
		if err != nil {
			return "", 1, fmt.Errorf("reading orderer CA certificate: %w", err)
		}
		pair, err := tls.LoadX509KeyPair(flags["--client-cert"], flags["--client-key"])
		if err != nil {
			return "", 1, fmt.Errorf("loading client cert/key pair: %w", err)
		}
		client.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{pair}}}
	}
	var req *http.Request
	switch strings.Join(command, " ") {
	case "channel join":
		block, err := os.ReadFile(flags["--config-block"])
		if err != nil {
			return "", 1, fmt.Errorf("reading config block: %w", err)
		}
		if channel, err := configBlockChannel(block); err != nil || channel != flags["--channelID"] {
			return "", 1, fmt.Errorf("specified --channelID %s does not match channel ID %s in config block", flags["--channelID"], channel)
		}
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		part, _ := w.CreateFormFile("config-block", "config.block")
		part.Write(block)
		w.Close()
		req, _ = http.NewRequest(http.MethodPost, url+"/participation/v1/channels", &body)
		req.Header.Set("Content-Type", w.FormDataContentType())
	case "channel list":
		path := "/participation/v1/channels"
		if c := flags["--channelID"]; c != "" {
			path += "/" + c
		}
		req, _ = http.NewRequest(http.MethodGet, url+path, nil)
	default:
		return "", 1, fmt.Errorf("expected command but got %q, try --help", command)
	}
	resp, err := client.Do(req)
	if err != nil {
		return errorOutput(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return errorOutput(err)
	}
	var out bytes.Buffer
	fmt.Fprintf(&out, "Status: %d\n", resp.StatusCode)
	if len(data) > 0 {
		if err := json.Indent(&out, data, "", "\t"); err != nil {
			return errorOutput(err)
		}
	}
	return out.String(), 0, nil
}
