// Reports completed per second over a sliding window, from per-second buckets. Times are passed
// in, so tests drive it without a clock. Thread-safe.
#pragma once

#include <cstdint>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace radlabel {

class ThroughputWindow {
 public:
  // `window`: whole seconds, at least 1. Default 60 s: long enough to smooth batch bursts,
  // short enough to show a stall within a minute.
  explicit ThroughputWindow(int window_seconds = 60);

  void Add(int64_t count, absl::Time now);
  // Events per second over the last window_seconds (the current, partial second excluded).
  double Rate(absl::Time now);

 private:
  void AdvanceLocked(int64_t second) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const int window_seconds_;
  absl::Mutex mu_;
  std::vector<int64_t> buckets_ ABSL_GUARDED_BY(mu_);  // ring: count per second
  int64_t current_second_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace radlabel
