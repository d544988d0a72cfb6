// The batching policy's own cost: microseconds to form one batch (BatchQueue::Next, plus the
// Push that refills the queue) while the queue holds a steady number of windows, for the CPU and
// CUDA default batch limits. A deep queue is the normal state of a busy GPU server (CUDA allows
// 32,768 queued windows), so this cost is paid once per model call. Prints one line per case:
// the median and p90 over --batches batches.
//   radlabel-batch-queue-bench [--batches=2000] [--seed=1]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "batching/batch_queue.h"
#include "batching/batcher_options.h"

ABSL_FLAG(int, batches, 2000, "Batches timed per case.");
ABSL_FLAG(int, seed, 1, "Seed of the window lengths.");

namespace radlabel {
namespace {

// Windows of every length from 24 to 512 tokens (a BERT-size window; the default bundle's hold
// at most 256), uniformly, so that batches need the search by length.
std::vector<BatchTask> Windows(int count, std::mt19937& random) {
  std::uniform_int_distribution<int> length(24, 512);
  std::vector<BatchTask> tasks(static_cast<size_t>(count));
  for (BatchTask& task : tasks) {
    task.token_ids.assign(static_cast<size_t>(length(random)), 1);
    task.done = [](absl::StatusOr<WindowOutput>) {};
  }
  return tasks;
}

void Run(const char* device, int depth, int batches, std::mt19937& random) {
  BatcherOptions options = BatcherOptions::ForDevice(device);
  options.max_queue_windows = std::max(options.max_queue_windows, 2 * depth);
  options.max_queue_tokens = int64_t{1} << 40;
  BatchQueue queue(options);
  absl::Time now = absl::FromUnixSeconds(1);
  std::vector<BatchTask> fill = Windows(depth, random);
  if (!queue.Push(fill, now).ok()) std::abort();
  std::vector<double> micros;
  size_t rows = 0;
  for (int i = 0; i < batches; ++i) {
    now += absl::Milliseconds(1);
    const auto t0 = std::chrono::steady_clock::now();
    BatchQueue::Poll poll = queue.Next(now, /*flush=*/true);
    const auto t1 = std::chrono::steady_clock::now();
    std::vector<BatchTask> refill = Windows(static_cast<int>(poll.batch.size()), random);
    const auto t2 = std::chrono::steady_clock::now();
    if (!queue.Push(refill, now).ok()) std::abort();
    const auto t3 = std::chrono::steady_clock::now();
    // Making the refill is the bench's work, not the queue's: left out.
    micros.push_back(std::chrono::duration<double, std::micro>((t1 - t0) + (t3 - t2)).count());
    rows += poll.batch.size();
  }
  std::sort(micros.begin(), micros.end());
  std::printf("%-5s depth %6d: %8.1f us per batch (p90 %8.1f), %5.1f windows per batch\n", device,
              depth, micros[micros.size() / 2], micros[micros.size() * 9 / 10],
              static_cast<double>(rows) / batches);
}

}  // namespace
}  // namespace radlabel

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  std::mt19937 random(static_cast<unsigned>(absl::GetFlag(FLAGS_seed)));
  for (const char* device : {"cpu", "cuda"}) {
    for (int depth : {1024, 8192, 32768}) {
      radlabel::Run(device, depth, absl::GetFlag(FLAGS_batches), random);
    }
  }
  return 0;
}
