#include "book/l2_book.hpp"

namespace mdhub {

const char* to_string(BookError e) {
  switch (e) {
    case BookError::none: return "none";
    case BookError::sequence_gap: return "sequence_gap";
    case BookError::stale: return "stale";
    case BookError::crossed: return "crossed";
    case BookError::negative_qty: return "negative_qty";
    case BookError::bad_level: return "bad_level";
  }
  return "unknown";
}

Book::Book(const BookOptions& options) {
  if (options.impl == BookImpl::ladder) {
    impl_.emplace<1>(detail::LadderSide(options.tick, options.max_ladder_slots),
                     detail::LadderSide(options.tick, options.max_ladder_slots));
  }
}

BookError Book::reset(std::span<const LevelUpdate> levels, uint64_t seq) {
  if (auto* v = std::get_if<0>(&impl_)) return v->reset(levels, seq, scratch_);
  return std::get_if<1>(&impl_)->reset(levels, seq, scratch_);
}

BookError Book::apply(std::span<const LevelUpdate> levels, uint64_t seq, uint64_t prev_seq) {
  if (auto* v = std::get_if<0>(&impl_)) return v->apply(levels, seq, prev_seq);
  return std::get_if<1>(&impl_)->apply(levels, seq, prev_seq);
}

void Book::clear() {
  if (auto* v = std::get_if<0>(&impl_)) return v->clear();
  std::get_if<1>(&impl_)->clear();
}

void Book::top(Side s, size_t n, std::vector<Level>& out) const {
  out.clear();
  for_each(s, n, [&](const Level& l) { out.push_back(l); });
}

std::vector<Level> Book::levels(Side s) const {
  std::vector<Level> out;
  out.reserve(size(s));
  for_each(s, size(s), [&](const Level& l) { out.push_back(l); });
  return out;
}

uint64_t Book::hash() const {
  LevelHasher h;
  for (Side s : {Side::bid, Side::ask}) for_each(s, size(s), [&](const Level& l) { h.add(s, l); });
  h.add_seq(seq());
  return h.value();
}

bool operator==(const Book& a, const Book& b) {
  if (a.seq() != b.seq()) return false;
  for (Side s : {Side::bid, Side::ask}) {
    if (a.size(s) != b.size(s)) return false;
    if (a.levels(s) != b.levels(s)) return false;
  }
  return true;
}

BookError diff(const Book& before, std::span<const LevelUpdate> snapshot,
               std::vector<LevelUpdate>& out) {
  out.clear();
  thread_local detail::Normalized norm;
  if (BookError e = norm.build(snapshot); e != BookError::none) return e;
  for (Side s : {Side::bid, Side::ask}) {
    const std::vector<detail::Slot>& next = norm.side[detail::side_index(s)];
    size_t j = next.size();  // next[j - 1] is the best level not yet emitted
    // Merge both best-first: keys descend in both sequences.
    before.for_each(s, before.size(s), [&](const Level& l) {
      const int64_t key = detail::to_key(s, l.price);
      while (j > 0 && next[j - 1].key > key) {
        --j;
        out.push_back(LevelUpdate{s, detail::to_price(s, next[j].key), next[j].qty});
      }
      if (j > 0 && next[j - 1].key == key) {
        --j;
        if (next[j].qty != l.qty) out.push_back(LevelUpdate{s, l.price, next[j].qty});
      } else {
        out.push_back(LevelUpdate{s, l.price, 0});
      }
    });
    while (j > 0) {
      --j;
      out.push_back(LevelUpdate{s, detail::to_price(s, next[j].key), next[j].qty});
    }
  }
  return BookError::none;
}

}  // namespace mdhub
