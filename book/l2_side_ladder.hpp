#pragma once
// One side of an L2 book as a dense, tick-indexed ladder. Internal building block of Book
// (l2_book.hpp); not thread-safe.
//
// Keys follow VecSide's convention (larger = better). Slot i of the window holds the
// quantity at key top_key - i * tick (0 = no level), so the best level has the smallest
// occupied index and a lookup is one subtraction and one division. The window is bounded
// (max_slots); levels worse than its last slot live in a VecSide `far_`, which keeps the
// invariant "every far level is worse than every key the window covers". The window
// re-centres when the touch moves above it (shift) or far below it (relayout).
//
// The tick need not be known: with tick 0 it is inferred as the gcd of the distances between
// seen prices, and a price off the current grid refines it (gcd) and relays the window out.
// The worst case (prices with no common tick, or scattered beyond max_slots) degrades to
// VecSide behaviour, never to an error.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "book/l2_side_vector.hpp"

namespace mdhub::detail {

class LadderSide {
 public:
  static constexpr uint32_t kDefaultMaxSlots = 1u << 16;

  explicit LadderSide(int64_t tick = 0, uint32_t max_slots = kDefaultMaxSlots);

  /// Sets the level at `key` to `qty` (0 deletes; deleting an absent level does nothing).
  void set(int64_t key, int64_t qty) {
    if (tick_ != 0 && key <= top_key_) {
      const uint64_t diff = static_cast<uint64_t>(top_key_) - static_cast<uint64_t>(key);
      uint64_t idx;
      uint64_t rem;
      divide(diff, idx, rem);
      if (rem == 0 && idx < q_.size()) {
        set_slot(static_cast<size_t>(idx), qty);
        return;
      }
    }
    set_slow(key, qty);
  }

  bool empty() const { return n_ == 0 && far_.empty(); }
  size_t size() const { return n_ + far_.size(); }
  /// Best level; requires !empty().
  Slot best() const {
    if (n_ != 0) return Slot{key_at(best_), q_[best_]};
    return far_.best();
  }

  template <class F>
  void for_each(size_t max_levels, F&& f) const {
    size_t left = max_levels;
    if (n_ != 0) {
      // Walk the occupancy bitmap, so sparse stretches of the window cost a word per 64
      // slots rather than a load per slot.
      size_t w = best_ / 64;
      uint64_t bits = occ_[w] & (~uint64_t{0} << (best_ % 64));
      for (size_t seen = 0; seen < n_ && left != 0;) {
        while (bits == 0) bits = occ_[++w];
        const size_t i = w * 64 + static_cast<size_t>(__builtin_ctzll(bits));
        bits &= bits - 1;
        f(Slot{key_at(i), q_[i]});
        ++seen;
        --left;
      }
    }
    if (left != 0) far_.for_each(left, f);
  }

  void clear();
  /// Replaces the content; `sorted` must be strictly ascending by key with qty > 0.
  void assign(std::span<const Slot> sorted);

  int64_t tick() const { return tick_; }
  /// Levels held in the dense window (the rest are in the far vector).
  size_t window_levels() const { return n_; }
  /// Slots allocated for the dense window (<= max_slots).
  size_t window_slots() const { return q_.size(); }

 private:
  static constexpr size_t kNpos = static_cast<size_t>(-1);

  void divide(uint64_t diff, uint64_t& idx, uint64_t& rem) const {
    // 64-bit division is the most expensive step of a lookup; for the usual case (distance
    // and tick below 2^32) a precomputed reciprocal gives the exact quotient and remainder
    // (Lemire, Kaser, Kurz: "Faster remainder by direct computation", 2019).
    if ((diff | tick_u_) < (uint64_t{1} << 32) && magic_ != 0) {
      __extension__ using u128 = unsigned __int128;
      idx = static_cast<uint64_t>((static_cast<u128>(magic_) * diff) >> 64);
      const uint64_t low = magic_ * diff;
      rem = static_cast<uint64_t>((static_cast<u128>(low) * tick_u_) >> 64);
      return;
    }
    idx = diff / tick_u_;
    rem = diff % tick_u_;
  }

  int64_t key_at(size_t i) const {
    // Wrapping arithmetic: the true result is a stored key, so it is in range.
    return static_cast<int64_t>(static_cast<uint64_t>(top_key_) - static_cast<uint64_t>(i) * tick_u_);
  }

  void set_slot(size_t i, int64_t qty) {
    // Branch-free bookkeeping: whether a change inserts, modifies or deletes is random in a
    // real stream, so branches on it would mispredict often.
    const bool was = q_[i] != 0;
    const bool is = qty != 0;
    q_[i] = qty;
    n_ = n_ + static_cast<size_t>(is) - static_cast<size_t>(was);
    const uint64_t bit = uint64_t{1} << (i % 64);
    uint64_t& word = occ_[i / 64];
    word = (word & ~bit) | (bit & (0 - static_cast<uint64_t>(is)));
    best_ = is && i < best_ ? i : best_;  // kNpos compares above every index
    if (i == best_ && !is) best_ = n_ == 0 ? kNpos : next_occupied(i);
  }

  /// First occupied slot after `i`; one must exist.
  size_t next_occupied(size_t i) const {
    size_t w = i / 64;
    uint64_t bits = occ_[w] & (~uint64_t{1} << (i % 64));
    while (bits == 0) bits = occ_[++w];
    return w * 64 + static_cast<size_t>(__builtin_ctzll(bits));
  }
  /// Resizes the window (new slots empty) and rebuilds the bitmap from q_.
  void resize_window(size_t n);
  void rebuild_occupancy();

  void set_slow(int64_t key, int64_t qty);
  void set_tick(int64_t tick);
  /// Moves the window so that its top is `anchor` plus headroom and redistributes every
  /// level between window and far vector. `anchor` must be >= the best key held.
  void relayout(int64_t anchor);
  /// Every level, ascending, into scratch_.
  void gather();
  void relayout_from(std::span<const Slot> sorted, int64_t anchor);
  /// The window's top moves up by `s` slots (levels pushed out of the bottom go far).
  void shift_up(uint64_t s);
  /// Extends the window to cover index `idx` (< max_slots) and pulls far levels into it.
  void grow(size_t idx);
  int64_t anchored_top(int64_t anchor) const;
  bool index_of(int64_t key, uint64_t& idx) const;

  int64_t tick_ = 0;
  uint64_t tick_u_ = 0;
  uint64_t magic_ = 0;  // ceil(2^64 / tick) for the 32-bit fast path, 0 when unusable
  int64_t top_key_ = 0;
  std::vector<int64_t> q_;
  std::vector<uint64_t> occ_;  // bit i set <=> q_[i] != 0
  size_t best_ = kNpos;
  size_t n_ = 0;
  uint32_t max_slots_;
  VecSide far_;
  std::vector<Slot> scratch_;
};

}  // namespace mdhub::detail
