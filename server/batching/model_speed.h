// How fast the model runs windows under load: the median time per window of the latest batches
// recorded. A median, because slow outliers (a worker preempted by other threads, a batch that
// pays a one-time cost) mislead an average for tens of batches, and an estimate far above the
// model's real time per window sends refused callers away for far too long.
// Not thread-safe: the batcher guards it with its lock.
#pragma once

#include <array>
#include <optional>

#include "absl/time/time.h"

namespace radlabel {

class ModelSpeed {
 public:
  // Batches remembered; older ones are forgotten.
  static constexpr int kRemembered = 15;
  // Batches needed before there is an estimate: a median of 3 ignores one outlier.
  static constexpr int kNeeded = 3;

  void Record(absl::Duration model_time, int windows);

  // The median model time per window of the last kRemembered batches recorded, or std::nullopt
  // before kNeeded have been.
  std::optional<absl::Duration> TimePerWindow() const;

 private:
  std::array<absl::Duration, kRemembered> recent_;
  int recorded_ = 0;
};

}  // namespace radlabel
