#!/usr/bin/env bash
# The README's first command: installs the packages, builds, starts radlabel-server on the
# embedded default model (127.0.0.1, a free port), labels the bundled sample reports with the
# radlabel CLI, prints labels and throughput, and stops the server.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
./scripts/build.sh > build.log 2>&1 || { tail -50 build.log; echo "build failed: see build.log"; exit 1; }
echo "built radlabel (log: build.log)"

output=build/sample_labels.csv
server_log=build/server.log
./build/server/radlabel-server --listen=127.0.0.1:0 --http_listen=127.0.0.1:0 > "$server_log" 2>&1 &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
# The server prints its address once it serves: await that line; the log ends if it exits.
address=$(grep -m1 -o 'listening on [0-9.]*:[0-9]*' <(tail -n +1 -f --pid=$server "$server_log") |
          cut -d' ' -f3 || true)
[ -n "$address" ] || { cat "$server_log"; echo "radlabel-server failed to start"; exit 1; }
grep 'serving' "$server_log"

./build/client/radlabel label model/samples/head_mri_reports.csv -o "$output" \
  --target="$address" --id_column=report_id --text_column=text --progress=false

echo
echo "First reports and the labels decided for them (full results: $output):"
# Decision columns are 6, 10, 14, ... (each label: its CheXpert value 1 positive, 0 negative,
# -1 uncertain, then one probability per class).
awk -F, 'NR == 1 { for (i = 6; i <= NF; i += 4) name[i] = $i; next }
         NR <= 11 { found = ""; for (i = 6; i <= NF; i += 4) if ($i != "0") found = found " " name[i] "=" ($i == "1" ? "positive" : "uncertain");
                    printf "  %s:%s\n", $1, (found == "" ? " all negative" : found) }' "$output"
