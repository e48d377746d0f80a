// Randomized differential test: every Book implementation against the std::map reference,
// full state compared after every operation.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "book/l2_book.hpp"
#include "tests/book/ref_book.hpp"

namespace mdhub {
namespace {

using test::RefBook;
using test::same_state;

constexpr int64_t kTick = 5;

class Generator {
 public:
  explicit Generator(uint64_t seed) : rng_(seed) {}

  // A distance in ticks from the touch: mostly the first few levels, sometimes deeper.
  int64_t near_distance() {
    std::geometric_distribution<int64_t> g(0.12);
    return g(rng_);
  }
  bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  int64_t qty() { return 1 + static_cast<int64_t>(rng_() % 1000); }
  uint64_t next() { return rng_(); }

  int64_t price(const RefBook& r, Side s) {
    if (chance(0.01)) {  // far away, still on the grid
      const int64_t far = kTick * (2000 + static_cast<int64_t>(rng_() % 200000));
      return s == Side::bid ? std::max<int64_t>(kTick, mid_ - far) : mid_ + far;
    }
    const int64_t touch = s == Side::bid ? (r.bids.empty() ? mid_ - kTick : r.bids.begin()->first)
                                         : (r.asks.empty() ? mid_ + kTick : r.asks.begin()->first);
    // Occasionally improve on the touch (inside the spread), otherwise at or behind it.
    const int64_t d = chance(0.05) ? -1 : near_distance();
    const int64_t p = s == Side::bid ? touch - d * kTick : touch + d * kTick;
    return std::max<int64_t>(kTick, p);
  }

  void drift() {
    if (chance(0.2)) mid_ += chance(0.5) ? kTick : -kTick;
  }

  // A consistent snapshot around the mid.
  void snapshot(std::vector<LevelUpdate>& out) {
    out.clear();
    const int n = 1 + static_cast<int>(rng_() % 60);
    for (int i = 0; i < n; ++i) {
      const Side s = chance(0.5) ? Side::bid : Side::ask;
      const int64_t d = 1 + near_distance();
      const int64_t p = s == Side::bid ? std::max<int64_t>(kTick, mid_ - d * kTick) : mid_ + d * kTick;
      out.push_back(LevelUpdate{s, p, chance(0.05) ? 0 : qty()});  // zeros and duplicates too
    }
  }

  // A delta message of 1-20 levels; about a quarter delete.
  void delta(const RefBook& r, std::vector<LevelUpdate>& out) {
    out.clear();
    const int n = 1 + static_cast<int>(rng_() % 20);
    for (int i = 0; i < n; ++i) {
      const Side s = chance(0.5) ? Side::bid : Side::ask;
      if (chance(0.25)) {
        const std::vector<Level> levels = r.levels(s);
        if (!levels.empty() && chance(0.5)) {
          out.push_back(LevelUpdate{s, levels[static_cast<size_t>(rng_() % levels.size())].price, 0});
        } else {
          out.push_back(LevelUpdate{s, price(r, s), 0});  // may be absent
        }
        continue;
      }
      int64_t p = price(r, s);
      // Keep the book uncrossed unless a crossing is wanted.
      if (s == Side::bid && !r.asks.empty()) p = std::min(p, r.asks.begin()->first - kTick);
      if (s == Side::ask && !r.bids.empty()) p = std::max(p, r.bids.begin()->first + kTick);
      if (p > 0) out.push_back(LevelUpdate{s, p, qty()});
    }
    if (out.empty()) out.push_back(LevelUpdate{Side::ask, price(r, Side::ask), 0});
  }

  int64_t mid() const { return mid_; }

