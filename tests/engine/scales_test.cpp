// Consolidated scales: each canonical symbol's consolidated book holds the finest price and
// qty scales among its venues, so merging never rounds: distinct venue prices stay distinct
// levels, tiny sizes stay non-zero, and a venue with finer scales discovered later rescales
// the book exactly. What those scales cannot hold is left out and counted.
#include "src/publish/render.hpp"
#include "tests/engine/fixture.hpp"

namespace mdhub::test {
namespace {

using Strings = std::vector<std::string>;
using Ids = std::vector<uint32_t>;
using engine_scales = EngineTest;

TEST_F(engine_scales, PricesDifferingInTheTenthDecimalStayTwoLevels) {
  const size_t bx = add_feed("bitexbit", {make_instrument("PEPE-USDT", "pepe_usdt", 10, 0)});
  const size_t cb = add_feed("coinbtr", {make_instrument("PEPE-USDT", "PEPE-USDT", 10, 10)});
  const ConsolidatedState& c = cons("PEPE-USDT");
  EXPECT_EQ(c.price_scale, 10);
  EXPECT_EQ(c.qty_scale, 10);

  EXPECT_EQ(send(bx, at(bx, 10 * kSec).replace(0, {bid("0.0000012345", "1000000"), ask("0.000001235", "7")})),
            Ids{});
  EXPECT_EQ(send(cb, at(cb, 10 * kSec)
                         .replace(0, {bid("0.0000012346", "0.0000000015"), bid("0.0000012345", "2.5"),
                                      ask("0.0000012349", "1")})),
            Ids{});
  // At scale 8 the two best bids were one level and the tiny size was 0.
  EXPECT_EQ(cons_side("PEPE-USDT", Side::bid),
            (Strings{"0.0000012346 0.0000000015 coinbtr=0.0000000015",
                     "0.0000012345 1000002.5 bitexbit=1000000 coinbtr=2.5"}));
  EXPECT_EQ(cons_side("PEPE-USDT", Side::ask),
            (Strings{"0.0000012349 1 coinbtr=1", "0.000001235 7 bitexbit=7"}));
  EXPECT_EQ(c.book.best(Side::bid), (Level{12'346, 15}));
  EXPECT_EQ(c.left_out, 0u);

  std::string json;
  render::consolidated_levels(json, c, engine_, Side::bid, 10);
  EXPECT_EQ(json,
            R"([["0.0000012346","0.0000000015",{"coinbtr":"0.0000000015"}],)"
            R"(["0.0000012345","1000002.5",{"bitexbit":"1000000","coinbtr":"2.5"}]])");

  // Deleting one venue's level removes that level only, and only that venue's share.
  rec_.clear();
  send(cb, at(cb, 11 * kSec).replace(0, {bid("0.0000012345", "2.5"), ask("0.0000012349", "1")}));
  ASSERT_EQ(rec_.consolidated.size(), 1u);
  EXPECT_EQ(rec_.consolidated[0].changes, Strings{"bid 0.0000012346 0"});
  EXPECT_EQ(cons_side("PEPE-USDT", Side::bid), Strings{"0.0000012345 1000002.5 bitexbit=1000000 coinbtr=2.5"});
  send(cb, at(cb, 12 * kSec).replace(0, {ask("0.0000012349", "1")}));
  EXPECT_EQ(cons_side("PEPE-USDT", Side::bid), Strings{"0.0000012345 1000000 bitexbit=1000000"});
}

class LateMemberTest : public EngineTest {
 protected:
  void SetUp() override {
    send(kBtse, at(kBtse, 10 * kSec)
                    .snapshot(kBtc, 100, {bid("100.0", "1.5"), bid("99.9", "2"), ask("100.2", "1")}));
    send(kNarkasa, at(kNarkasa, 10 * kSec)
                       .replace(kNkBtc, {bid("100.00", "0.25"), bid("99.95", "3"), ask("100.20", "0.5"),
                                         ask("100.30", "1")}));
    rec_.clear();
  }
  const Strings bids_ = {"100 1.75 btse=1.5 narkasa=0.25", "99.95 3 narkasa=3", "99.9 2 btse=2"};
  const Strings asks_ = {"100.2 1.5 btse=1 narkasa=0.5", "100.3 1 narkasa=1"};
};
using engine_scales_late = LateMemberTest;

TEST_F(engine_scales_late, FinerVenueDiscoveredLaterRescalesTheBookExactly) {
  const ConsolidatedState& c = cons("BTC-USDT");
  ASSERT_EQ(c.seq, 2u);
  const size_t bx = add_feed("bitexbit", {make_instrument("BTC-USDT", "btc_usdt", 4, 10)});
  EXPECT_EQ(c.price_scale, 4);
  EXPECT_EQ(c.qty_scale, 10);
  // Observers get a reset (a snapshot at the new scales), and the same decimals.
  ASSERT_EQ(rec_.consolidated.size(), 1u);
  EXPECT_TRUE(rec_.consolidated[0].changes.empty());
  EXPECT_EQ(rec_.consolidated[0].seq, 3u);
  EXPECT_EQ(cons_side("BTC-USDT", Side::bid), bids_);
  EXPECT_EQ(cons_side("BTC-USDT", Side::ask), asks_);
  EXPECT_EQ(c.book.best(Side::bid), (Level{1'000'000, 17'500'000'000}));
  EXPECT_EQ(c.left_out, 0u);

  // Every venue keeps feeding it at the new scales.
  send(bx, at(bx, 11 * kSec).replace(0, {bid("100.0001", "0.0000000001"), ask("100.2", "1")}));
  send(kBtse, at(kBtse, 11 * kSec).delta(kBtc, 101, 100, {bid("100.0", "0.5")}));
  EXPECT_EQ(rec_.consolidated.back().changes, Strings{"bid 100 0.5"});
  EXPECT_EQ(cons_side("BTC-USDT", Side::bid),
            (Strings{"100.0001 0.0000000001 bitexbit=0.0000000001", "100 0.75 btse=0.5 narkasa=0.25",
                     "99.95 3 narkasa=3", "99.9 2 btse=2"}));
  EXPECT_EQ(cons_side("BTC-USDT", Side::ask),
            (Strings{"100.2 2.5 btse=1 narkasa=0.5 bitexbit=1", "100.3 1 narkasa=1"}));

  // A coarser venue changes nothing and tells nobody.
  const size_t calls = rec_.consolidated.size();
  add_feed("coinbtr", {make_instrument("BTC-USDT", "BTC-USDT", 0, 2)});
  EXPECT_EQ(c.price_scale, 4);
  EXPECT_EQ(c.qty_scale, 10);
  EXPECT_EQ(rec_.consolidated.size(), calls);
}

TEST_F(engine_scales_late, RescalingAnEmptyBookIsSilent) {
  const ConsolidatedState& eth = cons("ETH-USDT");
  EXPECT_EQ(eth.price_scale, 2);
  EXPECT_EQ(eth.qty_scale, 4);
  add_feed("bitexbit", {make_instrument("ETH-USDT", "eth_usdt", 8, 8)});
  EXPECT_EQ(eth.price_scale, 8);
  EXPECT_EQ(eth.qty_scale, 8);
  EXPECT_EQ(eth.seq, 0u);
  EXPECT_TRUE(rec_.consolidated.empty());
}

// Price 100 at scale 17 is 10^19: beyond int64. Such levels are left out of the consolidated
// book (counted), while the venue books keep them and the levels that fit still merge.
TEST_F(engine_scales_late, LevelsOverflowingTheFinerScalesAreLeftOutAndCounted) {
  const ConsolidatedState& c = cons("BTC-USDT");
  add_feed("bitexbit", {make_instrument("BTC-USDT", "btc_usdt", 17, 8)});
  EXPECT_EQ(c.price_scale, 17);
  EXPECT_EQ(c.left_out, 7u);
  EXPECT_TRUE(cons_side("BTC-USDT", Side::bid).empty());
  EXPECT_TRUE(cons_side("BTC-USDT", Side::ask).empty());
  ASSERT_EQ(rec_.consolidated.size(), 1u);
  EXPECT_TRUE(rec_.consolidated[0].changes.empty());
  EXPECT_TRUE(st("btse", "BTC-USDT").in_sync);
  EXPECT_EQ(side_of(st("btse", "BTC-USDT"), Side::bid), (Strings{"100 1.5", "99.9 2"}));

  // 90 fits (9 * 10^18); removing levels that never got in counts nothing.
  EXPECT_EQ(send(kNarkasa, at(kNarkasa, 11 * kSec)
                               .replace(kNkBtc, {bid("90.00", "1"), bid("99.95", "3"), ask("100.30", "1")})),
            Ids{});
  EXPECT_EQ(cons_side("BTC-USDT", Side::bid), Strings{"90 1 narkasa=1"});
  EXPECT_EQ(c.book.best(Side::bid), (Level{9'000'000'000'000'000'000, 100'000'000}));
  EXPECT_EQ(c.left_out, 7u);
  send(kBtse, at(kBtse, 11 * kSec).delta(kBtc, 101, 100, {bid("99.9", "5")}));
  EXPECT_EQ(c.left_out, 8u);
  EXPECT_EQ(cons_side("BTC-USDT", Side::bid), Strings{"90 1 narkasa=1"});
}

// Books are tick ladders, on the venue's published tick or an inferred one; a price off the
// published grid still lands exactly (the ladder refines its tick rather than failing).
TEST_F(engine_scales, BooksAreTickLaddersOnThePublishedTickElseInferred) {
  Instrument sol = make_instrument("SOL-USDT", "SOL-USDT", 2, 4);
  sol.tick = 5;  // 0.05
  const size_t bx = add_feed("bitexbit", {sol, make_instrument("XRP-USDT", "XRP-USDT", 4, 2)});
  for (const auto& p : engine_.instruments()) EXPECT_EQ(p->book.impl(), BookImpl::ladder) << key_of(*p);
  EXPECT_EQ(send(bx, at(bx, 10 * kSec)
                         .replace(0, {bid("20.05", "1"), bid("20.03", "2"), ask("20.10", "3")})
                         .replace(1, {bid("0.5123", "7"), ask("0.5127", "8")})),
            Ids{});
  EXPECT_EQ(side_of(st("bitexbit", "SOL-USDT"), Side::bid), (Strings{"20.05 1", "20.03 2"}));
  EXPECT_EQ(side_of(st("bitexbit", "SOL-USDT"), Side::ask), Strings{"20.1 3"});
  EXPECT_EQ(side_of(st("bitexbit", "XRP-USDT"), Side::ask), Strings{"0.5127 8"});
}

}  // namespace
}  // namespace mdhub::test
