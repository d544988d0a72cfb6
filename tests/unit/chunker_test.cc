#include "text/chunker.h"

#include <gtest/gtest.h>

#include <numeric>

namespace radlabel {
namespace {

constexpr int32_t kCls = 101, kSep = 102;

TEST(ChunkerTest, ShortReportIsOneWindow) {
  const std::vector<int32_t> tokens = {5, 6, 7};
  const auto windows = SplitIntoWindows(tokens, {10, 2, kCls, kSep});
  ASSERT_EQ(windows.size(), 1u);
  EXPECT_EQ(windows[0], (std::vector<int32_t>{kCls, 5, 6, 7, kSep}));
}

TEST(ChunkerTest, ThreeWindowsOverlapAndCoverEveryToken) {
  // Window 10 -> 8 content tokens; overlap 2 -> stride 6. 20 tokens: [0,8) [6,14) [12,20).
  std::vector<int32_t> tokens(20);
  std::iota(tokens.begin(), tokens.end(), 1000);
  const auto windows = SplitIntoWindows(tokens, {10, 2, kCls, kSep});
  ASSERT_EQ(windows.size(), 3u);
  for (size_t w = 0; w < 3; ++w) {
    ASSERT_EQ(windows[w].size(), 10u);
    EXPECT_EQ(windows[w].front(), kCls);
    EXPECT_EQ(windows[w].back(), kSep);
    EXPECT_EQ(windows[w][1], 1000 + static_cast<int32_t>(6 * w));
  }
  EXPECT_EQ(windows[2][8], 1019);  // the last token is never cut
  // Overlap: the last 2 content tokens of a window open the next one.
  EXPECT_EQ(windows[0][7], windows[1][1]);
  EXPECT_EQ(windows[0][8], windows[1][2]);
}

TEST(ChunkerTest, ExactFitNeedsNoExtraWindow) {
  std::vector<int32_t> tokens(8, 7);
  EXPECT_EQ(SplitIntoWindows(tokens, {10, 2, kCls, kSep}).size(), 1u);
  tokens.push_back(7);
  EXPECT_EQ(SplitIntoWindows(tokens, {10, 2, kCls, kSep}).size(), 2u);
}

TEST(ChunkerTest, EachLabelTakesTheWindowWithTheHighestPositiveProbability) {
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

TEST(ChunkerTest, WindowsWithinTheTieToleranceGoToTheEarliest) {
  // One label, 2 classes; windows 1 and 2 hold the same sentence, up to float noise.
  const std::vector<std::vector<float>> windows = {{0.6f, 0.4f}, {0.3f, 0.7f}, {0.2999960f, 0.7000040f}};
  EXPECT_EQ(BestWindowPerLabel(windows, 1, 2, 1), (std::vector<int>{1}));
  const std::vector<std::vector<float>> clearly_better = {{0.3f, 0.7f}, {0.29f, 0.71f}};
  EXPECT_EQ(BestWindowPerLabel(clearly_better, 1, 2, 1), (std::vector<int>{1}));
}

}  // namespace
}  // namespace radlabel
