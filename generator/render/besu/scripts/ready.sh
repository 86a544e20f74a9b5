#!/bin/bash
# ready: the readiness probe of a non-RPC Besu node. Besu's HTTP /readiness answers 200
# only with at least minPeers peers (ReadinessCheck), so a node with no peer is not
# ready. The JSON-RPC server of these nodes listens on 127.0.0.1, where the kubelet's
# httpGet cannot reach, so the probe runs in the container (http.sh, bash /dev/tcp).
# Environment: ADMIN_PORT. Reads wait at most 4 s: the probe's timeout is 5 s.
HTTP_TIMEOUT=4
# shellcheck source=http.sh
source "${BASH_SOURCE[0]%/*}/http.sh" || exit 1
http_request "${ADMIN_PORT:?}" GET "/readiness?minPeers=1" || exit 1
[[ $http_status == 200 ]]
