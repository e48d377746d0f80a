#include "feeds/narkasa/dedup.hpp"

#include <algorithm>

namespace mdhub::narkasa {

bool RecentTrades::admit(int64_t time_us, int64_t price, int64_t qty, int8_t side) {
  const Key k{time_us, price, qty, side};
  const auto end = ring_.begin() + static_cast<std::ptrdiff_t>(size_);
  if (std::find(ring_.begin(), end, k) != end) return false;
  if (size_ == kCapacity) {
    const auto oldest = std::min_element(ring_.begin(), end, [](const Key& a, const Key& b) {
      return a.time_us < b.time_us;
    });
    if (time_us < oldest->time_us) return false;
  }
  ring_[next_] = k;
  next_ = (next_ + 1) % kCapacity;
  size_ = std::min(size_ + 1, kCapacity);
  return true;
}

}  // namespace mdhub::narkasa
