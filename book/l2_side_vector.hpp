#pragma once
// One side of an L2 book as a sorted flat vector with the best level at the back.
// Internal building block of Book (l2_book.hpp) and ConsolidatedBook; not thread-safe.
//
// Prices are stored as "keys" where a larger key is always better: key = price for bids,
// key = -price for asks (prices are > 0, so negation cannot overflow). Most venue updates
// touch the first few levels, which sit at the end of the vector: finding them is a short
// scan from the back and inserting or erasing moves only the few elements behind them.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace mdhub::detail {

struct Slot {
  int64_t key;
  int64_t qty;
};

/// First position in `v` (ascending by .key) whose key is >= `key`. Updates cluster at the
/// back (the touch): count the matches among the last few keys without branches (the
/// compiler vectorizes it, and there is no mispredicted loop exit), and binary-search the
/// rest only when the position lies deeper.
template <class T>
size_t lower_bound_from_back(const std::vector<T>& v, int64_t key) {
  constexpr size_t kNear = 32;
  const size_t n = v.size();
  if (n < kNear) {
    size_t p = n;
    while (p > 0 && v[p - 1].key >= key) --p;
    return p;
  }
  const T* near = v.data() + (n - kNear);
  size_t ge = 0;
  for (size_t i = 0; i < kNear; ++i) ge += static_cast<size_t>(near[i].key >= key);
  if (ge < kNear) return n - ge;
  auto it = std::lower_bound(v.begin(), v.end() - static_cast<ptrdiff_t>(kNear), key,
                             [](const T& s, int64_t k) { return s.key < k; });
  return static_cast<size_t>(it - v.begin());
}

class VecSide {
 public:
  /// Sets the level at `key` to `qty` (0 deletes; deleting an absent level does nothing).
  /// Returns the previous quantity (0 when the level was absent).
  int64_t set(int64_t key, int64_t qty) {
    const size_t p = lower_bound_from_back(v_, key);
    const size_t n = v_.size();
    if (p < n && v_[p].key == key) {
      const int64_t old = v_[p].qty;
      if (qty != 0) {
        v_[p].qty = qty;
      } else {
        // Near the touch only a few elements follow: an inline loop beats a memmove call.
        for (size_t i = p + 1; i < n; ++i) v_[i - 1] = v_[i];
        v_.pop_back();
      }
      return old;
    }
    if (qty != 0) {
      v_.emplace_back();
      for (size_t i = n; i > p; --i) v_[i] = v_[i - 1];
      v_[p] = Slot{key, qty};
    }
    return 0;
  }

  /// Quantity at `key`, 0 when absent.
  int64_t get(int64_t key) const {
    const size_t p = lower_bound_from_back(v_, key);
    return p < v_.size() && v_[p].key == key ? v_[p].qty : 0;
  }

  bool empty() const { return v_.empty(); }
  size_t size() const { return v_.size(); }
  const Slot& best() const { return v_.back(); }
  /// Levels worst-first (ascending key).
  std::span<const Slot> slots() const { return v_; }

  template <class F>
  void for_each(size_t max_levels, F&& f) const {
    const size_t n = std::min(max_levels, v_.size());
    for (size_t i = 0; i < n; ++i) f(v_[v_.size() - 1 - i]);
  }

  void clear() { v_.clear(); }
  /// Replaces the content; `sorted` must be strictly ascending by key with qty > 0.
  void assign(std::span<const Slot> sorted) { v_.assign(sorted.begin(), sorted.end()); }
  /// Appends a level better than every level held.
  void push_best(int64_t key, int64_t qty) { v_.push_back(Slot{key, qty}); }
  void pop_best() { v_.pop_back(); }

 private:
  std::vector<Slot> v_;
};

}  // namespace mdhub::detail
