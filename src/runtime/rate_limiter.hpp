#pragma once
// Token bucket for a venue's REST requests: `rate` tokens per second refill a bucket of
// `burst` tokens; a request takes one. Time is passed in (monotonic ns), so the bucket is a
// pure value and testable without a clock. Tokens are counted in billionths, so integral
// rates give exact waits. Not thread-safe.
#include <algorithm>
#include <cmath>
#include <cstdint>

namespace mdhub {

class TokenBucket {
 public:
  /// rate <= 0 disables limiting. The bucket starts full.
  TokenBucket(double rate_per_s, int burst)
      : rate_(rate_per_s), cap_(static_cast<int64_t>(std::max(1, burst)) * kOne), nano_tokens_(cap_) {}

  /// Takes a token at `now_ns` and returns 0, or takes nothing and returns the ns to wait
  /// until one is available.
  int64_t try_take(int64_t now_ns) {
    if (rate_ <= 0) return 0;
    refill(now_ns);
    if (nano_tokens_ >= kOne) {
      nano_tokens_ -= kOne;
      return 0;
    }
    const double wait = std::ceil(static_cast<double>(kOne - nano_tokens_) / rate_);
    return std::max<int64_t>(1, static_cast<int64_t>(wait));
  }
  /// Tokens available at `now_ns`.
  double tokens(int64_t now_ns) {
    refill(now_ns);
    return static_cast<double>(nano_tokens_) / static_cast<double>(kOne);
  }

 private:
  static constexpr int64_t kOne = 1'000'000'000;

  void refill(int64_t now_ns) {
    if (started_ && now_ns > last_ns_) {
      const double add = static_cast<double>(now_ns - last_ns_) * rate_;
      nano_tokens_ = add >= static_cast<double>(cap_) ? cap_
                                                      : std::min(cap_, nano_tokens_ + static_cast<int64_t>(add));
    }
    if (!started_ || now_ns > last_ns_) last_ns_ = now_ns;
    started_ = true;
  }

  double rate_;
  int64_t cap_;
  int64_t nano_tokens_;
  int64_t last_ns_ = 0;
  bool started_ = false;
};

}  // namespace mdhub
