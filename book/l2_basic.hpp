#pragma once
// BasicBook<SideT>: the validation, sequencing and crossing rules of Book, written once over
// a side container (VecSide, LadderSide, or any type with the same members). Book
// (l2_book.hpp) holds one of its instantiations; benchmarks instantiate it with other
// containers to compare them under identical rules. Not thread-safe.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "book/l2_error.hpp"
#include "book/l2_side_vector.hpp"
#include "book/types.hpp"

namespace mdhub::detail {

inline int64_t to_key(Side s, int64_t price) { return s == Side::bid ? price : -price; }
inline int64_t to_price(Side s, int64_t key) { return s == Side::bid ? key : -key; }
inline size_t side_index(Side s) { return static_cast<size_t>(s); }

/// The error a level makes a message invalid with, or none.
inline BookError check_level(const LevelUpdate& u) {
  if (u.price <= 0) return BookError::bad_level;
  if (u.qty < 0) return BookError::negative_qty;
  if (static_cast<uint8_t>(u.side) > 1) return BookError::bad_level;
  return BookError::none;
}

/// Snapshot levels normalized: validated, qty-0 entries dropped, duplicates resolved
/// last-wins, each side as strictly ascending keys (best last).
struct Normalized {
  std::vector<Slot> side[2];
  struct Entry {
    int64_t key;
    int64_t qty;
    uint32_t order;
    uint8_t side;
  };
  std::vector<Entry> tmp;

  BookError build(std::span<const LevelUpdate> levels) {
    side[0].clear();
    side[1].clear();
    tmp.clear();
    for (const LevelUpdate& u : levels) {
      if (BookError e = check_level(u); e != BookError::none) return e;
      if (u.qty == 0) continue;
      tmp.push_back(Entry{to_key(u.side, u.price), u.qty, static_cast<uint32_t>(tmp.size()),
                          static_cast<uint8_t>(u.side)});
    }
    std::sort(tmp.begin(), tmp.end(), [](const Entry& a, const Entry& b) {
      if (a.side != b.side) return a.side < b.side;
      if (a.key != b.key) return a.key < b.key;
      return a.order < b.order;
    });
    for (size_t i = 0; i < tmp.size(); ++i) {
      if (i + 1 < tmp.size() && tmp[i + 1].side == tmp[i].side && tmp[i + 1].key == tmp[i].key)
        continue;  // a later duplicate wins
      side[tmp[i].side].push_back(Slot{tmp[i].key, tmp[i].qty});
    }
    return BookError::none;
  }
};

template <class SideT>
class BasicBook {
 public:
  BasicBook() = default;
  explicit BasicBook(SideT bids, SideT asks) : sides_{std::move(bids), std::move(asks)} {}

  BookError reset(std::span<const LevelUpdate> levels, uint64_t seq, Normalized& scratch) {
    if (BookError e = scratch.build(levels); e != BookError::none) {
      clear();
      return e;
    }
    sides_[0].assign(scratch.side[0]);
    sides_[1].assign(scratch.side[1]);
    seq_ = seq;
    return crossed() ? BookError::crossed : BookError::none;
  }

  BookError apply(std::span<const LevelUpdate> levels, uint64_t seq, uint64_t prev_seq) {
    if (seq_ != 0) {
      if (seq != 0 && seq <= seq_) return BookError::stale;
      if (prev_seq != 0 && prev_seq != seq_) return BookError::sequence_gap;
    }
    // Validate everything first so that a bad message leaves the book untouched.
    for (const LevelUpdate& u : levels) {
      if (BookError e = check_level(u); e != BookError::none) return e;
    }
    for (const LevelUpdate& u : levels) {
      sides_[side_index(u.side)].set(to_key(u.side, u.price), u.qty);
    }
    if (seq != 0) seq_ = seq;
    return crossed() ? BookError::crossed : BookError::none;
  }

  bool crossed() const {
    const SideT& b = sides_[0];
    const SideT& a = sides_[1];
    return !b.empty() && !a.empty() && b.best().key >= -a.best().key;
  }

  bool has_best(Side s) const { return !sides_[side_index(s)].empty(); }
  Level best_level(Side s) const {
    const Slot b = sides_[side_index(s)].best();
    return Level{to_price(s, b.key), b.qty};
  }
  size_t size(Side s) const { return sides_[side_index(s)].size(); }

  template <class F>
  void for_each(Side s, size_t max_levels, F&& f) const {
    sides_[side_index(s)].for_each(max_levels,
                                   [&](const Slot& sl) { f(Level{to_price(s, sl.key), sl.qty}); });
  }

  uint64_t seq() const { return seq_; }
  void clear() {
    sides_[0].clear();
    sides_[1].clear();
    seq_ = 0;
  }
  const SideT& side(Side s) const { return sides_[side_index(s)]; }

 private:
  SideT sides_[2];
  uint64_t seq_ = 0;
};

}  // namespace mdhub::detail
