#pragma once
// Drops trades that overlapping windows repeat (websocket "last ten", REST "last 50"): the
// venue gives websocket trades no id, so a trade is known by (ms, price, qty, side) plus its
// occurrence number inside one window (two equal fills in one window are two trades).
// Bounded: remembers at most `window` keys per instrument. Not thread-safe.
#include <cstddef>
#include <cstdint>
#include <unordered_set>
#include <vector>

namespace mdhub::coinbtr {

struct TradeKey {
  int64_t ms;
  int64_t price;
  int64_t qty;
  int8_t side;
  uint16_t occurrence;
  friend bool operator==(const TradeKey&, const TradeKey&) = default;
};

class TradeDedup {
 public:
  explicit TradeDedup(size_t window);
  /// True when the trade is new (it is remembered); false for a repeat, or for a trade older
  /// than everything the window has already forgotten.
  bool insert(const TradeKey& key);
  size_t size() const { return set_.size(); }

 private:
  struct Hash {
    size_t operator()(const TradeKey& k) const noexcept;
  };
  size_t window_;
  std::vector<TradeKey> ring_;  // insertion order, oldest at head_ once full
  size_t head_ = 0;
  std::unordered_set<TradeKey, Hash> set_;
  int64_t forgotten_ms_;  // newest ms among evicted keys
};

}  // namespace mdhub::coinbtr
