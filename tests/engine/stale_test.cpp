// A feed that stays down: after its stale_after its books are no longer served, leave the
// consolidated book and come back only with a fresh snapshot once the feed is live again.
#include "tests/engine/fixture.hpp"

namespace mdhub::test {
namespace {

using Strings = std::vector<std::string>;
using Stales = std::vector<std::pair<size_t, bool>>;

class engine_stale : public EngineTest {
 protected:
  engine_stale() {
    send(kBtse, at(kBtse, 1 * kSec).snapshot(kBtc, 10, {bid("100.1", "1"), ask("100.4", "2")}));
    send(kNarkasa, at(kNarkasa, 1 * kSec).replace(kNkBtc, {bid("100.05", "0.5"), ask("100.30", "1")}));
    engine_.set_stale_after(kNarkasa, 3000);
    rec_.clear();
  }
  const InstrumentState& nk() const { return st("narkasa", "BTC-USDT"); }
};

TEST_F(engine_stale, SnapshotVenueDownLongerThanStaleAfterLeavesEverything) {
  ASSERT_EQ(cons_side("BTC-USDT", Side::bid), (Strings{"100.1 1 btse=1", "100.05 0.5 narkasa=0.5"}));
  engine_.on_state(kNarkasa, FeedState::down);
  // The clock starts when the timer first finds the feed not live.
  engine_.check_stale(10 * kSec);
  engine_.check_stale(13 * kSec - 1);
  EXPECT_FALSE(engine_.feed_stale(kNarkasa));
  EXPECT_TRUE(engine_.book_served(nk()));
  EXPECT_TRUE(rec_.stales.empty());
  EXPECT_EQ(engine_.feed_not_live_since(kNarkasa), 10 * kSec);

  engine_.check_stale(13 * kSec);
  EXPECT_TRUE(engine_.feed_stale(kNarkasa));
  EXPECT_EQ(engine_.feed_state(kNarkasa), FeedState::down);
  EXPECT_EQ(rec_.stales, (Stales{{kNarkasa, true}}));
  EXPECT_FALSE(engine_.book_served(nk()));
  EXPECT_FALSE(nk().in_sync);
  EXPECT_EQ(nk().book.size(Side::bid) + nk().book.size(Side::ask), 0u);
  EXPECT_EQ(rec_.lost, (Strings{"narkasa/BTC-USDT"}));
  // Only the BTC-USDT book was in sync; BTC-TRY had none and loses nothing.
  EXPECT_EQ(cons_side("BTC-USDT", Side::bid), (Strings{"100.1 1 btse=1"}));
  EXPECT_EQ(cons_side("BTC-USDT", Side::ask), (Strings{"100.4 2 btse=2"}));
  ASSERT_EQ(rec_.consolidated.size(), 1u);
  EXPECT_TRUE(rec_.consolidated[0].changes.empty());  // a reset: subscribers get a snapshot
  // The other feeds are untouched.
  EXPECT_FALSE(engine_.feed_stale(kBtse));
  EXPECT_TRUE(engine_.book_served(st("btse", "BTC-USDT")));

  // Later checks while still down change nothing more.
  engine_.check_stale(20 * kSec);
  EXPECT_EQ(rec_.stales.size(), 1u);
  EXPECT_EQ(rec_.consolidated.size(), 1u);
}

TEST_F(engine_stale, BackLiveRestartsWithAFreshSnapshot) {
  engine_.on_state(kNarkasa, FeedState::connecting);
  engine_.check_stale(10 * kSec);
  engine_.check_stale(13 * kSec);
  ASSERT_TRUE(engine_.feed_stale(kNarkasa));
  rec_.clear();

  // A connection that opens and drops between two checks is not "live": a snapshot it
  // brought is held, neither published nor merged.
  engine_.on_state(kNarkasa, FeedState::live);
  send(kNarkasa, at(kNarkasa, 13 * kSec + 1).replace(kNkBtc, {bid("100.07", "3"), ask("100.35", "4")}));
  engine_.on_state(kNarkasa, FeedState::connecting);
  engine_.check_stale(14 * kSec);
  EXPECT_TRUE(engine_.feed_stale(kNarkasa));
  EXPECT_TRUE(rec_.books.empty());
  EXPECT_TRUE(rec_.consolidated.empty());
  EXPECT_FALSE(engine_.book_served(nk()));
  EXPECT_EQ(cons_side("BTC-USDT", Side::bid), (Strings{"100.1 1 btse=1"}));

  // Found live: the held book goes out as a snapshot and back into the consolidated book.
  engine_.on_state(kNarkasa, FeedState::live);
  send(kNarkasa, at(kNarkasa, 14 * kSec + 1).replace(kNkBtc, {bid("100.08", "3"), ask("100.35", "4")}));
  EXPECT_TRUE(rec_.books.empty());
  engine_.check_stale(15 * kSec);
  EXPECT_FALSE(engine_.feed_stale(kNarkasa));
  EXPECT_EQ(engine_.feed_not_live_since(kNarkasa), 0);
  EXPECT_EQ(rec_.stales, (Stales{{kNarkasa, false}}));
  ASSERT_EQ(rec_.books.size(), 1u);
  EXPECT_EQ(rec_.books[0].key, "narkasa/BTC-USDT");
  EXPECT_TRUE(rec_.books[0].snapshot);
  EXPECT_TRUE(engine_.book_served(nk()));
  EXPECT_EQ(cons_side("BTC-USDT", Side::bid), (Strings{"100.1 1 btse=1", "100.08 3 narkasa=3"}));
  EXPECT_EQ(cons_side("BTC-USDT", Side::ask), (Strings{"100.35 4 narkasa=4", "100.4 2 btse=2"}));

  // And it is a normal book again: the next snapshot is diffed into updates.
  rec_.clear();
  send(kNarkasa, at(kNarkasa, 16 * kSec).replace(kNkBtc, {bid("100.08", "2"), ask("100.35", "4")}));
  ASSERT_EQ(rec_.books.size(), 1u);
  EXPECT_FALSE(rec_.books[0].snapshot);
  EXPECT_EQ(rec_.books[0].changes, (Strings{"bid 100.08 2"}));
}

TEST_F(engine_stale, BackLiveWithoutABookWaitsForItsSnapshot) {
  engine_.on_state(kNarkasa, FeedState::down);
  engine_.check_stale(10 * kSec);
  engine_.check_stale(13 * kSec);
  rec_.clear();
  engine_.on_state(kNarkasa, FeedState::live);
  engine_.check_stale(14 * kSec);
  EXPECT_FALSE(engine_.feed_stale(kNarkasa));
  EXPECT_TRUE(rec_.books.empty());  // the old book is gone, never served again
  EXPECT_FALSE(engine_.book_served(nk()));
  send(kNarkasa, at(kNarkasa, 14 * kSec + 5).replace(kNkBtc, {bid("100.02", "1"), ask("100.31", "1")}));
  ASSERT_EQ(rec_.books.size(), 1u);
  EXPECT_TRUE(rec_.books[0].snapshot);
  EXPECT_TRUE(engine_.book_served(nk()));
  EXPECT_EQ(cons_side("BTC-USDT", Side::bid), (Strings{"100.1 1 btse=1", "100.02 1 narkasa=1"}));
}

TEST_F(engine_stale, LiveAtEveryCheckOrShortOutagesNeverStale) {
  // btse keeps the default of 5 s; a feed never reported down is live (replay, edge).
  for (int64_t t = 1; t < 30; ++t) engine_.check_stale(t * kSec);
  EXPECT_FALSE(engine_.feed_stale(kBtse));
  engine_.on_state(kBtse, FeedState::connecting);
  engine_.check_stale(30 * kSec);
  engine_.check_stale(35 * kSec - 1);
  EXPECT_FALSE(engine_.feed_stale(kBtse));
  engine_.on_state(kBtse, FeedState::live);
  engine_.check_stale(35 * kSec);  // found live: the clock starts again from the next outage
  engine_.on_state(kBtse, FeedState::down);
  engine_.check_stale(36 * kSec);
  engine_.check_stale(41 * kSec - 1);
  EXPECT_FALSE(engine_.feed_stale(kBtse));
  EXPECT_TRUE(rec_.stales.empty());
  engine_.check_stale(41 * kSec);
  EXPECT_TRUE(engine_.feed_stale(kBtse));
  EXPECT_EQ(rec_.stales, (Stales{{kBtse, true}}));
}

TEST_F(engine_stale, SequencedBookComesBackFromItsNextSnapshot) {
  engine_.set_stale_after(kBtse, 1000);
  engine_.on_stream_down(kBtse, 0);  // the book is lost at once, as before
  engine_.on_state(kBtse, FeedState::connecting);
  EXPECT_EQ(rec_.lost, (Strings{"btse/BTC-USDT"}));
  engine_.check_stale(10 * kSec);
  engine_.check_stale(11 * kSec);
  EXPECT_TRUE(engine_.feed_stale(kBtse));
  EXPECT_EQ(rec_.lost.size(), 1u);  // nothing more to lose
  EXPECT_EQ(cons_side("BTC-USDT", Side::bid), (Strings{"100.05 0.5 narkasa=0.5"}));
  // Deltas from a stale feed are not applied to a book it does not hold.
  send(kBtse, at(kBtse, 11 * kSec + 1).delta(kBtc, 12, 11, {bid("100.2", "1")}));
  EXPECT_FALSE(engine_.book_served(st("btse", "BTC-USDT")));
  engine_.on_state(kBtse, FeedState::live);
  engine_.check_stale(12 * kSec);
  rec_.clear();
  send(kBtse, at(kBtse, 12 * kSec + 1).snapshot(kBtc, 20, {bid("100.2", "1"), ask("100.4", "1")}));
  ASSERT_EQ(rec_.books.size(), 1u);
  EXPECT_TRUE(rec_.books[0].snapshot);
  EXPECT_EQ(cons_side("BTC-USDT", Side::bid), (Strings{"100.2 1 btse=1", "100.05 0.5 narkasa=0.5"}));
}

}  // namespace
}  // namespace mdhub::test
