#!/usr/bin/env bash
# Builds radlabel and its GoogleTest suites with AddressSanitizer and
# UndefinedBehaviorSanitizer into ./build-asan and runs the unit and integration tests there
# (the server processes the integration tests start are sanitized too).
#   ./scripts/sanitize.sh
set -euo pipefail
cd "$(dirname "$0")/.."
flags="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS="$flags" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" > build-asan.log
cmake --build build-asan -j"$(nproc)" --target unit_tests integration_tests >> build-asan.log
# LibTorch and OpenBLAS are not built with the sanitizers and keep memory until exit by design:
# leak reports would be theirs. Every other ASan and UBSan finding fails the test.
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
cd build-asan
ctest --output-on-failure -j2 --timeout 900 -E "python_model_tests|tokenizer_conformance"
