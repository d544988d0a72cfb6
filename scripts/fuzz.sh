#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/) with clang, AddressSanitizer and
# UndefinedBehaviorSanitizer into ./build-fuzz, and runs each for SECONDS (default 60) from its
# seed corpus. New inputs go to a temporary folder; a crash leaves its input in build-fuzz/.
#   ./scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DRADLABEL_BUILD_TESTS=OFF -DRADLABEL_FUZZERS=ON \
  -DCMAKE_CXX_FLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" > build-fuzz.log
cmake --build build-fuzz -j"$(nproc)" --target tokenizer_fuzzer csv_fuzzer label_request_fuzzer >> build-fuzz.log
failed=0
for name in tokenizer csv label_request; do
  work=$(mktemp -d)
  log="build-fuzz/${name}.log"
  if (cd build-fuzz && "./tests/fuzz/${name}_fuzzer" -max_total_time="$seconds" -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 "$work" "../tests/fuzz/corpus/${name}") > "$log" 2>&1; then
    echo "fuzz: ${name}: clean for ${seconds} s, $(grep -o 'number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$') inputs"
  else
    echo "fuzz: ${name}: FAILED (${log}; the crashing input is in build-fuzz/)"
    grep -E "^==|SUMMARY|runtime error|deadly signal|Test unit written" "$log" | head -20
    failed=1
  fi
  rm -rf "$work"
done
exit $failed
