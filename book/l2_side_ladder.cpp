#include "book/l2_side_ladder.hpp"

#include <algorithm>
#include <limits>
#include <numeric>

namespace mdhub::detail {
namespace {

constexpr uint32_t kMinSlots = 16;
constexpr size_t kInitialSlots = 64;

uint64_t absdiff(int64_t a, int64_t b) {
  // Keys on one side share a sign, but modular arithmetic makes this exact for any pair.
  return a >= b ? static_cast<uint64_t>(a) - static_cast<uint64_t>(b)
                : static_cast<uint64_t>(b) - static_cast<uint64_t>(a);
}

size_t ceil_pow2(size_t v) {
  size_t p = 1;
  while (p < v) p <<= 1;
  return p;
}

}  // namespace

LadderSide::LadderSide(int64_t tick, uint32_t max_slots)
    : max_slots_(std::max(max_slots, kMinSlots)) {
  if (tick > 0) set_tick(tick);
}

void LadderSide::set_tick(int64_t tick) {
  tick_ = tick;
  tick_u_ = static_cast<uint64_t>(tick);
  magic_ = tick_u_ > 1 && tick_u_ < (uint64_t{1} << 32)
               ? std::numeric_limits<uint64_t>::max() / tick_u_ + 1
               : 0;
}

int64_t LadderSide::anchored_top(int64_t anchor) const {
  // Headroom above the touch so that small improvements of the best price do not shift the
  // window; limited so that the top key cannot overflow.
  const uint64_t headroom = std::clamp<uint64_t>(max_slots_ / 8, 1, 256);
  const uint64_t room = static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) -
                        static_cast<uint64_t>(anchor);
  const uint64_t h = std::min(headroom, room / tick_u_);
  return static_cast<int64_t>(static_cast<uint64_t>(anchor) + h * tick_u_);
}

bool LadderSide::index_of(int64_t key, uint64_t& idx) const {
  if (key > top_key_) return false;
  uint64_t rem;
  divide(static_cast<uint64_t>(top_key_) - static_cast<uint64_t>(key), idx, rem);
  return rem == 0;
}

void LadderSide::set_slow(int64_t key, int64_t qty) {
  if (tick_ == 0) {
    // Without a tick every level is in the far vector, and there is at most one: two
    // distinct prices define a tick.
    if (qty == 0 || far_.empty() || far_.get(key) != 0) {
      far_.set(key, qty);
      return;
    }
    const Slot ref = far_.best();
    gather();
    set_tick(static_cast<int64_t>(absdiff(key, ref.key)));
    relayout_from(scratch_, std::max(key, ref.key));
  } else if (absdiff(key, top_key_) % tick_u_ != 0) {
    if (qty == 0) return;  // every held level is on the grid, so this one is absent
    const int64_t anchor = empty() ? key : std::max(key, best().key);
    gather();  // with the old tick: it decodes the window's keys
    set_tick(static_cast<int64_t>(std::gcd(tick_u_, absdiff(key, top_key_))));
    relayout_from(scratch_, anchor);
  }

  if (key > top_key_) {
    if (qty == 0) return;  // better than anything held, so absent
    const uint64_t up = absdiff(key, top_key_) / tick_u_;
    const uint64_t h = absdiff(anchored_top(key), key) / tick_u_;
    if (n_ == 0 || up + h >= q_.size()) {
      relayout(key);  // nothing in the window would stay: lay it out afresh, sized to fit
    } else {
      shift_up(up + h);
    }
  }
  uint64_t idx = 0;
  index_of(key, idx);
  if (idx < q_.size()) {
    set_slot(static_cast<size_t>(idx), qty);
    return;
  }
  if (idx < max_slots_) {
    if (qty == 0) {
      far_.set(key, 0);
      return;
    }
    grow(static_cast<size_t>(idx));
    set_slot(static_cast<size_t>(idx), qty);
    return;
  }
  // Beyond the window's reach. When the window is empty, or the touch has drifted far down
  // it (the top is mostly empty), re-centre on the best level and try again; otherwise the
  // level really is deep and goes to the far vector.
  if (qty != 0 && (n_ == 0 || best_ >= max_slots_ / 4)) {
    relayout(n_ != 0 ? best().key : (far_.empty() ? key : std::max(key, far_.best().key)));
    index_of(key, idx);
    if (idx < max_slots_) {
      if (idx >= q_.size()) grow(static_cast<size_t>(idx));
      set_slot(static_cast<size_t>(idx), qty);
      return;
    }
  }
  far_.set(key, qty);
}

