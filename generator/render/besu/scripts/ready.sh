#!/bin/bash
# ready: the readiness probe of a non-RPC Besu node. Besu's HTTP /readiness answers 200
# only with at least minPeers peers (ReadinessCheck), so a node with no peer is not
# ready. The JSON-RPC server of these nodes listens on 127.0.0.1, where the kubelet's
# httpGet cannot reach, so the probe runs in the container (bash /dev/tcp).
exec 3<>"/dev/tcp/127.0.0.1/${ADMIN_PORT:?}" || exit 1
printf 'GET /readiness?minPeers=1 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' >&3
IFS= read -r status <&3 || exit 1
[[ $status == HTTP/1.[01]\ 200* ]]
