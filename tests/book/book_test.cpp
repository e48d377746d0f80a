#include <gtest/gtest.h>

#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "book/decimal.hpp"
#include "book/l2_book.hpp"
#include "tests/book/ref_book.hpp"

namespace mdhub {
namespace {

using test::RefBook;
using test::same_state;
using L = LevelUpdate;
constexpr Side B = Side::bid;
constexpr Side A = Side::ask;
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

struct Config {
  const char* name;
  BookOptions options;
};

// Every behaviour test runs against each implementation, including ladders that start
// without a tick, with a wrong tick, and with a tiny window (so levels spill and re-centre).
const Config kConfigs[] = {
    {"vector", {BookImpl::vector, 0, 0}},
    {"ladder_tick", {BookImpl::ladder, 5, 1u << 12}},
    {"ladder_infer", {BookImpl::ladder, 0, 1u << 12}},
    {"ladder_wrong_tick", {BookImpl::ladder, 7, 1u << 12}},
    {"ladder_tiny", {BookImpl::ladder, 5, 16}},
};

class BookTest : public ::testing::TestWithParam<Config> {
 protected:
  Book make() const { return Book(GetParam().options); }
};

std::vector<Level> lv(std::initializer_list<Level> l) { return l; }

TEST_P(BookTest, EmptyBook) {
  Book b = make();
  EXPECT_FALSE(b.best(B).has_value());
  EXPECT_FALSE(b.best(A).has_value());
  EXPECT_EQ(b.size(B), 0u);
  EXPECT_EQ(b.seq(), 0u);
  EXPECT_FALSE(b.crossed());
  EXPECT_EQ(b.hash(), Book().hash());
  std::vector<Level> out{{1, 1}};
  b.top(B, 10, out);
  EXPECT_TRUE(out.empty());
}

TEST_P(BookTest, ResetSortsIgnoresZerosAndLastWins) {
  Book b = make();
  const L snap[] = {{B, 100, 1}, {A, 110, 4}, {B, 105, 2}, {B, 95, 0},  {A, 120, 5},
                    {B, 100, 3}, {A, 115, 0}, {A, 110, 6}, {B, 105, 0}, {B, 90, 7}};
  EXPECT_EQ(b.reset(snap, 42), BookError::none);
  EXPECT_EQ(b.seq(), 42u);
  // The qty-0 duplicate of 105 is ignored (zeros are dropped before last-wins).
  EXPECT_EQ(b.levels(B), lv({{105, 2}, {100, 3}, {90, 7}}));
  EXPECT_EQ(b.levels(A), lv({{110, 6}, {120, 5}}));
  EXPECT_EQ(b.best(B), (Level{105, 2}));
  EXPECT_EQ(b.best(A), (Level{110, 6}));
  std::vector<Level> top;
  b.top(B, 2, top);
  EXPECT_EQ(top, lv({{105, 2}, {100, 3}}));
  b.top(A, 10, top);
  EXPECT_EQ(top, lv({{110, 6}, {120, 5}}));
  int calls = 0;
  b.for_each(B, 1, [&](const Level& l) {
    EXPECT_EQ(l, (Level{105, 2}));
    ++calls;
  });
  EXPECT_EQ(calls, 1);
  // A second reset replaces everything.
  const L snap2[] = {{A, 200, 1}};
  EXPECT_EQ(b.reset(snap2, 7), BookError::none);
  EXPECT_EQ(b.seq(), 7u);
  EXPECT_EQ(b.size(B), 0u);
  EXPECT_EQ(b.levels(A), lv({{200, 1}}));
}

TEST_P(BookTest, ResetErrorsClearTheBook) {
  Book b = make();
  const L good[] = {{B, 100, 1}, {A, 110, 1}};
  ASSERT_EQ(b.reset(good, 5), BookError::none);
  const L neg[] = {{B, 100, 1}, {A, 110, -1}};
  EXPECT_EQ(b.reset(neg, 6), BookError::negative_qty);
  EXPECT_EQ(b.size(B) + b.size(A), 0u);
  EXPECT_EQ(b.seq(), 0u);
  ASSERT_EQ(b.reset(good, 5), BookError::none);
  const L zero_price[] = {{B, 0, 1}};
  EXPECT_EQ(b.reset(zero_price, 6), BookError::bad_level);
  EXPECT_EQ(b.size(B) + b.size(A), 0u);
  const L neg_price[] = {{A, -5, 1}};
  EXPECT_EQ(b.reset(neg_price, 6), BookError::bad_level);
  const L none_qty[] = {{A, 5, kNone}};
  EXPECT_EQ(b.reset(none_qty, 6), BookError::negative_qty);
}

TEST_P(BookTest, CrossedSnapshotIsKeptAndReported) {
  Book b = make();
  const L snap[] = {{B, 110, 1}, {A, 105, 2}};
  EXPECT_EQ(b.reset(snap, 9), BookError::crossed);
  EXPECT_TRUE(b.crossed());
  EXPECT_EQ(b.seq(), 9u);
  EXPECT_EQ(b.best(B), (Level{110, 1}));
  EXPECT_EQ(b.best(A), (Level{105, 2}));
  const L locked[] = {{B, 105, 1}, {A, 105, 2}};
  EXPECT_EQ(b.reset(locked, 10), BookError::crossed);  // best bid == best ask counts
}

TEST_P(BookTest, ApplySetsInsertsAndDeletes) {
  Book b = make();
  const L snap[] = {{B, 100, 1}, {B, 95, 2}, {A, 105, 3}, {A, 110, 4}};
  ASSERT_EQ(b.reset(snap, 1), BookError::none);
  const L d1[] = {{B, 100, 5}, {B, 90, 6}, {A, 110, 0}, {A, 115, 7}};
  EXPECT_EQ(b.apply(d1, 2, 1), BookError::none);
  EXPECT_EQ(b.seq(), 2u);
  EXPECT_EQ(b.levels(B), lv({{100, 5}, {95, 2}, {90, 6}}));
  EXPECT_EQ(b.levels(A), lv({{105, 3}, {115, 7}}));
  // Deleting an absent level is fine; several changes to one price apply in order.
  const L d2[] = {{B, 85, 0}, {A, 500, 0}, {B, 100, 0}, {B, 100, 9}, {A, 105, 0}};
  EXPECT_EQ(b.apply(d2, 3, 2), BookError::none);
  EXPECT_EQ(b.levels(B), lv({{100, 9}, {95, 2}, {90, 6}}));
  EXPECT_EQ(b.levels(A), lv({{115, 7}}));
  // Deleting everything.
  const L d3[] = {{B, 100, 0}, {B, 95, 0}, {B, 90, 0}, {A, 115, 0}};
  EXPECT_EQ(b.apply(d3, 4, 3), BookError::none);
  EXPECT_EQ(b.size(B) + b.size(A), 0u);
  EXPECT_FALSE(b.best(B).has_value());
  // And building up again from nothing, including a better price than ever seen.
  const L d4[] = {{B, 1000, 1}, {A, 1005, 1}, {B, 5, 2}};
  EXPECT_EQ(b.apply(d4, 5, 4), BookError::none);
  EXPECT_EQ(b.levels(B), lv({{1000, 1}, {5, 2}}));
}

TEST_P(BookTest, SequenceRules) {
  Book b = make();
  const L snap[] = {{B, 100, 1}, {A, 105, 3}};
  ASSERT_EQ(b.reset(snap, 10), BookError::none);
  const uint64_t h = b.hash();
  const L d[] = {{B, 100, 2}};
  EXPECT_EQ(b.apply(d, 12, 11), BookError::sequence_gap);
  EXPECT_EQ(b.apply(d, 10, 9), BookError::stale);  // duplicate
  EXPECT_EQ(b.apply(d, 9, 8), BookError::stale);   // old
  EXPECT_EQ(b.apply(d, 10, 0), BookError::stale);
  EXPECT_EQ(b.hash(), h);
  EXPECT_EQ(b.seq(), 10u);
  EXPECT_EQ(b.apply(d, 11, 10), BookError::none);
  EXPECT_EQ(b.best(B), (Level{100, 2}));
  // Venues without prev_seq: only staleness is checked.
  const L d2[] = {{B, 100, 3}};
  EXPECT_EQ(b.apply(d2, 20, 0), BookError::none);
  EXPECT_EQ(b.seq(), 20u);
  // Messages without seq leave it unchanged and are never stale.
  const L d3[] = {{B, 100, 4}};
  EXPECT_EQ(b.apply(d3, 0, 0), BookError::none);
  EXPECT_EQ(b.seq(), 20u);
  EXPECT_EQ(b.best(B), (Level{100, 4}));
  // An unsequenced book (seq 0) takes anything.
  Book u = make();
  EXPECT_EQ(u.apply(d3, 5, 3), BookError::none);
  EXPECT_EQ(u.seq(), 5u);
  EXPECT_EQ(u.apply(d3, 7, 6), BookError::sequence_gap);
}

TEST_P(BookTest, InvalidDeltaLeavesBookUnchanged) {
  Book b = make();
  const L snap[] = {{B, 100, 1}, {A, 105, 3}};
  ASSERT_EQ(b.reset(snap, 10), BookError::none);
  const uint64_t h = b.hash();
  const L neg[] = {{B, 99, 5}, {B, 100, 0}, {A, 106, -2}};
  EXPECT_EQ(b.apply(neg, 11, 10), BookError::negative_qty);
  EXPECT_EQ(b.hash(), h);
  EXPECT_EQ(b.seq(), 10u);
  const L bad[] = {{B, 99, 5}, {A, 0, 2}};
  EXPECT_EQ(b.apply(bad, 11, 10), BookError::bad_level);
  EXPECT_EQ(b.hash(), h);
  LevelUpdate bad_side{B, 99, 1};
  const uint8_t raw = 7;
  std::memcpy(&bad_side.side, &raw, 1);
  EXPECT_EQ(b.apply(std::span(&bad_side, 1), 11, 10), BookError::bad_level);
  EXPECT_EQ(b.hash(), h);
  // The next valid message still applies (the bad one did not advance seq).
  const L ok[] = {{B, 99, 5}};
  EXPECT_EQ(b.apply(ok, 11, 10), BookError::none);
}

TEST_P(BookTest, CrossingDeltaIsAppliedAndReported) {
  Book b = make();
  const L snap[] = {{B, 100, 1}, {A, 105, 3}};
  ASSERT_EQ(b.reset(snap, 1), BookError::none);
  const L d[] = {{B, 106, 1}};
  EXPECT_EQ(b.apply(d, 2, 1), BookError::crossed);
  EXPECT_EQ(b.seq(), 2u);
  EXPECT_EQ(b.best(B), (Level{106, 1}));
  EXPECT_TRUE(b.crossed());
  const L fix[] = {{B, 106, 0}};
  EXPECT_EQ(b.apply(fix, 3, 2), BookError::none);
  EXPECT_FALSE(b.crossed());
}

TEST_P(BookTest, HashAndEqualityDependOnStateOnly) {
  Book a = make();
  Book v{BookOptions{}};  // the vector implementation as the common yardstick
  const L snap[] = {{B, 100, 1}, {B, 95, 2}, {A, 105, 3}};
  ASSERT_EQ(a.reset(snap, 3), BookError::none);
  // Same state through a different history.
  const L s1[] = {{A, 105, 3}};
  const L s2[] = {{B, 95, 2}, {B, 90, 1}, {B, 100, 8}};
  const L s3[] = {{B, 90, 0}, {B, 100, 1}};
  ASSERT_EQ(v.reset(s1, 1), BookError::none);
  ASSERT_EQ(v.apply(s2, 2, 1), BookError::none);
  ASSERT_EQ(v.apply(s3, 3, 2), BookError::none);
  EXPECT_EQ(a.hash(), v.hash());
  EXPECT_TRUE(a == v);
  const L change[] = {{B, 95, 3}};
  ASSERT_EQ(v.apply(change, 4, 3), BookError::none);
  EXPECT_NE(a.hash(), v.hash());
  EXPECT_FALSE(a == v);
  // Same levels, other seq.
  ASSERT_EQ(v.reset(snap, 4), BookError::none);
  EXPECT_NE(a.hash(), v.hash());
  EXPECT_FALSE(a == v);
  // A price on the other side is another state.
  const L bid_only[] = {{B, 100, 1}};
  const L ask_only[] = {{A, 100, 1}};
  ASSERT_EQ(a.reset(bid_only, 1), BookError::none);
  ASSERT_EQ(v.reset(ask_only, 1), BookError::none);
  EXPECT_NE(a.hash(), v.hash());
  EXPECT_FALSE(a == v);
}

TEST_P(BookTest, ClearKeepsNothing) {
  Book b = make();
  const L snap[] = {{B, 100, 1}, {A, 105, 3}};
  ASSERT_EQ(b.reset(snap, 3), BookError::none);
  b.clear();
  EXPECT_EQ(b.seq(), 0u);
  EXPECT_EQ(b.size(B) + b.size(A), 0u);
  EXPECT_TRUE(b == Book());
  ASSERT_EQ(b.reset(snap, 3), BookError::none);
  EXPECT_EQ(b.levels(B), lv({{100, 1}}));
}

TEST_P(BookTest, ExtremePricesAndDistances) {
  Book b = make();
  RefBook r;
  const L snap[] = {{B, 1, 1}, {B, 2, 1}, {A, kMax, 2}, {A, kMax - 5, 3}};
  ASSERT_EQ(b.reset(snap, 1), r.reset(snap, 1));
  ASSERT_TRUE(same_state(b, r));
  const L d[] = {{B, kMax / 2, 4}, {A, kMax - 1, 5}, {B, 3, 6}, {A, kMax / 2 + 1, 7}, {B, 1, 0}};
  ASSERT_EQ(b.apply(d, 2, 1), r.apply(d, 2, 1));
  ASSERT_TRUE(same_state(b, r));
  const L d2[] = {{B, kMax - 2, 1}, {A, kMax / 2 + 1, 0}, {A, 7, 1}};
  ASSERT_EQ(b.apply(d2, 3, 2), r.apply(d2, 3, 2));
  ASSERT_TRUE(same_state(b, r));
}

TEST_P(BookTest, TrendingMarketAgainstReference) {
  // The touch walks far up then far down: the ladder has to re-centre repeatedly.
  Book b = make();
  RefBook r;
  int64_t mid = 1'000'000;
  std::mt19937_64 rng(11);
  uint64_t seq = 1;
  std::vector<L> msg;
  for (int step = 0; step < 3000; ++step) {
    mid += step < 1500 ? 35 : -35;
    msg.clear();
    for (int k = 0; k < 6; ++k) {
      const int64_t dist = 5 * static_cast<int64_t>(1 + rng() % 40);
      const bool bid = rng() & 1;
      const int64_t price = bid ? mid - dist : mid + dist;
      msg.push_back(L{bid ? B : A, price, (rng() % 4 == 0) ? 0 : static_cast<int64_t>(1 + rng() % 100)});
    }
    // Remove whatever now crosses the new mid so the book stays uncrossed.
    for (auto it = r.bids.begin(); it != r.bids.end() && it->first >= mid; ++it) msg.push_back(L{B, it->first, 0});
    for (auto it = r.asks.begin(); it != r.asks.end() && it->first <= mid; ++it) msg.push_back(L{A, it->first, 0});
    const BookError want = r.apply(msg, seq + 1, seq);
    ASSERT_EQ(b.apply(msg, seq + 1, seq), want) << step;
    ++seq;
    ASSERT_TRUE(same_state(b, r)) << step;
  }
  EXPECT_EQ(b.hash(), r.hash());
}

TEST_P(BookTest, DiffTurnsBeforeIntoSnapshot) {
  Book before = make();
  const L snap[] = {{B, 100, 1}, {B, 95, 2}, {B, 90, 3}, {A, 105, 3}, {A, 110, 4}};
  ASSERT_EQ(before.reset(snap, 1), BookError::none);
  const L next[] = {{B, 100, 1}, {B, 97, 5}, {B, 90, 4}, {A, 110, 4}, {A, 120, 1}, {A, 110, 6}, {A, 130, 0}};
  std::vector<L> out{{B, 1, 1}};
  ASSERT_EQ(diff(before, next, out), BookError::none);
  // Bids then asks, best first; unchanged levels are not repeated.
  const std::vector<L> want = {{B, 97, 5}, {B, 95, 0}, {B, 90, 4}, {A, 105, 0}, {A, 110, 6}, {A, 120, 1}};
  EXPECT_EQ(out, want);
  ASSERT_EQ(before.apply(out, 2, 1), BookError::none);
  Book expect = make();
  ASSERT_EQ(expect.reset(next, 2), BookError::none);
  EXPECT_TRUE(before == expect);
  // No change: empty diff.
  ASSERT_EQ(diff(before, next, out), BookError::none);
  EXPECT_TRUE(out.empty());
  // Empty snapshot removes everything; empty before adds everything.
  ASSERT_EQ(diff(before, {}, out), BookError::none);
  EXPECT_EQ(out.size(), before.size(B) + before.size(A));
  for (const L& u : out) EXPECT_EQ(u.qty, 0);
  Book empty = make();
  ASSERT_EQ(diff(empty, next, out), BookError::none);
  EXPECT_EQ(out.size(), 5u);
  // Invalid snapshots are reported, with no output.
  const L bad[] = {{B, 100, 1}, {A, 105, -1}};
  EXPECT_EQ(diff(before, bad, out), BookError::negative_qty);
  EXPECT_TRUE(out.empty());
}

INSTANTIATE_TEST_SUITE_P(Impl, BookTest, ::testing::ValuesIn(kConfigs),
                         [](const ::testing::TestParamInfo<Config>& p) { return std::string(p.param.name); });

TEST(BookError, Names) {
  EXPECT_STREQ(to_string(BookError::none), "none");
  EXPECT_STREQ(to_string(BookError::sequence_gap), "sequence_gap");
  EXPECT_STREQ(to_string(BookError::stale), "stale");
  EXPECT_STREQ(to_string(BookError::crossed), "crossed");
  EXPECT_STREQ(to_string(BookError::negative_qty), "negative_qty");
  EXPECT_STREQ(to_string(BookError::bad_level), "bad_level");
}

TEST(BookImpl, OptionsPickTheImplementation) {
  EXPECT_EQ(Book().impl(), BookImpl::vector);
  EXPECT_EQ(Book(BookOptions{BookImpl::ladder, 1, 1024}).impl(), BookImpl::ladder);
}

TEST(BookLadder, InfersTickAndKeepsLevelsInTheWindow) {
  detail::LadderSide s(0, 1024);
  s.set(1000, 1);
  EXPECT_EQ(s.tick(), 0);
  s.set(1030, 1);
  EXPECT_EQ(s.tick(), 30);
  s.set(1012, 1);  // off the grid: the tick refines to gcd(30, 18)
  EXPECT_EQ(s.tick(), 6);
  EXPECT_EQ(s.size(), 3u);
  EXPECT_EQ(s.window_levels(), 3u);
  EXPECT_EQ(s.best().key, 1030);
  s.set(1031, 2);
  EXPECT_EQ(s.tick(), 1);
  EXPECT_EQ(s.best().key, 1031);
}

TEST(BookLadder, WindowStartsSmallAndGrowsOnDemand) {
  detail::LadderSide s(5, 1u << 16);
  s.set(5'000'000, 1);
  EXPECT_LE(s.window_slots(), 512u);  // headroom above the touch + room below
  s.set(5'000'000 - 5 * 1000, 1);  // 1000 ticks deeper: the window grows to cover it
  EXPECT_EQ(s.window_levels(), 2u);
  EXPECT_LE(s.window_slots(), 4096u);
  s.set(5'000'000 + 5 * 100'000, 1);  // far above: re-laid out around the new touch
  EXPECT_EQ(s.best().key, 5'500'000);
  EXPECT_EQ(s.size(), 3u);
  EXPECT_LE(s.window_slots(), 1u << 16);
}

TEST(BookLadder, DeepLevelsSpillAndComeBack) {
  detail::LadderSide s(1, 64);
  s.set(10'000, 1);
  s.set(9'000, 2);  // 1000 ticks below the touch: beyond a 64-slot window
  EXPECT_EQ(s.size(), 2u);
  EXPECT_EQ(s.window_levels(), 1u);
  s.set(10'000, 0);  // the window empties; the deep level is the best now
  EXPECT_EQ(s.best().key, 9'000);
  s.set(9'010, 3);   // re-centres near the remaining level
  EXPECT_EQ(s.best().key, 9'010);
  EXPECT_EQ(s.window_levels(), 2u);
}

TEST(BookLadder, FastDivisionMatchesHardwareDivision) {
  // The reciprocal path covers ticks and distances below 2^32; check it through lookups on
  // ticks with awkward reciprocals and distances near the limits.
  for (int64_t tick : {int64_t{2}, int64_t{3}, int64_t{7}, int64_t{10}, int64_t{641}, int64_t{1'000'003},
                       int64_t{(1LL << 31) + 11}, int64_t{(1LL << 32) - 1}, int64_t{1LL << 32}}) {
    Book b(BookOptions{BookImpl::ladder, tick, 256});
    RefBook r;
    std::mt19937_64 rng(static_cast<uint64_t>(tick));
    const int64_t base = tick * 5'000'000;
    for (int i = 0; i < 400; ++i) {
      const int64_t k = static_cast<int64_t>(rng() % 300);
      const L u{B, base - k * tick, static_cast<int64_t>(rng() % 3)};
      ASSERT_EQ(b.apply(std::span(&u, 1)), r.apply(std::span(&u, 1), 0, 0));
      ASSERT_TRUE(same_state(b, r)) << "tick " << tick;
    }
  }
}

}  // namespace
}  // namespace mdhub
