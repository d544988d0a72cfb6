// Gives the heap's free memory back to the operating system after a peak.
#pragma once

#include <cstdint>

#include "absl/time/time.h"
#include "common/periodic_task.h"

namespace radlabel {

struct HeapTrimmerOptions {
  // How often the heap's free bytes are counted (mallinfo2, every arena). Default 1 s.
  absl::Duration period = absl::Seconds(1);
  // Free heap bytes above which malloc_trim(0) returns every free page to the system. Default
  // 64 MiB. KeepLargeAllocationsInHeap keeps freed blocks mapped for speed, so without trimming
  // the process keeps the resident memory of its largest peak (a burst of large requests) for
  // good; trimming costs page faults when memory is next used, at most once per period, and
  // spares the steady working set, which stays in use and so is never free.
  int64_t free_bytes_threshold = int64_t{64} << 20;
};

// Counts the heap's free bytes every `period` and trims the heap when they pass the threshold,
// until destroyed.
class HeapTrimmer {
 public:
  explicit HeapTrimmer(const HeapTrimmerOptions& options);

 private:
  PeriodicTask task_;
};

}  // namespace radlabel
