// The server-wide budget of request bytes: grants in the order asked, never past its capacity,
// and a withdrawn request neither runs nor holds back those behind it.
#include "service/request_bytes_budget.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace radlabel {
namespace {

TEST(RequestBytesBudgetTest, GrantsAtOnceWhileThereIsRoom) {
  RequestBytesBudget budget(100);
  EXPECT_FALSE(budget.Reserve(60, [] { FAIL() << "granted at once: no callback"; }));
  EXPECT_FALSE(budget.Reserve(40, [] { FAIL() << "granted at once: no callback"; }));
  EXPECT_EQ(budget.reserved(), 100);
  budget.Release(100);
  EXPECT_EQ(budget.reserved(), 0);
}

TEST(RequestBytesBudgetTest, WaitersAreGrantedInTheOrderTheyAskedAsBytesComeBack) {
  RequestBytesBudget budget(100);
  std::vector<std::string> granted;
  ASSERT_FALSE(budget.Reserve(100, [] {}));
  ASSERT_TRUE(budget.Reserve(70, [&] { granted.push_back("first"); }));
  // 10 bytes would fit beside the first waiter, but it asked later: it waits its turn.
  ASSERT_TRUE(budget.Reserve(10, [&] { granted.push_back("second"); }));
  ASSERT_TRUE(budget.Reserve(50, [&] { granted.push_back("third"); }));
  budget.Release(20);
  EXPECT_TRUE(granted.empty()) << "70 bytes do not fit in the 20 given back";
  budget.Release(80);
  EXPECT_EQ(granted, (std::vector<std::string>{"first", "second"}));
  EXPECT_EQ(budget.reserved(), 80);
  budget.Release(70);
  EXPECT_EQ(granted, (std::vector<std::string>{"first", "second", "third"}));
  EXPECT_EQ(budget.reserved(), 60);
}

TEST(RequestBytesBudgetTest, AWithdrawnWaiterNeverRunsAndNoLongerHoldsBackThoseBehindIt) {
  RequestBytesBudget budget(100);
  bool big_granted = false, small_granted = false;
  ASSERT_FALSE(budget.Reserve(50, [] {}));
  const auto big = budget.Reserve(100, [&] { big_granted = true; });
  ASSERT_TRUE(big);
  ASSERT_TRUE(budget.Reserve(30, [&] { small_granted = true; }));
  EXPECT_TRUE(budget.Withdraw(*big));
  EXPECT_TRUE(small_granted) << "30 bytes fit beside the 50 held once the 100 stopped waiting";
  EXPECT_FALSE(big_granted);
  EXPECT_FALSE(budget.Withdraw(*big)) << "withdrawn twice";
  budget.Release(80);
  EXPECT_FALSE(big_granted);
  EXPECT_EQ(budget.reserved(), 0);
}

TEST(RequestBytesBudgetTest, AGrantedRequestCannotBeWithdrawn) {
  RequestBytesBudget budget(10);
  bool granted = false;
  ASSERT_FALSE(budget.Reserve(10, [] {}));
  const auto ticket = budget.Reserve(10, [&] { granted = true; });
  ASSERT_TRUE(ticket);
  budget.Release(10);
  ASSERT_TRUE(granted);
  EXPECT_FALSE(budget.Withdraw(*ticket)) << "its bytes are the caller's now";
  EXPECT_EQ(budget.reserved(), 10);
}

}  // namespace
}  // namespace radlabel
