#!/usr/bin/env bash
# The README's second command (and CI's): installs the packages, builds, runs every test
# (GoogleTest unit and integration suites, and the Python model tests through pytest) via ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh
cd build
ctest --output-on-failure -j2 --timeout 600
