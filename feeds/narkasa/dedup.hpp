#pragma once
// Trade de-duplication for Narkasa, whose trades carry no id: REST returns the last N
// trades on every poll, so a trade is recognised by (time, price, amount, side). Bounded.
// Not thread-safe.
#include <array>
#include <cstddef>
#include <cstdint>

namespace mdhub::narkasa {

class RecentTrades {
 public:
  static constexpr size_t kCapacity = 512;

  /// True when the trade has not been seen (it is then remembered). Call in time order.
  /// Once the memory is full, a trade older than everything remembered counts as seen:
  /// it belongs to a window that was already emitted.
  bool admit(int64_t time_us, int64_t price, int64_t qty, int8_t side);

 private:
  struct Key {
    int64_t time_us, price, qty;
    int8_t side;
    friend bool operator==(const Key&, const Key&) = default;
  };
  std::array<Key, kCapacity> ring_{};
  size_t size_ = 0;
  size_t next_ = 0;
};

}  // namespace mdhub::narkasa
