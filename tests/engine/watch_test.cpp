// Consolidated books kept only while watched: an unwatched symbol's member changes leave its
// book empty and its observers uninformed; a watch at any point gives the book continuous
// maintenance would have, compared with a second engine that watched from the start.
#include <random>

#include "src/publish/render.hpp"
#include "tests/engine/fixture.hpp"

namespace mdhub::test {
namespace {

using Strings = std::vector<std::string>;

/// The fixture's engine with every consolidated book unwatched, and a twin engine fed the
/// same events that watches them all from discovery on.
class WatchTest : public EngineTest {
 protected:
  WatchTest() {
    for (size_t i = 0; i < engine_.consolidated().size(); ++i) engine_.unwatch_consolidated(i);
    twin_.add_feed("btse");
    twin_.add_feed("narkasa");
    twin_.add_feed("coinmotion");
    for (size_t f = 0; f < tables_.size(); ++f) twin_.on_instruments(f, tables_[f]);
    for (size_t i = 0; i < twin_.consolidated().size(); ++i) twin_.watch_consolidated(i);
    twin_.add_observer(&twin_rec_);
  }

  void both(size_t feed, const Batch& b) {
    send(feed, b);
    std::vector<uint32_t> resync;
    twin_.on_events(feed, b.out, resync);
  }

  /// Random book traffic on BTC-USDT's two venues: btse deltas (a few of them gaps, which drop
  /// the book until the next snapshot) and narkasa full replaces.
  void traffic(int n) {
    std::uniform_int_distribution<int> pick(0, 99), level(0, 19), size(0, 40);
    for (int k = 0; k < n; ++k, ++t_) {
      const int r = pick(rng_);
      const std::string price = std::to_string(1000 + level(rng_)) + "." + std::to_string(level(rng_) % 10);
      const int q = size(rng_);
      const std::string qty = q % 5 == 0 ? "0" : std::to_string(q / 4) + "." + std::to_string(q % 4 * 25);
      const std::string ask_price = std::to_string(1100 + level(rng_)) + ".5";
      const Lv lv = r % 2 ? bid(price, qty) : ask(ask_price, qty);
      if (r < 3 || !btse_live_) {  // a fresh snapshot
        btse_seq_ += 10;
        both(kBtse, at(kBtse, t_ * kSec).snapshot(kBtc, btse_seq_, {bid("999.0", "1"), lv, ask("1100.0", "2")}));
        btse_live_ = true;
      } else if (r < 6) {  // a gap: btse's book leaves the consolidated book
        both(kBtse, at(kBtse, t_ * kSec).delta(kBtc, btse_seq_ + 5, btse_seq_ + 4, {lv}));
        btse_live_ = false;
      } else if (r < 70) {
        both(kBtse, at(kBtse, t_ * kSec).delta(kBtc, btse_seq_ + 1, btse_seq_, {lv}));
        ++btse_seq_;
      } else {
        const std::string np = std::to_string(1000 + level(rng_)) + ".05";
        const std::string top_ask = qty == "0" ? "1" : qty;
        both(kNarkasa, at(kNarkasa, t_ * kSec).replace(kNkBtc, {bid(np, "0.5"), lv, ask("1100.55", top_ask)}));
      }
    }
  }

  const ConsolidatedState& twin_cons() const { return *twin_.find_consolidated("BTC-USDT"); }
  size_t btc() const { return cons("BTC-USDT").index; }
  /// The consolidated book as /api/v1/book/all renders it (depth: every level).
  static std::string rendered(const Engine& e, const ConsolidatedState& c) {
    std::string out;
    render::consolidated(out, c, e, SIZE_MAX);
    return out;
  }
  /// Asserts that engine_'s BTC-USDT book, watched now, equals the twin's.
  void expect_equal_to_twin() {
    ASSERT_TRUE(cons("BTC-USDT").maintained());
    EXPECT_EQ(cons_side("BTC-USDT", Side::bid), side_of(twin_, twin_cons(), Side::bid));
    EXPECT_EQ(cons_side("BTC-USDT", Side::ask), side_of(twin_, twin_cons(), Side::ask));
    EXPECT_EQ(cons("BTC-USDT").seq, twin_cons().seq);
    EXPECT_EQ(rendered(engine_, cons("BTC-USDT")), rendered(twin_, twin_cons()));
  }

