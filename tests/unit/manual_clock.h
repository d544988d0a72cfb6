// A Clock that moves only when a test moves it.
#pragma once

#include <mutex>

#include "batching/clock.h"

namespace radlabel::testing {

class ManualClock final : public Clock {
 public:
  absl::Time Now() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return now_;
  }
  void Advance(absl::Duration by) {
    std::lock_guard<std::mutex> lock(mu_);
    now_ += by;
  }

 private:
  mutable std::mutex mu_;  // std::mutex for ThreadSanitizer (test_sync.h)
  absl::Time now_ = absl::UnixEpoch();
};

}  // namespace radlabel::testing
