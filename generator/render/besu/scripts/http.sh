#!/bin/bash
# http.sh: a small HTTP/1.1 client for the node scripts, sourced by them (the Besu
# image has bash but no curl or jq). One request per connection (Connection: close) to
# 127.0.0.1 over bash's /dev/tcp. The reply's status line and headers are parsed (names
# in any case), and its body is read as framed: chunked (hex sizes, chunk extensions,
# trailer), by Content-Length, or up to the end of the connection. Besu frames every
# JSON-RPC reply chunked, without Content-Length (its JsonResponseStreamer calls
# setChunked(true)); its health checks by Content-Length. ws_jsonrpc makes one call over
# Besu's WebSocket listener instead (RPC nodes serve ADMIN only there, on loopback).
#
# Every read waits at most HTTP_TIMEOUT seconds (default 10); a reply that is cut off,
# malformed or late fails. No temporary files: no here-strings or here-documents (the
# root filesystem is read-only and bash may back them with one).

# Bytes, not characters: Content-Length and chunk sizes count bytes.
LC_ALL=C
# A peer that closes early must fail a write, not kill the script with SIGPIPE.
trap '' PIPE
# Regular expressions live in variables: [[ =~ ]] then takes them as they are.
_http_re_status='^HTTP/1\.[01] ([0-9]{3})( .*)?$'
_http_re_header='^([^:[:space:]]+):[[:blank:]]*(.*)$'

