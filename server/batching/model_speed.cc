#include "batching/model_speed.h"

#include <algorithm>

namespace radlabel {

void ModelSpeed::Record(absl::Duration model_time, int windows) {
  recent_[recorded_ % kRemembered] = model_time / windows;
  ++recorded_;
}

std::optional<absl::Duration> ModelSpeed::TimePerWindow() const {
  if (recorded_ < kNeeded) return std::nullopt;
  std::array<absl::Duration, kRemembered> sorted = recent_;
  const auto end = sorted.begin() + std::min(recorded_, kRemembered);
  const auto middle = sorted.begin() + (end - sorted.begin()) / 2;
  std::nth_element(sorted.begin(), middle, end);
  return *middle;
}

}  // namespace radlabel
