#!/usr/bin/env bash
# Builds TARGETs with clang and a sanitizer, in a folder of its own:
#   address  AddressSanitizer + UndefinedBehaviorSanitizer, and the libFuzzer targets  -> build-asan
#            (all code carries libFuzzer's coverage instrumentation, so that the fuzzers see
#            which branches of the tokenizer, CSV reader and labeller an input reached)
#   thread   ThreadSanitizer                                                           -> build-tsan
# -O1 with line tables: the speed the sanitizers' authors recommend, with file:line in reports.
# Both also run clang's thread-safety analysis, as an error, on every ABSL_GUARDED_BY and
# ABSL_EXCLUSIVE_LOCKS_REQUIRED (absl::Mutex, and radlabel::Mutex of common/mutex.h).
#   ./scripts/build-sanitized.sh address|thread TARGET...
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-}
shift || true
case "$kind" in
  address) dir=build-asan sanitizers=address,undefined coverage=,fuzzer-no-link fuzzers=ON ;;
  thread) dir=build-tsan sanitizers=thread coverage= fuzzers=OFF ;;
  *) echo "usage: $0 address|thread TARGET..." >&2; exit 2 ;;
esac
CC=clang CXX=clang++ cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" \
  -DCMAKE_CXX_FLAGS="-fsanitize=$sanitizers$coverage -fno-sanitize-recover=all -fno-omit-frame-pointer -Wthread-safety -Werror=thread-safety" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=$sanitizers" -DRADLABEL_FUZZERS="$fuzzers" > "$dir.log"
cmake --build "$dir" -j"$(nproc)" --target "$@" >> "$dir.log"
