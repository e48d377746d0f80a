// The consolidated book: every venue's instrument of one canonical symbol merged at the
// finest scales among them, with per-venue quantities; only books known good take part.
#include "tests/engine/fixture.hpp"

namespace mdhub::test {
namespace {

using Strings = std::vector<std::string>;
using Ids = std::vector<uint32_t>;

class ConsolidatedTest : public EngineTest {
 protected:
  void SetUp() override {
    // btse prices at scale 1 and sizes at 6, narkasa at 2 and 8: merged at 2 and 8.
    send(kBtse, at(kBtse, 10 * kSec)
                    .snapshot(kBtc, 100, {bid("100.0", "1.5"), bid("99.9", "2"), ask("100.2", "1")}));
    send(kNarkasa, at(kNarkasa, 10 * kSec)
                       .replace(kNkBtc, {bid("100.00", "0.25"), bid("99.95", "3"), ask("100.20", "0.5"),
                                         ask("100.30", "1")}));
  }
};
using engine_consolidated = ConsolidatedTest;

TEST_F(engine_consolidated, VenuesOfOneSymbolMergeWithPerVenueQuantities) {
  const ConsolidatedState& c = cons("BTC-USDT");
  EXPECT_EQ(cons_side("BTC-USDT", Side::bid),
            (Strings{"100 1.75 btse=1.5 narkasa=0.25", "99.95 3 narkasa=3", "99.9 2 btse=2"}));
  EXPECT_EQ(cons_side("BTC-USDT", Side::ask), (Strings{"100.2 1.5 btse=1 narkasa=0.5", "100.3 1 narkasa=1"}));
  EXPECT_EQ(c.price_scale, 2);
  EXPECT_EQ(c.qty_scale, 8);
  EXPECT_EQ(c.book.best(Side::bid), (Level{10'000, 175'000'000}));
  EXPECT_EQ(c.book.best(Side::ask), (Level{10'020, 150'000'000}));
  EXPECT_EQ(c.left_out, 0u);
  EXPECT_FALSE(c.book.crossed());
  EXPECT_EQ(c.seq, 2u);
  ASSERT_EQ(rec_.consolidated.size(), 2u);
  EXPECT_TRUE(rec_.consolidated[0].changes.empty());  // each venue's first book is a reset
  EXPECT_TRUE(rec_.consolidated[1].changes.empty());
  // Other symbols are untouched.
  EXPECT_EQ(cons("ETH-USDT").seq, 0u);
  EXPECT_TRUE(cons_side("BTC-TRY", Side::bid).empty());
}

TEST_F(engine_consolidated, DeltasReachTheConsolidatedBookRescaled) {
  rec_.clear();
  // Deleting a level the venue does not have (depth-limited venues do) changes nothing.
  EXPECT_EQ(send(kBtse, at(kBtse, 11 * kSec)
                            .delta(kBtc, 101, 100, {bid("100.0", "0"), ask("100.1", "0.4"), ask("105.0", "0")})),
            Ids{});
  ASSERT_EQ(rec_.consolidated.size(), 1u);
  EXPECT_EQ(rec_.consolidated[0].symbol, "BTC-USDT");
  EXPECT_EQ(rec_.consolidated[0].changes, (Strings{"bid 100 0", "ask 100.1 0.4", "ask 105 0"}));
  EXPECT_EQ(rec_.consolidated[0].seq, 3u);
  EXPECT_EQ(cons_side("BTC-USDT", Side::bid),
            (Strings{"100 0.25 narkasa=0.25", "99.95 3 narkasa=3", "99.9 2 btse=2"}));
  EXPECT_EQ(cons_side("BTC-USDT", Side::ask),
            (Strings{"100.1 0.4 btse=0.4", "100.2 1.5 btse=1 narkasa=0.5", "100.3 1 narkasa=1"}));

  // A snapshot-only venue's diff goes in the same way.
  EXPECT_EQ(send(kNarkasa, at(kNarkasa, 11 * kSec)
                               .replace(kNkBtc, {bid("100.00", "0.25"), bid("99.95", "3"), ask("100.30", "1")})),
            Ids{});
  EXPECT_EQ(rec_.consolidated.back().changes, Strings{"ask 100.2 0"});
  EXPECT_EQ(cons_side("BTC-USDT", Side::ask), (Strings{"100.1 0.4 btse=0.4", "100.2 1 btse=1", "100.3 1 narkasa=1"}));
}

TEST_F(engine_consolidated, VenueOutOfSyncLeavesTheConsolidatedBookUntilItsSnapshot) {
  rec_.clear();
  EXPECT_EQ(send(kBtse, at(kBtse, 11 * kSec).delta(kBtc, 105, 104, {bid("101.0", "9")})), Ids{kBtc});
  ASSERT_EQ(rec_.consolidated.size(), 1u);
  EXPECT_TRUE(rec_.consolidated[0].changes.empty());
  EXPECT_EQ(cons_side("BTC-USDT", Side::bid), (Strings{"100 0.25 narkasa=0.25", "99.95 3 narkasa=3"}));
  EXPECT_EQ(cons_side("BTC-USDT", Side::ask), (Strings{"100.2 0.5 narkasa=0.5", "100.3 1 narkasa=1"}));

  // The other venue keeps updating it.
  send(kNarkasa, at(kNarkasa, 11 * kSec)
                     .replace(kNkBtc, {bid("100.05", "1"), bid("99.95", "3"), ask("100.20", "0.5"),
                                       ask("100.30", "1")}));
  EXPECT_EQ(cons_side("BTC-USDT", Side::bid), (Strings{"100.05 1 narkasa=1", "99.95 3 narkasa=3"}));
  // The lost venue's deltas do not.
  const size_t calls = rec_.consolidated.size();
  send(kBtse, at(kBtse, 11 * kSec).delta(kBtc, 106, 105, {bid("100.1", "1")}));
  EXPECT_EQ(rec_.consolidated.size(), calls);

  send(kBtse, at(kBtse, 12 * kSec).snapshot(kBtc, 200, {bid("100.0", "1"), ask("100.2", "2")}));
  EXPECT_TRUE(rec_.consolidated.back().changes.empty());
  EXPECT_EQ(cons_side("BTC-USDT", Side::bid),
            (Strings{"100.05 1 narkasa=1", "100 1 btse=1", "99.95 3 narkasa=3"}));
  EXPECT_EQ(cons_side("BTC-USDT", Side::ask), (Strings{"100.2 2.5 btse=2 narkasa=0.5", "100.3 1 narkasa=1"}));
}

TEST_F(engine_consolidated, CrossedAcrossVenuesIsShownNotHidden) {
  // narkasa bids above btse's ask: each venue book is fine, the merged one is crossed.
  EXPECT_EQ(send(kNarkasa, at(kNarkasa, 11 * kSec).replace(kNkBtc, {bid("100.25", "1"), ask("100.40", "1")})),
            Ids{});
  EXPECT_TRUE(st("btse", "BTC-USDT").in_sync);
  EXPECT_TRUE(st("narkasa", "BTC-USDT").in_sync);
  const ConsolidatedState& c = cons("BTC-USDT");
  EXPECT_TRUE(c.book.crossed());
  EXPECT_EQ(c.book.best(Side::bid), (Level{10'025, 100'000'000}));
  EXPECT_EQ(c.book.best(Side::ask), (Level{10'020, 100'000'000}));
}

// A venue level the consolidated scales cannot carry (here a size whose mantissa at scale 8
// exceeds kMaxConsolidatedQty) is left out of the consolidated book and counted: the rest of
// that venue's book stays in, and an update to such a size never leaves the old size behind.
TEST_F(engine_consolidated, LevelTooLargeToMergeIsLeftOutNotTheVenue) {
  const ConsolidatedState& c = cons("BTC-USDT");
  ASSERT_EQ(c.qty_scale, 8);
  ASSERT_GT(dec("6000000000", c.qty_scale), kMaxConsolidatedQty);
  EXPECT_EQ(send(kNarkasa, at(kNarkasa, 11 * kSec)
                               .replace(kNkBtc, {bid("100.00", "6000000000"), bid("99.95", "3"),
                                                 ask("100.30", "1")})),
            Ids{});
  const InstrumentState& nk = st("narkasa", "BTC-USDT");
  EXPECT_TRUE(nk.in_sync);
  EXPECT_EQ(side_of(nk, Side::bid), (Strings{"100 6000000000", "99.95 3"}));
  EXPECT_EQ(cons_side("BTC-USDT", Side::bid), (Strings{"100 1.5 btse=1.5", "99.95 3 narkasa=3", "99.9 2 btse=2"}));
  EXPECT_EQ(cons_side("BTC-USDT", Side::ask), (Strings{"100.2 1 btse=1", "100.3 1 narkasa=1"}));
  EXPECT_EQ(c.left_out, 1u);

  // After a loss, the venue's next snapshot (a reset of its slot) brings the rest back too.
  EXPECT_EQ(send(kNarkasa, at(kNarkasa, 12 * kSec).replace(kNkBtc, {bid("101.00", "1"), ask("100.30", "1")})),
            Ids{kNkBtc});
  EXPECT_EQ(cons_side("BTC-USDT", Side::bid), (Strings{"100 1.5 btse=1.5", "99.9 2 btse=2"}));
  EXPECT_EQ(send(kNarkasa, at(kNarkasa, 13 * kSec)
                               .replace(kNkBtc, {bid("100.00", "6000000000"), bid("99.95", "3"),
                                                 ask("100.30", "1")})),
            Ids{});
  EXPECT_TRUE(nk.in_sync);
  EXPECT_EQ(cons_side("BTC-USDT", Side::bid), (Strings{"100 1.5 btse=1.5", "99.95 3 narkasa=3", "99.9 2 btse=2"}));
  EXPECT_EQ(cons_side("BTC-USDT", Side::ask), (Strings{"100.2 1 btse=1", "100.3 1 narkasa=1"}));
  EXPECT_EQ(c.left_out, 2u);

  // Back to a size that fits, and over again.
  send(kNarkasa, at(kNarkasa, 14 * kSec).replace(kNkBtc, {bid("100.00", "2"), bid("99.95", "3"), ask("100.30", "1")}));
  EXPECT_EQ(cons_side("BTC-USDT", Side::bid),
            (Strings{"100 3.5 btse=1.5 narkasa=2", "99.95 3 narkasa=3", "99.9 2 btse=2"}));
  send(kNarkasa, at(kNarkasa, 15 * kSec)
                     .replace(kNkBtc, {bid("100.00", "6000000000"), bid("99.95", "3"), ask("100.30", "1")}));
  EXPECT_EQ(cons_side("BTC-USDT", Side::bid), (Strings{"100 1.5 btse=1.5", "99.95 3 narkasa=3", "99.9 2 btse=2"}));
  EXPECT_EQ(c.left_out, 3u);
}

}  // namespace
}  // namespace mdhub::test
