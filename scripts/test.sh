#!/usr/bin/env bash
# The README's second command (and CI's): installs the packages, builds, runs every test
# (GoogleTest batcher, unit and integration suites, the tokenizer conformance test against
# Hugging Face's JavaScript tokenizer, and the Python model tests through pytest) via ctest, then
# scripts/sanitize.sh: the C++ suites again under ASan + UBSan, the fuzzers for a minute each, and
# the batcher's tests under TSan.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh
# The conformance test's reference tokenizer, pinned by package-lock.json, from the npm registry.
npm ci --prefix tests/tokenizer_conformance --no-audit --no-fund --loglevel=error
cd build
ctest --output-on-failure -j2 --timeout 600
cd ..
./scripts/sanitize.sh 60
