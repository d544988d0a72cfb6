#include "text/windows.h"

#include <gtest/gtest.h>

#include <numeric>

namespace radlabel {
namespace {

constexpr int32_t kCls = 101, kSep = 102;

TEST(WindowsTest, ShortReportIsOneWindow) {
  const std::vector<int32_t> tokens = {5, 6, 7};
  const auto windows = SplitIntoWindows(tokens, {10, 2, kCls, kSep});
  ASSERT_EQ(windows.size(), 1u);
  EXPECT_EQ(windows[0], (std::vector<int32_t>{kCls, 5, 6, 7, kSep}));
}

TEST(WindowsTest, ThreeWindowsOverlapAndCoverEveryToken) {
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

TEST(WindowsTest, ExactFitNeedsNoExtraWindow) {
  std::vector<int32_t> tokens(8, 7);
  EXPECT_EQ(SplitIntoWindows(tokens, {10, 2, kCls, kSep}).size(), 1u);
  tokens.push_back(7);
  EXPECT_EQ(SplitIntoWindows(tokens, {10, 2, kCls, kSep}).size(), 2u);
}

}  // namespace
}  // namespace radlabel
