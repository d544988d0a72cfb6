#!/usr/bin/env bash
# A/B of the batching policy's cost (radlabel-batch-queue-bench) between an older revision's
# BatchQueue and the working tree's: the same bench source is built against both, then run
# alternately, ROUNDS times each. Compare medians of rounds, case by case.
#   bench/ab_batch_queue.sh OLD_REV [ROUNDS=3]     (needs ./build from scripts/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
old_rev=$1 rounds=${2:-3}
old=$(mktemp -d)
trap 'git worktree remove --force "$old"' EXIT
git worktree add --quiet --detach "$old" "$old_rev"
cp bench/CMakeLists.txt bench/batch_queue_bench.cc "$old/bench/"
cmake -S "$old" -B "$old/build" -DCMAKE_BUILD_TYPE=Release -DRADLABEL_BUILD_TESTS=OFF > /dev/null
cmake --build "$old/build" -j2 --target radlabel-batch-queue-bench > /dev/null
cmake --build build -j2 --target radlabel-batch-queue-bench > /dev/null
for round in $(seq 1 "$rounds"); do
  "$old/build/bench/radlabel-batch-queue-bench" | sed "s/^/round $round old /"
  build/bench/radlabel-batch-queue-bench | sed "s/^/round $round new /"
done
