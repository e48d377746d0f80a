// Snapshot-only venues: every message is the whole published book; the engine turns
// consecutive ones into exact level updates so consumers see one model.
#include "tests/engine/fixture.hpp"

namespace mdhub::test {
namespace {

using Strings = std::vector<std::string>;
using Ids = std::vector<uint32_t>;

TEST_F(engine, ConsecutiveSnapshotsAreDiffedIntoLevelUpdates) {
  EXPECT_EQ(send(kNarkasa, at(kNarkasa, 10 * kSec)
                               .replace(kNkBtc, {bid("100.00", "1"), bid("99.50", "2"), bid("99.00", "3"),
                                                 ask("100.50", "1"), ask("101.00", "2")})),
            Ids{});
  const InstrumentState& s = st("narkasa", "BTC-USDT");
  EXPECT_TRUE(s.in_sync);
  EXPECT_FALSE(s.sequenced);
  EXPECT_EQ(s.book.seq(), 0u);
  ASSERT_EQ(rec_.books.size(), 1u);
  EXPECT_TRUE(rec_.books[0].snapshot);
  EXPECT_TRUE(rec_.books[0].changes.empty());
  EXPECT_EQ(rec_.books[0].book_seq, 1u);

  // Out of order, a zero-size level (ignored) and a duplicated price (the later one wins).
  EXPECT_EQ(send(kNarkasa, at(kNarkasa, 11 * kSec)
                               .exchange_ts(1'700'000'010'900'000)
                               .replace(kNkBtc, {ask("101.50", "2"), bid("98.00", "7"), bid("99.50", "5"),
                                                 bid("100.25", "4"), ask("100.50", "1"), bid("97.00", "0"),
                                                 bid("100.00", "1"), bid("98.00", "1")})),
            Ids{});
  ASSERT_EQ(rec_.books.size(), 2u);
  EXPECT_FALSE(rec_.books[1].snapshot);
  EXPECT_EQ(rec_.books[1].changes, (Strings{"bid 100.25 4", "bid 99.5 5", "bid 99 0", "bid 98 1",
                                            "ask 101 0", "ask 101.5 2"}));
  EXPECT_EQ(rec_.books[1].book_seq, 2u);
  EXPECT_EQ(side_of(s, Side::bid), (Strings{"100.25 4", "100 1", "99.5 5", "98 1"}));
  EXPECT_EQ(side_of(s, Side::ask), (Strings{"100.5 1", "101.5 2"}));
  EXPECT_EQ(s.book_ts_exchange_us, 1'700'000'010'900'000);
  ASSERT_EQ(rec_.consolidated.size(), 2u);
  EXPECT_EQ(rec_.consolidated[1].changes, rec_.books[1].changes);
  EXPECT_EQ(rec_.bbos.size(), 2u);
  rec_.clear();

  // The same book again, in another order: nothing to publish, but it is fresh.
  EXPECT_EQ(send(kNarkasa, at(kNarkasa, 12 * kSec)
                               .replace(kNkBtc, {ask("100.50", "1"), ask("101.50", "2"), bid("98.00", "1"),
                                                 bid("99.50", "5"), bid("100.00", "1"), bid("100.25", "4")})),
            Ids{});
  EXPECT_TRUE(rec_.books.empty());
  EXPECT_TRUE(rec_.bbos.empty());
  EXPECT_TRUE(rec_.consolidated.empty());
  EXPECT_EQ(s.book_seq, 2u);
  EXPECT_EQ(s.book_ts_received_us, 1'700'000'012'000'000);
  EXPECT_EQ(rec_.begins.size(), 1u);

  // An empty book is a valid book: every level goes.
  EXPECT_EQ(send(kNarkasa, at(kNarkasa, 13 * kSec).replace(kNkBtc, {})), Ids{});
  ASSERT_EQ(rec_.books.size(), 1u);
  EXPECT_EQ(rec_.books[0].changes, (Strings{"bid 100.25 0", "bid 100 0", "bid 99.5 0", "bid 98 0",
                                            "ask 100.5 0", "ask 101.5 0"}));
  EXPECT_TRUE(s.in_sync);
  EXPECT_TRUE(cons_side("BTC-USDT", Side::bid).empty());
  EXPECT_EQ(s.gaps + s.resyncs + s.book_errors, 0u);
}

TEST_F(engine, OneSidedReplaceKeepsTheSideItDoesNotCarry) {
  send(kNarkasa, at(kNarkasa, 10 * kSec)
                     .replace(kNkBtc, {bid("100.00", "1"), bid("99.50", "2"), ask("100.50", "1"), ask("101.00", "2")}));
  rec_.clear();
  // Asks only: the bids stay as they were.
  EXPECT_EQ(send(kNarkasa, at(kNarkasa, 11 * kSec).replace_sides(kNkBtc, false, true, {ask("100.75", "3")})), Ids{});
  const InstrumentState& s = st("narkasa", "BTC-USDT");
  ASSERT_EQ(rec_.books.size(), 1u);
  EXPECT_EQ(rec_.books[0].changes, (Strings{"ask 100.5 0", "ask 100.75 3", "ask 101 0"}));
  EXPECT_EQ(side_of(s, Side::bid), (Strings{"100 1", "99.5 2"}));
  EXPECT_EQ(side_of(s, Side::ask), (Strings{"100.75 3"}));
  rec_.clear();
  // Bids only.
  EXPECT_EQ(send(kNarkasa, at(kNarkasa, 12 * kSec).replace_sides(kNkBtc, true, false, {bid("99.75", "4")})), Ids{});
  EXPECT_EQ(side_of(s, Side::bid), (Strings{"99.75 4"}));
  EXPECT_EQ(side_of(s, Side::ask), (Strings{"100.75 3"}));
  // A one-sided replace that crosses the kept side is a crossed book like any other.
  EXPECT_EQ(send(kNarkasa, at(kNarkasa, 13 * kSec).replace_sides(kNkBtc, false, true, {ask("99.50", "1")})),
            Ids{kNkBtc});
  EXPECT_FALSE(s.in_sync);
  rec_.clear();
  // Without a book, one side is not a book: dropped until a message carries both.
  EXPECT_EQ(send(kNarkasa, at(kNarkasa, 14 * kSec).replace_sides(kNkBtc, true, false, {bid("99.00", "1")})), Ids{});
  EXPECT_FALSE(s.in_sync);
  EXPECT_TRUE(rec_.books.empty());
  EXPECT_EQ(s.dropped_out_of_sync, 1u);
  EXPECT_EQ(send(kNarkasa, at(kNarkasa, 15 * kSec).replace(kNkBtc, {bid("99.00", "1"), ask("100.00", "1")})), Ids{});
  EXPECT_TRUE(s.in_sync);
  EXPECT_EQ(side_of(s, Side::bid), (Strings{"99 1"}));
}

TEST_F(engine, CrossedSnapshotOnlyBookIsLostUntilTheNextGoodOne) {
  send(kNarkasa, at(kNarkasa, 10 * kSec)
                     .replace(kNkBtc, {bid("100.00", "1"), ask("100.50", "1")})
                     .replace(kNkTry, {bid("2000000", "1"), ask("2000100", "1")}));
  rec_.clear();
  EXPECT_EQ(send(kNarkasa, at(kNarkasa, 11 * kSec)
                               .replace(kNkBtc, {bid("101.00", "1"), ask("100.50", "1")})
                               .replace(kNkTry, {bid("2000050", "1"), ask("2000100", "1")})),
            Ids{kNkBtc});
  const InstrumentState& s = st("narkasa", "BTC-USDT");
  EXPECT_EQ(rec_.lost, Strings{"narkasa/BTC-USDT"});
  ASSERT_EQ(rec_.books.size(), 1u);
  EXPECT_EQ(rec_.books[0].key, "narkasa/BTC-TRY");
  EXPECT_EQ(rec_.books[0].changes, (Strings{"bid 2000050 1", "bid 2000000 0"}));
  EXPECT_FALSE(s.in_sync);
  EXPECT_EQ(s.gaps, 0u);
  EXPECT_EQ(s.resyncs, 1u);
  EXPECT_EQ(s.book_errors, 1u);
  EXPECT_TRUE(cons_side("BTC-USDT", Side::bid).empty());
  rec_.clear();

  EXPECT_EQ(send(kNarkasa, at(kNarkasa, 12 * kSec).replace(kNkBtc, {bid("100.10", "2"), ask("100.50", "1")})),
            Ids{});
  EXPECT_TRUE(s.in_sync);
  ASSERT_EQ(rec_.books.size(), 1u);
  EXPECT_TRUE(rec_.books[0].snapshot);
  EXPECT_EQ(rec_.books[0].book_seq, 2u);
  EXPECT_EQ(side_of(s, Side::bid), Strings{"100.1 2"});
  EXPECT_EQ(cons_side("BTC-USDT", Side::bid), Strings{"100.1 2 narkasa=2"});
}

TEST_F(engine, CrossedFirstSnapshotAsksAgainWithoutALoss) {
  EXPECT_EQ(send(kNarkasa, at(kNarkasa, 10 * kSec).replace(kNkBtc, {bid("101.00", "1"), ask("100.50", "1")})),
            Ids{kNkBtc});
  const InstrumentState& s = st("narkasa", "BTC-USDT");
  EXPECT_FALSE(s.in_sync);
  EXPECT_TRUE(rec_.lost.empty());
  EXPECT_TRUE(rec_.books.empty());
  EXPECT_TRUE(rec_.consolidated.empty());
  EXPECT_EQ(s.book_errors, 1u);
}

}  // namespace
}  // namespace mdhub::test
