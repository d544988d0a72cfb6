// The time source of the batcher, injectable so that tests control time.
#pragma once

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace radlabel {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
};

class RealClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
  // A process-wide instance; never destroyed.
  static RealClock* Get() {
    static RealClock* const clock = new RealClock;
    return clock;
  }
};

}  // namespace radlabel
