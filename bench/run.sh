#!/usr/bin/env bash
# Runs radlabel's benchmark (bench/run.py) against a Release build in ./build:
#   ./bench/run.sh [--repeats 3] [--reports 20000] [--results DIR]
# Prints figures and ratios; it is a measurement, not a test.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x build/client/radlabel ] && [ -x build/bench/radlabel-offline-ceiling ] || ./scripts/build.sh
exec /usr/bin/python3 bench/run.py "$@"
