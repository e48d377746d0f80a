#pragma once
// Exponential backoff with jitter for reconnects and failing requests. The ceiling doubles
// with every failed attempt up to `cap`; each delay is drawn uniformly from
// [base / 2, ceiling], so many clients of one venue spread out ("full jitter") while a
// failing peer is still never retried in a hot loop. Pure value type; not thread-safe.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>

namespace mdhub {

class Backoff {
 public:
  using Millis = std::chrono::milliseconds;

  Backoff(Millis base, Millis cap, uint64_t seed = std::random_device{}())
      : base_(std::max(base, Millis(1))), cap_(std::max(cap, base_)), rng_(seed) {}

  /// Delay before the next attempt; every call counts as one more failed attempt.
  Millis next() {
    const Millis ceiling = ceiling_for(attempts_);
    if (attempts_ < 62) ++attempts_;
    const int64_t lo = std::min(base_.count() / 2, ceiling.count());
    std::uniform_int_distribution<int64_t> dist(lo, ceiling.count());
    return Millis(dist(rng_));
  }
  /// Back to the first step (after a success, or a connection that stayed up long enough).
  void reset() { attempts_ = 0; }
  int attempts() const { return attempts_; }
  /// Upper bound of the delay after `attempts` failures.
  Millis ceiling_for(int attempts) const {
    Millis c = base_;
    for (int i = 0; i < attempts && c < cap_; ++i) c *= 2;
    return std::min(c, cap_);
  }
  Millis base() const { return base_; }
  Millis cap() const { return cap_; }

 private:
  Millis base_, cap_;
  int attempts_ = 0;
  std::mt19937_64 rng_;
};

}  // namespace mdhub
