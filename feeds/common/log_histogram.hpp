#pragma once
// A fixed-size latency histogram with power-of-two buckets (1 µs .. 33.5 s), readable from
// any thread while it is written: counters are relaxed atomics. `observe` is for a single
// writer thread (a plain load and store, no locked instruction); `observe_shared` for
// several writers. No allocation, no lock.
#include <array>
#include <atomic>
#include <bit>
#include <cstdint>
#include <optional>

namespace mdhub {

class LogHistogram {
 public:
  /// Bucket i (i < kBounds) holds values up to kBoundNs(i) = 1000 << i ns and above the
  /// bound before it (bucket 0: 0 .. 1 µs); bucket kBounds holds what is above the last.
  static constexpr size_t kBounds = 26;
  static constexpr size_t kBuckets = kBounds + 1;
  static constexpr int64_t bound_ns(size_t i) { return int64_t{1000} << i; }

  /// The bucket of a value (negative values count as 0).
  static constexpr size_t bucket_of(int64_t ns) {
    if (ns <= 1000) return 0;
    if (ns > bound_ns(kBounds - 1)) return kBounds;
    // Smallest i with ns <= 1000 << i, i.e. ceil(log2(ceil(ns / 1000))).
    const auto units = static_cast<uint64_t>((ns + 999) / 1000);
    const auto i = static_cast<size_t>(std::bit_width(units - 1));
    return i < kBounds ? i : kBounds;
  }

  void observe(int64_t ns) {
    if (ns < 0) ns = 0;
    bump(counts_[bucket_of(ns)], 1);
    bump(sum_ns_, static_cast<uint64_t>(ns));
  }
  void observe_shared(int64_t ns) {
    if (ns < 0) ns = 0;
    counts_[bucket_of(ns)].fetch_add(1, std::memory_order_relaxed);
    sum_ns_.fetch_add(static_cast<uint64_t>(ns), std::memory_order_relaxed);
  }

  /// A consistent-enough copy for reporting (each counter read once).
  struct Snapshot {
    std::array<uint64_t, kBuckets> counts{};  ///< per bucket, not cumulative
    uint64_t count = 0;
    uint64_t sum_ns = 0;
    /// The q-quantile (0 < q <= 1) in ns, interpolated linearly inside its bucket as
    /// Prometheus' histogram_quantile does; a rank in the overflow bucket gives the last
    /// bound. nullopt when empty.
    std::optional<double> quantile_ns(double q) const {
      if (count == 0) return std::nullopt;
      double rank = q * static_cast<double>(count);
      if (rank < 1) rank = 1;
      uint64_t below = 0;
      for (size_t i = 0; i < kBuckets; ++i) {
        const uint64_t n = counts[i];
        if (n == 0 || static_cast<double>(below + n) < rank) {
          below += n;
          continue;
        }
        if (i == kBounds) break;
        const double lo = i == 0 ? 0.0 : static_cast<double>(bound_ns(i - 1));
        const double hi = static_cast<double>(bound_ns(i));
        return lo + (hi - lo) * (rank - static_cast<double>(below)) / static_cast<double>(n);
      }
      return static_cast<double>(bound_ns(kBounds - 1));
    }
  };
  Snapshot snapshot() const {
    Snapshot s;
    for (size_t i = 0; i < kBuckets; ++i) {
      s.counts[i] = counts_[i].load(std::memory_order_relaxed);
      s.count += s.counts[i];
    }
    s.sum_ns = sum_ns_.load(std::memory_order_relaxed);
    return s;
  }

 private:
  static void bump(std::atomic<uint64_t>& a, uint64_t by) {
    a.store(a.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
  }
  std::array<std::atomic<uint64_t>, kBuckets> counts_{};
  std::atomic<uint64_t> sum_ns_{0};
};

}  // namespace mdhub
