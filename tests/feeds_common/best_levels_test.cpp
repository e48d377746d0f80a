// The best bid and ask among parsed levels, in any order.
#include "feeds/common/best_levels.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace mdhub {
namespace {

TEST(BestLevels, TakesHighestBidAndLowestAskWithTheirQuantities) {
  const std::vector<LevelUpdate> v{{Side::ask, 1010, 3}, {Side::bid, 990, 1}, {Side::ask, 1005, 7},
                                   {Side::bid, 995, 2},  {Side::ask, 1020, 9}, {Side::bid, 980, 4}};
  const BboMsg b = best_of(v);
  EXPECT_EQ(b.bid, 995);
  EXPECT_EQ(b.bid_qty, 2);
  EXPECT_EQ(b.ask, 1005);
  EXPECT_EQ(b.ask_qty, 7);
}

TEST(BestLevels, AMissingSideStaysAbsent) {
  const std::vector<LevelUpdate> v{{Side::bid, 10, 1}, {Side::bid, 12, 5}};
  const BboMsg b = best_of(v);
  EXPECT_EQ(b.bid, 12);
  EXPECT_EQ(b.bid_qty, 5);
  EXPECT_EQ(b.ask, kNone);
  EXPECT_EQ(b.ask_qty, kNone);
  const BboMsg none = best_of({});
  EXPECT_EQ(none.bid, kNone);
  EXPECT_EQ(none.ask, kNone);
}

}  // namespace
}  // namespace mdhub
