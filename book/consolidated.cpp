#include "book/consolidated.hpp"

namespace mdhub {

using detail::side_index;
using detail::Slot;

ConsolidatedBook::ConsolidatedBook(size_t venues)
    : venues_(std::min(venues, kMaxConsolidatedVenues)) {}

size_t ConsolidatedBook::find(const std::vector<Merged>& m, int64_t key) const {
  return detail::lower_bound_from_back(m, key);
}

BookError ConsolidatedBook::update(size_t venue, const LevelUpdate& u) {
  if (venue >= venues_ || u.qty > kMaxConsolidatedQty) return BookError::bad_level;
  if (BookError e = detail::check_level(u); e != BookError::none) return e;
  const size_t s = side_index(u.side);
  const int64_t key = detail::to_key(u.side, u.price);
  const int64_t old = books_[venue][s].set(key, u.qty);
  if (old == u.qty) return BookError::none;

  std::vector<Merged>& m = merged_[s];
  const uint32_t bit = uint32_t{1} << venue;
  const size_t p = find(m, key);
  if (p < m.size() && m[p].key == key) {
    m[p].total += u.qty - old;
    if (u.qty != 0) {
      m[p].mask |= bit;
    } else if ((m[p].mask &= ~bit) == 0) {
      m.erase(m.begin() + static_cast<ptrdiff_t>(p));
    }
  } else {
    // Absent from the merged book means absent from this venue too (old == 0), so qty > 0.
    m.insert(m.begin() + static_cast<ptrdiff_t>(p), Merged{key, u.qty, bit});
  }
  return BookError::none;
}

BookError ConsolidatedBook::apply(size_t venue, std::span<const LevelUpdate> levels) {
  if (venue >= venues_) return BookError::bad_level;
  for (const LevelUpdate& u : levels) {
    if (u.qty > kMaxConsolidatedQty) return BookError::bad_level;
    if (BookError e = detail::check_level(u); e != BookError::none) return e;
  }
  for (const LevelUpdate& u : levels) (void)update(venue, u);
  return BookError::none;
}

BookError ConsolidatedBook::reset(size_t venue, std::span<const LevelUpdate> levels) {
  if (venue >= venues_) return BookError::bad_level;
  BookError e = scratch_.build(levels);
  for (size_t s = 0; s < 2 && e == BookError::none; ++s) {
    for (const Slot& sl : scratch_.side[s]) {
      if (sl.qty > kMaxConsolidatedQty) e = BookError::bad_level;
    }
  }
  if (e != BookError::none) {
    clear_venue(venue);
    return e;
  }
  rebuild_side(venue, 0, scratch_.side[0]);
  rebuild_side(venue, 1, scratch_.side[1]);
  return BookError::none;
}

void ConsolidatedBook::clear_venue(size_t venue) {
  if (venue >= venues_) return;
  rebuild_side(venue, 0, {});
  rebuild_side(venue, 1, {});
}

void ConsolidatedBook::clear() {
  for (auto& v : books_) {
    v[0].clear();
    v[1].clear();
  }
  merged_[0].clear();
  merged_[1].clear();
}

void ConsolidatedBook::rebuild_side(size_t venue, size_t side, std::span<const Slot> next) {
  // One linear merge of (merged levels, venue's old levels, venue's new levels), all
  // ascending: O(total) however many levels the venue's snapshot moves.
  const std::vector<Merged>& m = merged_[side];
  const std::span<const Slot> old = books_[venue][side].slots();
  const uint32_t bit = uint32_t{1} << venue;
  tmp_.clear();
  size_t i = 0, a = 0, b = 0;
  while (i < m.size() || b < next.size()) {
    Merged e{};
    if (i < m.size() && (b == next.size() || m[i].key <= next[b].key)) {
      e = m[i++];
      if (a < old.size() && old[a].key == e.key) {
        e.total -= old[a++].qty;
        e.mask &= ~bit;
      }
    } else {
      e = Merged{next[b].key, 0, 0};
    }
    if (b < next.size() && next[b].key == e.key) {
      e.total += next[b++].qty;
      e.mask |= bit;
    }
    if (e.mask != 0) tmp_.push_back(e);
  }
  merged_[side].swap(tmp_);
  books_[venue][side].assign(next);
}

std::optional<Level> ConsolidatedBook::best(Side s) const {
  const std::vector<Merged>& m = merged_[side_index(s)];
  if (m.empty()) return std::nullopt;
  return Level{detail::to_price(s, m.back().key), m.back().total};
}

bool ConsolidatedBook::crossed() const {
  return !merged_[0].empty() && !merged_[1].empty() &&
         merged_[0].back().key >= -merged_[1].back().key;
}

size_t ConsolidatedBook::venue_size(size_t venue, Side s) const {
  return venue < venues_ ? books_[venue][side_index(s)].size() : 0;
}

Result<LevelScaler, DecimalError> LevelScaler::make(int price_from, int qty_from, int price_to,
                                                    int qty_to) {
  for (int sc : {price_from, qty_from, price_to, qty_to}) {
    if (sc < 0 || sc > kMaxScale) return Unexpected{DecimalError::overflow};
  }
  LevelScaler l;
  l.price_from_ = price_from;
  l.qty_from_ = qty_from;
  l.price_to_ = price_to;
  l.qty_to_ = qty_to;
  return l;
}

Result<LevelUpdate, DecimalError> LevelScaler::operator()(const LevelUpdate& u) const {
  auto p = rescale(u.price, price_from_, price_to_);
  if (!p) return Unexpected{p.error()};
  auto q = rescale(u.qty, qty_from_, qty_to_);
  if (!q) return Unexpected{q.error()};
  return LevelUpdate{u.side, *p, *q};
}

}  // namespace mdhub
