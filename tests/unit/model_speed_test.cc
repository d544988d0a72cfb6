#include "batching/model_speed.h"

#include <gtest/gtest.h>

namespace radlabel {
namespace {

TEST(ModelSpeedTest, NoEstimateUntilEnoughBatches) {
  ModelSpeed speed;
  for (int i = 1; i < ModelSpeed::kNeeded; ++i) {
    speed.Record(absl::Milliseconds(40), 4);
    EXPECT_FALSE(speed.TimePerWindow().has_value()) << i << " batches";
  }
  speed.Record(absl::Milliseconds(40), 4);
  EXPECT_EQ(speed.TimePerWindow(), absl::Milliseconds(10));
}

TEST(ModelSpeedTest, ASlowOutlierDoesNotMoveTheEstimate) {
  ModelSpeed speed;
  speed.Record(absl::Seconds(5), 1);  // a worker preempted for seconds
  speed.Record(absl::Milliseconds(20), 2);
  speed.Record(absl::Milliseconds(40), 4);
  EXPECT_EQ(speed.TimePerWindow(), absl::Milliseconds(10));
}

TEST(ModelSpeedTest, OnlyTheLatestBatchesCount) {
  ModelSpeed speed;
  for (int i = 0; i < ModelSpeed::kRemembered; ++i) speed.Record(absl::Milliseconds(10), 1);
  for (int i = 0; i < ModelSpeed::kRemembered / 2 + 1; ++i) speed.Record(absl::Milliseconds(30), 1);
  EXPECT_EQ(speed.TimePerWindow(), absl::Milliseconds(30)) << "the majority of the latest is slower";
}

}  // namespace
}  // namespace radlabel
