#pragma once
// A fixed-bucket latency histogram for the hot path: one array increment per sample, no
// locks, no allocation (single writer thread). Exported at scrape time.
#include <array>
#include <cstdint>

#include "feeds/common/feed_stats.hpp"

namespace mdhub {

/// Upper bounds in ns: 1 µs .. 1 s, roughly x2.5 per bucket.
struct StageBounds {
  static constexpr std::array<int64_t, 16> kNs = {
      1'000,      2'500,      5'000,       10'000,      25'000,      50'000,
      100'000,    250'000,    500'000,     1'000'000,   2'500'000,   5'000'000,
      10'000'000, 50'000'000, 250'000'000, 1'000'000'000};
};
using LatencyHistogram = BucketHistogram<StageBounds>;

}  // namespace mdhub
