#!/usr/bin/env bash
# A/B of two model bundles on this machine: the quickstart's measurement (radlabel-server with
# its default flags, the CLI labelling one CSV), one server at a time, alternating bundles.
# Prints every run; compare the medians of rounds, never figures from different sessions.
#   bench/ab_bundles.sh OLD_BUNDLE NEW_BUNDLE [ROUNDS=3] [CSV=model/samples/head_mri_reports.csv]
# e.g. the previous commit's bundle: mkdir /tmp/old && git archive HEAD~1 model/default |
# tar -x -C /tmp/old && bench/ab_bundles.sh /tmp/old/model/default model/default
set -euo pipefail
cd "$(dirname "$0")/.."
old=$1 new=$2 rounds=${3:-3} csv=${4:-model/samples/head_mri_reports.csv}
run() {  # BUNDLE
  local log; log=$(mktemp)
  build/server/radlabel-server --listen=127.0.0.1:0 --http_listen= --bundle="$1" > "$log" 2>&1 &
  local pid=$!
  # The server prints its address once it serves; the log ends if it exits.
  local target; target=$(grep -m1 -o 'listening on [0-9.]*:[0-9]*' <(tail -n +1 -f --pid=$pid "$log") |
                         cut -d' ' -f3 || true)
  [ -n "$target" ] || { cat "$log"; exit 1; }
  build/client/radlabel label "$csv" -o /dev/null --target="$target" --id_column=report_id \
    --text_column=text --progress=false 2>&1 | grep -o 'in [0-9.]* s: [0-9.]* reports/s'
  kill -TERM $pid; wait $pid || true
  rm -f "$log"
}
for round in $(seq 1 "$rounds"); do
  echo "round $round old: $(run "$old")"
  echo "round $round new: $(run "$new")"
done