void LadderSide::shift_up(uint64_t s) {
  const size_t old = q_.size();
  const size_t nsize = static_cast<size_t>(std::min<uint64_t>(max_slots_, old + std::min<uint64_t>(s, max_slots_)));
  const size_t keep = s >= nsize ? 0 : nsize - static_cast<size_t>(s);
  // Levels pushed out of the bottom are better than every far level: append worst first.
  for (size_t i = old; i > keep; --i) {
    if (q_[i - 1] != 0) {
      far_.push_best(key_at(i - 1), q_[i - 1]);
      --n_;
    }
  }
  q_.resize(nsize, 0);
  occ_.resize((nsize + 63) / 64);
  if (keep != 0) {
    std::copy_backward(q_.begin(), q_.begin() + static_cast<ptrdiff_t>(keep),
                       q_.begin() + static_cast<ptrdiff_t>(nsize));
    std::fill(q_.begin(), q_.begin() + static_cast<ptrdiff_t>(nsize - keep), 0);
  } else {
    std::fill(q_.begin(), q_.end(), 0);
  }
  rebuild_occupancy();
  best_ = n_ == 0 ? kNpos : best_ + static_cast<size_t>(s);
  top_key_ = static_cast<int64_t>(static_cast<uint64_t>(top_key_) + s * tick_u_);
}

void LadderSide::grow(size_t idx) {
  const size_t nsize = std::min<size_t>(max_slots_, std::max({ceil_pow2(idx + 1), q_.size() * 2, kInitialSlots}));
  resize_window(nsize);
  while (!far_.empty()) {
    const Slot b = far_.best();
    uint64_t i = 0;
    index_of(b.key, i);
    if (i >= nsize) break;
    set_slot(static_cast<size_t>(i), b.qty);
    far_.pop_best();
  }
}

void LadderSide::relayout(int64_t anchor) {
  gather();
  relayout_from(scratch_, anchor);
}

void LadderSide::gather() {
  scratch_.clear();
  for (const Slot& s : far_.slots()) scratch_.push_back(s);
  if (n_ != 0) {
    for (size_t i = q_.size(); i > best_; --i) {
      if (q_[i - 1] != 0) scratch_.push_back(Slot{key_at(i - 1), q_[i - 1]});
    }
  }
}

void LadderSide::relayout_from(std::span<const Slot> sorted, int64_t anchor) {
  top_key_ = anchored_top(anchor);
  // Ascending keys mean descending indices: the levels that fit are a suffix.
  size_t split = sorted.size();
  uint64_t deepest = 0;
  index_of(anchor, deepest);  // the anchor itself (headroom) must fit
  while (split > 0) {
    uint64_t i = 0;
    index_of(sorted[split - 1].key, i);
    if (i >= max_slots_) break;
    deepest = i;
    --split;
  }
  const size_t nsize = std::clamp<size_t>(ceil_pow2(static_cast<size_t>(deepest) + 1),
                                          std::min<size_t>(kInitialSlots, max_slots_), max_slots_);
  q_.assign(nsize, 0);
  occ_.assign((nsize + 63) / 64, 0);
  n_ = 0;
  best_ = kNpos;
  for (size_t k = split; k < sorted.size(); ++k) {
    uint64_t i = 0;
    index_of(sorted[k].key, i);
    set_slot(static_cast<size_t>(i), sorted[k].qty);
  }
  far_.assign(sorted.first(split));
}

void LadderSide::resize_window(size_t n) {
  q_.resize(n, 0);
  occ_.resize((n + 63) / 64, 0);
}

void LadderSide::rebuild_occupancy() {
  std::fill(occ_.begin(), occ_.end(), 0);
  for (size_t i = 0; i < q_.size(); ++i) {
    if (q_[i] != 0) occ_[i / 64] |= uint64_t{1} << (i % 64);
  }
}

void LadderSide::clear() {
  std::fill(q_.begin(), q_.end(), 0);
  std::fill(occ_.begin(), occ_.end(), 0);
  n_ = 0;
  best_ = kNpos;
  far_.clear();
}

void LadderSide::assign(std::span<const Slot> sorted) {
  if (sorted.empty()) {
    clear();
    return;
  }
  const int64_t best_key = sorted.back().key;
  uint64_t g = tick_u_;
  for (const Slot& s : sorted) g = std::gcd(g, absdiff(s.key, best_key));
  if (g == 0) {  // a single level and no tick yet
    clear();
    far_.assign(sorted);
    return;
  }
  if (g != tick_u_) set_tick(static_cast<int64_t>(g));
  relayout_from(sorted, best_key);
}

}  // namespace mdhub::detail
