#include "core/combine.h"

#include <gtest/gtest.h>

namespace radlabel {
namespace {

TEST(CombineTest, EachLabelTakesTheWindowWithTheHighestPositiveProbability) {
  // 2 labels x 3 classes (negative, positive, uncertain); positive is class 1.
  const std::vector<std::vector<float>> windows = {
      {0.9f, 0.05f, 0.05f, 0.2f, 0.7f, 0.1f},
      {0.1f, 0.80f, 0.10f, 0.5f, 0.2f, 0.3f},
      {0.3f, 0.60f, 0.10f, 0.1f, 0.7f, 0.2f},
  };
  // Label 0 from window 1; label 1 ties windows 0 and 2 at 0.7: the earliest wins.
  const std::vector<int> best = BestWindowPerLabel(windows, 2, 3, 1);
  EXPECT_EQ(best, (std::vector<int>{1, 0}));
  const std::vector<float> combined = CombineWindows(windows, best, 3);
  EXPECT_EQ(combined, (std::vector<float>{0.1f, 0.80f, 0.10f, 0.2f, 0.7f, 0.1f}));
}

TEST(CombineTest, WindowsWithinTheTieToleranceGoToTheEarliest) {
  // One label, 2 classes; windows 1 and 2 hold the same sentence, up to float noise.
  const std::vector<std::vector<float>> windows = {{0.6f, 0.4f}, {0.3f, 0.7f}, {0.2999960f, 0.7000040f}};
  EXPECT_EQ(BestWindowPerLabel(windows, 1, 2, 1), (std::vector<int>{1}));
  const std::vector<std::vector<float>> clearly_better = {{0.3f, 0.7f}, {0.29f, 0.71f}};
  EXPECT_EQ(BestWindowPerLabel(clearly_better, 1, 2, 1), (std::vector<int>{1}));
}

TEST(CombineTest, PositiveAtThresholdElseMoreProbableOfTheRest) {
  const std::vector<float> probs = {0.35f, 0.30f, 0.35f};
  EXPECT_EQ(DecideClass(probs, 1, 0.3f), 1);
  EXPECT_EQ(DecideClass(probs, 1, 0.31f), 0);  // tie between negative and uncertain: lower index
  EXPECT_EQ(DecideClass(std::vector<float>{0.2f, 0.3f, 0.5f}, 1, 0.5f), 2);
}

TEST(CombineTest, EachLabelIsDecidedOnItsOwnWindowWithItsOwnThreshold) {
  // 2 labels x 3 classes (negative, positive, uncertain); positive is class 1.
  const DecisionRule rule{2, 3, 1, {0.5f, 0.9f}};
  const std::vector<std::vector<float>> windows = {
      {0.2f, 0.6f, 0.2f, 0.1f, 0.3f, 0.6f},
      {0.7f, 0.2f, 0.1f, 0.1f, 0.8f, 0.1f},
  };
  const CombinedReport report = Combine(windows, rule);
  EXPECT_EQ(report.deciding_window, (std::vector<int>{0, 1}));
  EXPECT_EQ(report.probabilities, (std::vector<float>{0.2f, 0.6f, 0.2f, 0.1f, 0.8f, 0.1f}));
  // Label 0 reaches its threshold; label 1's 0.8 is below 0.9, so the more probable other class.
  EXPECT_EQ(report.decisions, (std::vector<int>{1, 0}));
}

}  // namespace
}  // namespace radlabel
