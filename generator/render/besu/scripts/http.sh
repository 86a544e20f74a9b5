#!/bin/bash
# http.sh: a small HTTP/1.1 client for the node scripts, sourced by them (the Besu
# image has bash but no curl or jq). One request per connection (Connection: close) to
# 127.0.0.1 over bash's /dev/tcp. The reply's status line and headers are parsed (names
# in any case), and its body is read as framed: chunked (hex sizes, chunk extensions,
# trailer), by Content-Length, or up to the end of the connection. Besu frames every
# JSON-RPC reply chunked, without Content-Length (its JsonResponseStreamer calls
# setChunked(true)); its health checks by Content-Length.
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
