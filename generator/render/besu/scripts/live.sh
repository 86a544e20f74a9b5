#!/bin/bash
# live: the liveness probe of a non-RPC Besu node. Besu's HTTP /liveness answers 200
# while its JSON-RPC service works (LivenessCheck); a hung JVM answers nothing, where a
# TCP check on the p2p port would stay green. The JSON-RPC server of these nodes
# listens on 127.0.0.1, where the kubelet's httpGet cannot reach, so the probe runs in
# the container (http.sh, bash /dev/tcp).
# Environment: ADMIN_PORT. Reads wait at most 4 s: the probe's timeout is 5 s.
HTTP_TIMEOUT=4
# shellcheck source=http.sh
source "${BASH_SOURCE[0]%/*}/http.sh" || exit 1
http_request "${ADMIN_PORT:?}" GET /liveness || exit 1
[[ $http_status == 200 ]]
