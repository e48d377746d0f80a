#pragma once
// A fixed, seeded L2 delta stream shaped like a busy venue: 1,000 levels per side, changes
// concentrated at the touch (geometric distance), about a quarter of them deletes, the touch
// moving now and then. Generated once against a std::map model, which also yields the
// expected final state for checking the benchmarked books. Messages carry 1..8 levels, or
// exactly one with `max_levels_per_message` = 1 (how a level-by-level venue feed arrives).
#include <cstdint>
#include <functional>
#include <iterator>
#include <map>
#include <random>
#include <vector>

#include "book/l2_book.hpp"

namespace mdhub::bench {

struct Message {
  uint32_t begin;
  uint32_t count;
  uint64_t seq;
};

struct DeltaStream {
  std::vector<LevelUpdate> snapshot;  // initial book, seq 1
  std::vector<LevelUpdate> levels;    // all deltas, grouped by `messages`
  std::vector<Message> messages;
  uint64_t final_hash = 0;            // LevelHasher over the final state, seq included
  std::map<int64_t, int64_t, std::greater<>> final_bids;
  std::map<int64_t, int64_t> final_asks;
};

/// `deltas` level updates around `mid` on a grid of `tick`, in messages of
/// 1..`max_levels_per_message` levels.
inline DeltaStream make_stream(uint64_t seed, size_t deltas, int64_t mid = 5'925'250, int64_t tick = 5,
                               int levels_per_side = 1000, uint32_t max_levels_per_message = 8) {
  DeltaStream s;
  std::mt19937_64 rng(seed);
  std::map<int64_t, int64_t, std::greater<>> bids;
  std::map<int64_t, int64_t> asks;
  auto qty = [&] { return 1 + static_cast<int64_t>(rng() % 100000); };
  for (int k = 1; k <= levels_per_side; ++k) {
    bids[mid - k * tick] = qty();
    asks[mid + k * tick] = qty();
  }
  for (auto [p, q] : bids) s.snapshot.push_back(LevelUpdate{Side::bid, p, q});
  for (auto [p, q] : asks) s.snapshot.push_back(LevelUpdate{Side::ask, p, q});

  // Most changes land a few ticks from the touch; one in ten anywhere in the book. Sets
  // are placed relative to the mid (not the current touch), so the holes deletes make near
  // the top are refilled at the rate they appear and the book keeps its depth.
  std::geometric_distribution<int64_t> near(0.15);
  // Deep sets spread wider than the book so that deep deletes and inserts balance at about
  // `levels_per_side` levels.
  constexpr int64_t kSetRange = 2000;
  auto depth = [&](int64_t range) -> int64_t {
    return rng() % 10 == 0 ? static_cast<int64_t>(rng() % static_cast<uint64_t>(range)) : near(rng);
  };
  std::uniform_int_distribution<uint32_t> batch(1, max_levels_per_message);
  uint64_t seq = 1;
  auto emit = [&](Side side, int64_t p, int64_t q) {
    if (side == Side::bid) {
      if (q == 0) bids.erase(p); else bids[p] = q;
    } else {
      if (q == 0) asks.erase(p); else asks[p] = q;
    }
    s.levels.push_back(LevelUpdate{side, p, q});
  };
  while (s.levels.size() < deltas) {
    const uint32_t n = batch(rng);
    s.messages.push_back(Message{static_cast<uint32_t>(s.levels.size()), n, ++seq});
    for (uint32_t i = 0; i < n; ++i) {
      if (rng() % 256 == 0) {
        // The mid moves one tick; levels now on the wrong side of it go first.
        mid += (rng() & 1) ? tick : -tick;
        if (!bids.empty() && bids.begin()->first >= mid) {
          emit(Side::bid, bids.begin()->first, 0);
          continue;
        }
        if (!asks.empty() && asks.begin()->first <= mid) {
          emit(Side::ask, asks.begin()->first, 0);
          continue;
        }
      }
      const bool bid = rng() & 1;
      const size_t size = bid ? bids.size() : asks.size();
      if (rng() % 4 == 0 && size > 1) {
        const size_t r = std::min(static_cast<size_t>(depth(static_cast<int64_t>(size))), size - 1);
        const int64_t p = bid ? std::next(bids.begin(), static_cast<ptrdiff_t>(r))->first
                              : std::next(asks.begin(), static_cast<ptrdiff_t>(r))->first;
        emit(bid ? Side::bid : Side::ask, p, 0);
        continue;
      }
      const int64_t d = 1 + depth(kSetRange * levels_per_side / 1000);
      emit(bid ? Side::bid : Side::ask, bid ? mid - d * tick : mid + d * tick, qty());
    }
  }
  LevelHasher h;
  for (auto [p, q] : bids) h.add(Side::bid, Level{p, q});
  for (auto [p, q] : asks) h.add(Side::ask, Level{p, q});
  h.add_seq(seq);
  s.final_hash = h.value();
  s.final_bids = std::move(bids);
  s.final_asks = std::move(asks);
  return s;
}

}  // namespace mdhub::bench
