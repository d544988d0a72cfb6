#include "metrics/throughput_window.h"

#include <gtest/gtest.h>

namespace radlabel {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1'000'000);

TEST(ThroughputWindowTest, AveragesCompletedSecondsOverTheWindow) {
  ThroughputWindow window(10);
  for (int s = 0; s < 10; ++s) window.Add(50, kT0 + absl::Seconds(s));
  EXPECT_DOUBLE_EQ(window.Rate(kT0 + absl::Seconds(10)), 50.0);
  // The current, partial second does not count yet.
  window.Add(1000, kT0 + absl::Seconds(10));
  EXPECT_DOUBLE_EQ(window.Rate(kT0 + absl::Seconds(10) + absl::Milliseconds(500)), 50.0);
  EXPECT_DOUBLE_EQ(window.Rate(kT0 + absl::Seconds(11)), (9 * 50.0 + 1000) / 10);
}

TEST(ThroughputWindowTest, OldSecondsFallOutAndIdleGoesToZero) {
  ThroughputWindow window(10);
  window.Add(100, kT0);
  EXPECT_DOUBLE_EQ(window.Rate(kT0 + absl::Seconds(1)), 10.0);
  EXPECT_DOUBLE_EQ(window.Rate(kT0 + absl::Seconds(10)), 10.0);
  EXPECT_DOUBLE_EQ(window.Rate(kT0 + absl::Seconds(11)), 0.0);
  // After a long gap the ring holds nothing stale.
  window.Add(30, kT0 + absl::Seconds(500));
  EXPECT_DOUBLE_EQ(window.Rate(kT0 + absl::Seconds(501)), 3.0);
}

}  // namespace
}  // namespace radlabel
