#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/) with clang, AddressSanitizer and
# UndefinedBehaviorSanitizer into ./build-asan, and runs each for SECONDS (default 60) from its
# seed corpus. New inputs go to a temporary folder; a crash leaves its input in build-asan/.
#   ./scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
names=(tokenizer csv label_request)
./scripts/build-sanitized.sh address "${names[@]/%/_fuzzer}"
failed=0
for name in "${names[@]}"; do
  work=$(mktemp -d)
  log="build-asan/${name}_fuzzer.log"
  if (cd build-asan && "./tests/fuzz/${name}_fuzzer" -max_total_time="$seconds" -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 "$work" "../tests/fuzz/corpus/${name}") > "$log" 2>&1; then
    echo "fuzz: ${name}: clean for ${seconds} s, $(grep -o 'number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$') inputs"
  else
    echo "fuzz: ${name}: FAILED (${log}; the crashing input is in build-asan/)"
    grep -E "^==|SUMMARY|runtime error|deadly signal|Test unit written" "$log" | head -20
    failed=1
  fi
  rm -rf "$work"
done
exit $failed
