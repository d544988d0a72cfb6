#!/usr/bin/env bash
# A/B of two radlabel-server binaries on this machine, one server at a time, alternating, with
# the same CLI and corpus. Prints every run; compare medians of rounds.
#   bench/ab_servers.sh OLD_SERVER NEW_SERVER [ROUNDS=3] [SCENARIO=throughput]
# SCENARIO throughput: closed-loop unary (32 callers, 1 report per call) and streaming
#   (4 streams x 32 reports per message), 15 s each.
# SCENARIO overload: 96 unary callers of 128 reports each (12,288 reports in flight, more than
#   the default CPU queue of 8,192 windows holds) for 60 s, with the client's retries (5
#   attempts, the server's pushback honoured): how many reports end RESOURCE_EXHAUSTED after
#   their retries.
# e.g. the previous commit's server: git worktree add /tmp/old HEAD~1 && cmake -S /tmp/old -B
# /tmp/old/build -DRADLABEL_BUILD_TESTS=OFF && cmake --build /tmp/old/build --target radlabel-server
set -euo pipefail
cd "$(dirname "$0")/.."
old=$1 new=$2 rounds=${3:-3} scenario=${4:-throughput}
cli=build/client/radlabel
corpus=model/samples/head_mri_reports.csv
run() {  # SERVER BENCH_FLAGS...
  local server=$1; shift
  local log; log=$(mktemp)
  "$server" --listen=127.0.0.1:0 --metrics_listen=127.0.0.1:0 > "$log" 2>&1 &
  local pid=$!
  until grep -q "listening on" "$log"; do
    kill -0 $pid 2> /dev/null || { cat "$log"; exit 1; }
    sleep 0.2
  done
  local target; target=$(grep -o "listening on 127.0.0.1:[0-9]*" "$log" | cut -d' ' -f3)
  "$cli" bench "$corpus" --target="$target" --id_column=report_id --duration=15s "$@" 2>&1 |
    grep -E "^(throughput|reports:|errors by code)" | paste -sd ';' -
  kill -TERM $pid; wait $pid || true
  rm -f "$log"
}
for round in $(seq 1 "$rounds"); do
  for which in old new; do
    server=$old; [ $which = new ] && server=$new
    if [ "$scenario" = overload ]; then
      echo "round $round $which unary 96x128: $(run "$server" --concurrency=96 --reports_per_request=128 --duration=60s)"
    else
      echo "round $round $which unary 32x1:  $(run "$server" --concurrency=32)"
      echo "round $round $which stream 4x32: $(run "$server" --stream --concurrency=4 --reports_per_request=32)"
    fi
  done
done