 private:
  std::mt19937_64 rng_;
  int64_t mid_ = 5'000'000;
};

struct Subject {
  const char* name;
  Book book;
};

TEST(BookProperty, RandomOperationsMatchReference) {
  std::vector<Subject> subjects;
  subjects.push_back({"vector", Book(BookOptions{BookImpl::vector, 0, 0})});
  subjects.push_back({"ladder", Book(BookOptions{BookImpl::ladder, kTick, 1u << 12})});
  subjects.push_back({"ladder_infer", Book(BookOptions{BookImpl::ladder, 0, 1u << 12})});
  subjects.push_back({"ladder_tiny_wrong_tick", Book(BookOptions{BookImpl::ladder, 3 * kTick, 32})});

  Generator gen(0xB00C);
  RefBook ref;
  std::vector<LevelUpdate> msg;
  std::vector<LevelUpdate> out;
  uint64_t seq = 0;
  bool need_resync = true;
  size_t counts[6] = {};
  constexpr int kOps = 100'000;
  for (int op = 0; op < kOps; ++op) {
    gen.drift();
    BookError want;
    if (need_resync || gen.chance(0.01)) {
      gen.snapshot(msg);
      seq += 1 + gen.next() % 3;
      want = ref.reset(msg, seq);
      for (auto& s : subjects) ASSERT_EQ(s.book.reset(msg, seq), want) << s.name << " op " << op;
    } else {
      gen.delta(ref, msg);
      uint64_t next = seq + 1;
      uint64_t prev = seq;
      const double roll = static_cast<double>(gen.next() % 10000) / 10000.0;
      if (roll < 0.01) {
        prev = seq + 1 + gen.next() % 5;  // gap
        next = prev + 1;
      } else if (roll < 0.015) {
        next = seq - gen.next() % 3;  // duplicate or old
        prev = next - 1;
      } else if (roll < 0.02) {
        msg[gen.next() % msg.size()].qty = -1 - static_cast<int64_t>(gen.next() % 10);
      } else if (roll < 0.022) {
        msg[gen.next() % msg.size()].price = -static_cast<int64_t>(gen.next() % 3);
      } else if (roll < 0.03) {
        // Cross: a bid at or through the best ask.
        const int64_t ask = ref.asks.empty() ? gen.mid() : ref.asks.begin()->first;
        msg.push_back(LevelUpdate{Side::bid, ask + kTick * static_cast<int64_t>(gen.next() % 3), gen.qty()});
      }
      want = ref.apply(msg, next, prev);
      for (auto& s : subjects) ASSERT_EQ(s.book.apply(msg, next, prev), want) << s.name << " op " << op;
      if (want == BookError::none || want == BookError::crossed) seq = next;
    }
    counts[static_cast<size_t>(want)]++;
    // What the engine does: resync after anything but success.
    need_resync = want != BookError::none;
    for (auto& s : subjects) ASSERT_TRUE(same_state(s.book, ref)) << s.name << " op " << op;

    if (op % 16 == 0) {
      // Diff round trip: the diff from the current state to a new snapshot, applied to a
      // copy, gives exactly the snapshot.
      gen.snapshot(msg);
      if (gen.chance(0.5)) {  // mostly the same book with a few changes, like a poll
        msg.clear();
        for (Side sd : {Side::bid, Side::ask}) {
          for (const Level& l : ref.levels(sd)) {
            if (!gen.chance(0.1)) msg.push_back(LevelUpdate{sd, l.price, gen.chance(0.1) ? gen.qty() : l.qty});
          }
        }
      }
      const std::vector<Level> now[2] = {ref.levels(Side::bid), ref.levels(Side::ask)};
      RefBook expect;
      (void)expect.reset(msg, ref.seq);
      for (auto& s : subjects) {
        ASSERT_EQ(diff(s.book, msg, out), BookError::none);
        Book copy = s.book;
        const BookError e = copy.apply(out);
        ASSERT_EQ(e, expect.crossed() ? BookError::crossed : BookError::none);
        ASSERT_TRUE(same_state(copy, expect)) << s.name << " diff at op " << op;
        // Minimal: no update repeats a level that is unchanged.
        for (const LevelUpdate& u : out) {
          for (const Level& l : now[static_cast<size_t>(u.side)]) ASSERT_FALSE(l.price == u.price && l.qty == u.qty);
        }
      }
    }
  }
  for (auto& s : subjects) EXPECT_EQ(s.book.hash(), ref.hash()) << s.name;
  // The stream exercised every outcome.
  EXPECT_GT(counts[static_cast<size_t>(BookError::none)], 50'000u);
  EXPECT_GT(counts[static_cast<size_t>(BookError::sequence_gap)], 100u);
  EXPECT_GT(counts[static_cast<size_t>(BookError::stale)], 100u);
  EXPECT_GT(counts[static_cast<size_t>(BookError::crossed)], 100u);
  EXPECT_GT(counts[static_cast<size_t>(BookError::negative_qty)], 100u);
  EXPECT_GT(counts[static_cast<size_t>(BookError::bad_level)], 50u);
}

}  // namespace
}  // namespace mdhub
