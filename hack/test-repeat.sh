#!/usr/bin/env bash
# Flake hunt: runs every Go test package REPEAT times and the e2e test E2E_REPEAT
# times, each in a fresh process per package, while HOG CPU-bound processes compete for
# the cores, and prints one line per package with its pass/fail counts. A test that
# passes alone but fails here depends on timing: fix it (wait on a condition, derive
# the timeout from a measurement), do not raise a sleep.
#
# usage: hack/test-repeat.sh            (REPEAT=10 E2E_REPEAT=5 HOG=1)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
repeat=${REPEAT:-10}
e2e_repeat=${E2E_REPEAT:-5}
hog=${HOG:-1}
logs=${LOGS:-bin/test-repeat}
mkdir -p "$logs"

hogs=()
for _ in $(seq "$hog"); do
  sh -c 'while :; do :; done' &
  hogs+=("$!")
done
trap '[ ${#hogs[@]} -eq 0 ] || kill "${hogs[@]}" 2>/dev/null' EXIT

failed=0
run() { # run <name> <count> <go test args...>
  local name=$1 count=$2 log
  shift 2
  log="$logs/$(echo "$name" | tr '/' '_').log"
  local start=$SECONDS
  FLUX_LEDGER_REQUIRE_TOOLS=1 go test -count="$count" "$@" >"$log" 2>&1
  local rc=$?
  local fails
  fails=$(grep -c -- '^--- FAIL' "$log")
  if [ "$rc" -ne 0 ]; then
    failed=1
    printf '%-60s FAIL (%d failed test runs) %4ds  %s\n' "$name x$count" "$fails" $((SECONDS - start)) "$log"
    grep -- '^--- FAIL' "$log" | sort | uniq -c | sed 's/^/    /'
    # A failure with no failed test: a timeout, a panic or a build error.
    grep -m1 -E '^panic: |build failed|\[setup failed\]' "$log" | sed 's/^/    /'
  else
    printf '%-60s ok %4ds\n' "$name x$count" $((SECONDS - start))
  fi
}

echo "test-repeat: packages x$repeat, e2e x$e2e_repeat, $hog CPU hog(s) on $(nproc) cores"
# Ten runs of the generator package take about 10 minutes here, go test's default
# timeout: give each run of a package its own 10 minutes.
for pkg in $(go list ./...); do
  run "$pkg" "$repeat" -timeout $((repeat * 10))m -v "$pkg"
done
run "e2e TestConsortium" "$e2e_repeat" -tags e2e -timeout 60m -v -run TestConsortium ./hack/e2e/
exit $failed
