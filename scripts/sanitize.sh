#!/usr/bin/env bash
# The sanitizer part of the test command (scripts/test.sh runs it after the plain build's tests):
#  1. the batcher, unit and integration tests (and the servers the integration tests start) built
#     with clang, AddressSanitizer + UndefinedBehaviorSanitizer, into ./build-asan;
#  2. the libFuzzer targets, FUZZ_SECONDS each (default 60), from the same build;
#  3. the batcher's tests under ThreadSanitizer, in ./build-tsan.
# Any sanitizer report fails the run.
#   ./scripts/sanitize.sh [FUZZ_SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build-sanitized.sh address batching_tests unit_tests integration_tests
# LibTorch and OpenBLAS are not built with the sanitizers and keep memory until exit by design:
# leak reports would be theirs, so leak checking is off; every other finding aborts.
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# Not here: suites with no C++ of ours under test, and the installed-package test (a sanitized
# library does not link into an uninstrumented consumer).
(cd build-asan && ctest --output-on-failure -j2 --timeout 900 -E "^python_|^deploy_tests|^tokenizer_conformance|^cpp_package_tests")
./scripts/fuzz.sh "${1:-60}"
./scripts/build-sanitized.sh thread batching_tests
TSAN_OPTIONS=halt_on_error=1 ./build-tsan/tests/batching_tests --gtest_brief=1