# http_request PORT METHOD TARGET [BODY]: sends the request, a JSON body if given.
# Sets http_status (e.g. 200), http_body, and http_error (why it failed). Succeeds when a
# whole, well-formed reply arrived, whatever its status.
http_request() {
	local port=$1 method=$2 target=$3 body=${4-} rc
	http_status="" http_body="" http_error=""
	if ! { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null; then
		http_error="nothing listens on 127.0.0.1:$port"
		return 1
	fi
	if [[ -n $body ]]; then
		printf '%s %s HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' \
			"$method" "$target" "${#body}" "$body" >&3 2>/dev/null
	else
		printf '%s %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' "$method" "$target" >&3 2>/dev/null
	fi || {
		http_error="cannot send to 127.0.0.1:$port"
		exec 3<&-
		return 1
	}
	_http_read_reply "${HTTP_TIMEOUT:-10}"
	rc=$?
	exec 3<&-
	return $rc
}

# _http_line: one line of the reply into line, without its CRLF; fails at the end of
# the connection or after the timeout.
_http_line() {
	IFS= read -r -t "$1" line <&3 || return 1
	line=${line%$'\r'}
}

_http_read_reply() {
	local t=$1 line name value te="" length="" size chunk rc
	if ! _http_line "$t"; then
		http_error="no status line"
		return 1
	fi
	if ! [[ $line =~ $_http_re_status ]]; then
		http_error="not an HTTP/1.x status line: $line"
		return 1
	fi
	http_status=${BASH_REMATCH[1]}
	while :; do
		if ! _http_line "$t"; then
			http_error="headers cut off"
			return 1
		fi
		[[ -z $line ]] && break
		if ! [[ $line =~ $_http_re_header ]]; then
			http_error="malformed header line: $line"
			return 1
		fi
		name=${BASH_REMATCH[1],,} value=${BASH_REMATCH[2]}
		value=${value%"${value##*[![:blank:]]}"}
		case $name in
		transfer-encoding) te="$te,${value,,}" ;;
		content-length)
			if ! [[ $value =~ ^[0-9]{1,9}$ ]] || [[ -n $length && $length != "$value" ]]; then
				http_error="bad Content-Length: $value"
				return 1
			fi
			length=$((10#$value))
			;;
		esac
	done
	# RFC 9112 section 6.3: no body for 1xx, 204 and 304; chunked wins over
	# Content-Length; without either the body runs to the end of the connection.
	if [[ $http_status == 1* || $http_status == 204 || $http_status == 304 ]]; then
		return 0
	fi
	if [[ -n $te ]]; then
		if ! [[ $te =~ chunked[[:blank:]]*$ ]]; then
			http_error="unsupported Transfer-Encoding:${te#,}"
			return 1
		fi
		while :; do
			if ! _http_line "$t"; then
				http_error="chunk size line cut off"
				return 1
			fi
			# A chunk extension (";name=value") is ignored.
			size=${line%%;*}
			size=${size%"${size##*[![:blank:]]}"}
			if ! [[ $size =~ ^[0-9a-fA-F]{1,7}$ ]]; then
				http_error="bad chunk size line: $line"
				return 1
			fi
			size=$((16#$size))
			((size == 0)) && break
			if ! IFS= read -r -N "$size" -t "$t" chunk <&3 || ((${#chunk} != size)); then
				http_error="chunk cut off after ${#chunk} of $size bytes"
				return 1
			fi
			http_body+=$chunk
			if ! _http_line "$t" || [[ -n $line ]]; then
				http_error="no CRLF after a chunk"
				return 1
			fi
		done
		# The trailer: header lines up to an empty line.
		while :; do
			if ! _http_line "$t"; then
				http_error="trailer cut off"
				return 1
			fi
			[[ -z $line ]] && return 0
		done
	fi
	if [[ -n $length ]]; then
		((length == 0)) && return 0
		if ! IFS= read -r -N "$length" -t "$t" http_body <&3 || ((${#http_body} != length)); then
			http_error="body cut off after ${#http_body} of $length bytes"
			return 1
		fi
		return 0
	fi
	while :; do
		IFS= read -r -N 4096 -t "$t" chunk <&3
		rc=$?
		http_body+=$chunk
		((rc == 0)) && continue
		if ((rc > 128)); then
			http_error="no end of the body within ${t}s"
			return 1
		fi
		return 0
	done
}

# jsonrpc PORT METHOD PARAMS: one JSON-RPC call (PARAMS is a JSON array). The reply's
# body in reply, or why there is none. Succeeds when Besu answered 200 with a result.
jsonrpc() {
	reply=""
	if ! http_request "$1" POST / "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$2\",\"params\":$3}"; then
		reply=$http_error
		return 1
	fi
	reply=$http_body
	[[ $http_status == 200 && $reply == *'"result"'* ]]
}

# ws_jsonrpc PORT METHOD PARAMS: one JSON-RPC call over a WebSocket (RFC 6455) to
# 127.0.0.1:PORT, Besu's --rpc-ws listener; reply and result as for jsonrpc. Besu
# writes a reply as a text frame and continuation frames (its websocket
# JsonResponseStreamer), all of which are read.
ws_jsonrpc() {
	local rc
	reply=""
	if ! { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null; then
		reply="nothing listens on 127.0.0.1:$1"
		return 1
	fi
	_ws_call "${HTTP_TIMEOUT:-10}" "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$2\",\"params\":$3}"
	rc=$?
	exec 3<&-
	((rc == 0)) && [[ $reply == *'"result"'* ]]
}

# _ws_byte: one byte of the reply, as a number, into byte (a NUL reads as empty).
_ws_byte() {
	local c
	IFS= read -r -d '' -n 1 -t "$1" c <&3 || return 1
	printf -v byte '%d' "'$c"
}

_ws_call() {
	local t=$1 msg=$2 line n hdr b0 len i op payload text="" accepted=""
	# The key of RFC 6455's own example: it only makes the server prove it speaks
	# WebSocket (Sec-WebSocket-Accept).
	printf 'GET / HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n' >&3 2>/dev/null || {
		reply="cannot send to the WebSocket"
		return 1
	}
	if ! _http_line "$t" || ! [[ $line =~ $_http_re_status && ${BASH_REMATCH[1]} == 101 ]]; then
		reply="no WebSocket upgrade: $line"
		return 1
	fi
	while _http_line "$t" && [[ -n $line ]]; do
		[[ ${line,,} =~ ^sec-websocket-accept:[[:blank:]]*s3pplmbitxaq9kygzzhzrbk\+xoo=[[:blank:]]*$ ]] && accepted=1
	done
	if [[ -n $line || -z $accepted ]]; then
		reply="WebSocket upgrade cut off or not accepted"
		return 1
	fi
	# One text frame, masked (a client masks every frame) with the key 0: the payload
	# goes as it is.
	n=${#msg}
	if ((n < 126)); then
		printf -v hdr '\\x81\\x%02x' $((0x80 | n))
	elif ((n < 65536)); then
		printf -v hdr '\\x81\\xfe\\x%02x\\x%02x' $((n >> 8)) $((n & 255))
	else
		reply="request too long"
		return 1
	fi
	# shellcheck disable=SC2059 # hdr holds printf escapes
	printf "$hdr\\x00\\x00\\x00\\x00%s" "$msg" >&3 2>/dev/null || {
		reply="cannot send to the WebSocket"
		return 1
	}
	while :; do
		_ws_byte "$t" || break
		b0=$byte
		_ws_byte "$t" || break
		len=$((byte & 127))
		((byte & 128)) && break # a server never masks
		if ((len >= 126)); then
			n=$((len == 126 ? 2 : 8)) len=0
			for ((i = 0; i < n; i++)); do
				_ws_byte "$t" || break 2
				len=$((len << 8 | byte))
			done
		fi
		payload=""
		if ((len > 0)) && { ! IFS= read -r -N "$len" -t "$t" payload <&3 || ((${#payload} != len)); }; then
			break
		fi
		op=$((b0 & 15))
		case $op in
		0 | 1) text+=$payload ;;
		9 | 10) continue ;; # ping, pong: nothing to answer within one call
		*) break ;;         # close, binary, or anything else
		esac
		if ((b0 & 128)); then
			reply=$text
			# Close politely (masked close frame, no payload).
			printf '\x88\x80\x00\x00\x00\x00' >&3 2>/dev/null
			return 0
		fi
	done
	reply="WebSocket reply cut off, malformed or closed"
	return 1
}
