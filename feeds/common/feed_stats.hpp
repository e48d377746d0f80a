#pragma once
// Fixed-bucket histograms and the REST accounting a FeedRunner keeps per venue. Recording
// a sample is one bucket search over a handful of constants plus three integer increments:
// no lock, no allocation, so it is fine on the network thread. Plain values with a single
// writer (the runner's io_context thread); the metrics collector reads them at scrape time
// on the same thread.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace mdhub {

/// `Bounds::kNs` holds the bucket upper bounds in ns, ascending; one more bucket (+Inf)
/// takes what is above the last.
template <class Bounds>
class BucketHistogram {
 public:
  static constexpr auto kBoundsNs = Bounds::kNs;
  static constexpr size_t kBuckets = kBoundsNs.size() + 1;

  void observe(int64_t ns) {
    if (ns < 0) ns = 0;
    size_t i = 0;
    while (i < kBoundsNs.size() && ns > kBoundsNs[i]) ++i;
    ++counts_[i];
    ++count_;
    sum_ns_ += static_cast<uint64_t>(ns);
  }
  /// Per-bucket (not cumulative) counts; the last is the +Inf overflow.
  const std::array<uint64_t, kBuckets>& counts() const { return counts_; }
  uint64_t count() const { return count_; }
  uint64_t sum_ns() const { return sum_ns_; }

 private:
  std::array<uint64_t, kBuckets> counts_{};
  uint64_t count_ = 0;
  uint64_t sum_ns_ = 0;
};

/// REST request durations: 1 ms .. 30 s (a request's deadline is 10 s by default and a
/// slow venue answers in seconds).
struct RestDurationBounds {
  static constexpr std::array<int64_t, 14> kNs = {
      1'000'000,     2'500'000,     5'000'000,     10'000'000,    25'000'000,
      50'000'000,    100'000'000,   250'000'000,   500'000'000,   1'000'000'000,
      2'500'000'000, 5'000'000'000, 10'000'000'000, 30'000'000'000};
};
using RestDurationHistogram = BucketHistogram<RestDurationBounds>;

/// Outcome class of one REST request: a small fixed set, so it can be a metric label.
enum class RestCode : uint8_t {
  s200,      ///< HTTP 200
  s2xx,      ///< any other 2xx
  s3xx,
  s429,      ///< rate limited by the venue
  s4xx,      ///< any other 4xx
  s5xx,
  other,     ///< a status outside 200..599
  timeout,   ///< the request's deadline passed
  error,     ///< transport failure: resolve, connect, TLS, reset, oversized body
  count_
};
inline constexpr size_t kRestCodes = static_cast<size_t>(RestCode::count_);

/// The label value: "200", "2xx", "3xx", "429", "4xx", "5xx", "other", "timeout", "error".
constexpr std::string_view to_label(RestCode c) {
  constexpr std::array<std::string_view, kRestCodes> kNames = {"200", "2xx",   "3xx",     "429",  "4xx",
                                                               "5xx", "other", "timeout", "error"};
  const auto i = static_cast<size_t>(c);
  return i < kNames.size() ? kNames[i] : "?";
}

/// `complete`: a whole response arrived (then `status` counts); else `timed_out` tells a
/// deadline from any other failure.
constexpr RestCode classify_rest(bool complete, bool timed_out, unsigned status) {
  if (!complete) return timed_out ? RestCode::timeout : RestCode::error;
  if (status == 200) return RestCode::s200;
  if (status == 429) return RestCode::s429;
  if (status >= 200 && status < 300) return RestCode::s2xx;
  if (status >= 300 && status < 400) return RestCode::s3xx;
  if (status >= 400 && status < 500) return RestCode::s4xx;
  if (status >= 500 && status < 600) return RestCode::s5xx;
  return RestCode::other;
}

/// Per-venue REST accounting. Every request sent (FeedStats::rest_requests) lands in
/// exactly one `codes` bucket and one `duration` sample when it completes, so
/// rest_requests - sum(codes) is the request in flight (0 or 1).
struct RestStats {
  RestDurationHistogram duration;  ///< from hand-off to the connection until the answer or failure
  std::array<uint64_t, kRestCodes> codes{};
  uint64_t rate_wait_ns = 0;  ///< total time requests waited for a token-bucket token
};

}  // namespace mdhub
