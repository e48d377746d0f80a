#pragma once
// A fixed-bucket latency histogram for the hot path: one array increment per sample, no
// locks, no allocation (single writer thread). Exported at scrape time.
#include <array>
#include <cstdint>

namespace mdhub {

class LatencyHistogram {
 public:
  /// Upper bounds in ns: 1 µs .. 1 s, roughly x2.5 per bucket.
  static constexpr std::array<int64_t, 16> kBoundsNs = {
      1'000,      2'500,      5'000,       10'000,      25'000,      50'000,
      100'000,    250'000,    500'000,     1'000'000,   2'500'000,   5'000'000,
      10'000'000, 50'000'000, 250'000'000, 1'000'000'000};

  void observe(int64_t ns) {
    if (ns < 0) ns = 0;
    size_t i = 0;
    while (i < kBoundsNs.size() && ns > kBoundsNs[i]) ++i;
    ++counts_[i];
    ++count_;
    sum_ns_ += static_cast<uint64_t>(ns);
  }
  /// Per-bucket (not cumulative) counts; the last is the +Inf overflow.
  const std::array<uint64_t, kBoundsNs.size() + 1>& counts() const { return counts_; }
  uint64_t count() const { return count_; }
  uint64_t sum_ns() const { return sum_ns_; }

 private:
  std::array<uint64_t, kBoundsNs.size() + 1> counts_{};
  uint64_t count_ = 0;
  uint64_t sum_ns_ = 0;
};

}  // namespace mdhub
