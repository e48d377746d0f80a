#include "feeds/coinbtr/dedup.hpp"

#include <algorithm>
#include <limits>

namespace mdhub::coinbtr {

size_t TradeDedup::Hash::operator()(const TradeKey& k) const noexcept {
  auto mix = [](uint64_t h, uint64_t v) {
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return h;
  };
  uint64_t h = static_cast<uint64_t>(k.ms);
  h = mix(h, static_cast<uint64_t>(k.price));
  h = mix(h, static_cast<uint64_t>(k.qty));
  h = mix(h, static_cast<uint64_t>(static_cast<uint8_t>(k.side)) << 16 | k.occurrence);
  return static_cast<size_t>(h);
}

TradeDedup::TradeDedup(size_t window)
    : window_(std::max<size_t>(window, 1)), forgotten_ms_(std::numeric_limits<int64_t>::min()) {
  ring_.reserve(window_);
  set_.reserve(window_ * 2);
}

bool TradeDedup::insert(const TradeKey& key) {
  // A trade older than one already forgotten cannot be told from a repeat: drop it rather
  // than emit a trade twice.
  if (key.ms < forgotten_ms_) return false;
  if (set_.count(key) != 0) return false;
  if (ring_.size() < window_) {
    ring_.push_back(key);
  } else {
    const TradeKey old = ring_[head_];
    set_.erase(old);
    forgotten_ms_ = std::max(forgotten_ms_, old.ms);
    ring_[head_] = key;
    head_ = (head_ + 1) % window_;
  }
  set_.insert(key);
  return true;
}

}  // namespace mdhub::coinbtr
