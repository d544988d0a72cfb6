#include "metrics/throughput_window.h"

#include <algorithm>

namespace radlabel {

ThroughputWindow::ThroughputWindow(int window_seconds)
    : window_seconds_(std::max(1, window_seconds)),
      buckets_(static_cast<size_t>(window_seconds_) + 1, 0) {}

void ThroughputWindow::AdvanceLocked(int64_t second) {
  if (second <= current_second_) return;
  const int64_t size = static_cast<int64_t>(buckets_.size());
  // Clear the buckets of the seconds skipped since the last event (all of them after a gap).
  for (int64_t s = std::max(current_second_ + 1, second - size + 1); s <= second; ++s) {
    buckets_[static_cast<size_t>(s % size)] = 0;
  }
  current_second_ = second;
}

void ThroughputWindow::Add(int64_t count, absl::Time now) {
  const int64_t second = absl::ToUnixSeconds(now);
  absl::MutexLock lock(&mu_);
  AdvanceLocked(second);
  if (second < current_second_) return;  // a late event from a second already closed
  buckets_[static_cast<size_t>(second % static_cast<int64_t>(buckets_.size()))] += count;
}

double ThroughputWindow::Rate(absl::Time now) {
  const int64_t second = absl::ToUnixSeconds(now);
  absl::MutexLock lock(&mu_);
  AdvanceLocked(second);
  const int64_t size = static_cast<int64_t>(buckets_.size());
  int64_t total = 0;
  for (int64_t s = second - window_seconds_; s < second; ++s) {
    total += buckets_[static_cast<size_t>(((s % size) + size) % size)];
  }
  return static_cast<double>(total) / window_seconds_;
}

}  // namespace radlabel