  Engine twin_;
  Recorder twin_rec_;
  std::mt19937 rng_{20261205};
  int64_t t_ = 10;
  uint64_t btse_seq_ = 100;
  bool btse_live_ = false;
};
using engine_watch = WatchTest;

TEST_F(engine_watch, UnwatchedMemberChangesLeaveTheConsolidatedBookEmptyAndUntold) {
  traffic(200);
  const ConsolidatedState& c = cons("BTC-USDT");
  EXPECT_FALSE(c.maintained());
  EXPECT_EQ(c.book.size(Side::bid), 0u);
  EXPECT_EQ(c.book.size(Side::ask), 0u);
  EXPECT_TRUE(rec_.consolidated.empty());
  // The venue books themselves are kept as ever, and the twin's merged book is not empty.
  EXPECT_EQ(side_of(st("btse", "BTC-USDT"), Side::bid), side_of(*twin_.find("btse", "BTC-USDT"), Side::bid));
  EXPECT_GT(twin_cons().book.size(Side::ask), 0u);
  EXPECT_FALSE(twin_rec_.consolidated.empty());
  // Its change count goes on as the kept book's does.
  EXPECT_EQ(c.seq, twin_cons().seq);
  EXPECT_GT(c.seq, 0u);
}

TEST_F(engine_watch, MergedOnDemandEqualsTheKeptBook) {
  traffic(150);
  ASSERT_FALSE(cons("BTC-USDT").maintained());
  const ConsolidatedState m = engine_.merged(cons("BTC-USDT"));
  EXPECT_EQ(side_of(engine_, m, Side::bid), side_of(twin_, twin_cons(), Side::bid));
  EXPECT_EQ(side_of(engine_, m, Side::ask), side_of(twin_, twin_cons(), Side::ask));
  EXPECT_EQ(rendered(engine_, m), rendered(twin_, twin_cons()));
  // Building it on demand keeps nothing.
  EXPECT_EQ(cons("BTC-USDT").book.size(Side::bid), 0u);
}

TEST_F(engine_watch, WatchAfterRandomChangesEqualsBookMaintainedFromTheStart) {
  traffic(300);
  engine_.watch_consolidated(btc());
  expect_equal_to_twin();
  EXPECT_TRUE(rec_.consolidated.empty());  // the first watch builds silently
  // From then on it is maintained change by change, and observers hear each one as the twin's do.
  twin_rec_.clear();
  traffic(300);
  expect_equal_to_twin();
  ASSERT_EQ(rec_.consolidated.size(), twin_rec_.consolidated.size());
  for (size_t i = 0; i < rec_.consolidated.size(); ++i) {
    EXPECT_EQ(rec_.consolidated[i].changes, twin_rec_.consolidated[i].changes) << i;
    EXPECT_EQ(rec_.consolidated[i].seq, twin_rec_.consolidated[i].seq) << i;
  }
}

TEST_F(engine_watch, UnwatchThenWatchAgainIsStillExact) {
  engine_.watch_consolidated(btc());
  traffic(100);
  expect_equal_to_twin();
  engine_.unwatch_consolidated(btc());
  EXPECT_FALSE(cons("BTC-USDT").maintained());
  EXPECT_EQ(cons("BTC-USDT").book.size(Side::bid) + cons("BTC-USDT").book.size(Side::ask), 0u);
  rec_.clear();
  traffic(200);
  EXPECT_TRUE(rec_.consolidated.empty());
  engine_.watch_consolidated(btc());
  expect_equal_to_twin();
  traffic(100);
  expect_equal_to_twin();
}

TEST_F(engine_watch, WatchesNestUntilTheLastUnwatch) {
  engine_.watch_consolidated(btc());
  engine_.watch_consolidated(btc());
  traffic(50);
  engine_.unwatch_consolidated(btc());
  traffic(50);
  expect_equal_to_twin();  // one watcher left: still kept
  engine_.unwatch_consolidated(btc());
  EXPECT_FALSE(cons("BTC-USDT").maintained());
  EXPECT_EQ(cons("BTC-USDT").book.size(Side::bid), 0u);
  // An unwatch too many is ignored: the next watch still keeps the book.
  engine_.unwatch_consolidated(btc());
  EXPECT_EQ(cons("BTC-USDT").watchers, 0u);
  engine_.watch_consolidated(btc());
  traffic(50);
  expect_equal_to_twin();
}

// Scales that grow with a late venue: an unwatched symbol's change count moves exactly as a
// kept book's, and a later watch merges at the new scales.
TEST_F(engine_watch, LateFinerVenueRescalesAnUnwatchedBookAsAKeptOne) {
  traffic(40);
  const std::vector<Instrument> late = {make_instrument("BTC-USDT", "btc_usdt", 4, 10)};
  add_feed("late", late);
  InstrumentTable lt;
  for (const auto& i : late) lt.add(i);
  twin_.add_feed("late");
  twin_.on_instruments(3, lt);
  EXPECT_EQ(cons("BTC-USDT").price_scale, 4);
  EXPECT_EQ(cons("BTC-USDT").seq, twin_cons().seq);
  both(3, Batch(lt, t_ * kSec).replace(0, {bid("1000.1234", "0.0000000001"), ask("1100.5", "3")}));
  traffic(40);
  engine_.watch_consolidated(btc());
  expect_equal_to_twin();
}

// A stale venue leaves the consolidated book and comes back with a snapshot: a book watched
// meanwhile holds exactly what the twin holds, the stale venue's levels left out.
TEST_F(engine_watch, AStaleVenueIsLeftOutOfABookWatchedWhileItIsStale) {
  traffic(60);
  auto stale_narkasa = [&](bool stale, int64_t now_s) {
    for (Engine* e : {&engine_, &twin_}) {
      e->on_state(kNarkasa, stale ? FeedState::down : FeedState::live);
      e->check_stale(now_s * kSec);
      e->check_stale((now_s + 10) * kSec);
    }
  };
  stale_narkasa(true, 1000);
  ASSERT_TRUE(engine_.feed_stale(kNarkasa));
  engine_.watch_consolidated(btc());
  expect_equal_to_twin();
  for (const std::string& row : cons_side("BTC-USDT", Side::ask)) EXPECT_EQ(row.find("narkasa"), std::string::npos) << row;
  engine_.unwatch_consolidated(btc());
  traffic(40);
  stale_narkasa(false, 2000);
  ASSERT_FALSE(engine_.feed_stale(kNarkasa));
  traffic(10);
  engine_.watch_consolidated(btc());
  expect_equal_to_twin();
}

}  // namespace
}  // namespace mdhub::test
