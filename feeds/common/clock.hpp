#pragma once
// The clocks: wall time for what is published (exchange and receive timestamps), the
// monotonic clock for every duration and deadline.
#include <chrono>
#include <cstdint>

#include "feeds/common/events.hpp"

namespace mdhub {

/// CLOCK_MONOTONIC, ns.
inline int64_t mono_ns() {
  using namespace std::chrono;
  return duration_cast<nanoseconds>(steady_clock::now().time_since_epoch()).count();
}

/// Wall clock, ns since the Unix epoch.
inline int64_t wall_ns() {
  using namespace std::chrono;
  return duration_cast<nanoseconds>(system_clock::now().time_since_epoch()).count();
}

/// Wall clock, µs since the Unix epoch.
inline int64_t wall_us() { return wall_ns() / 1000; }

/// Current wall and monotonic time.
inline RecvTime now() { return RecvTime{wall_ns(), mono_ns()}; }

}  // namespace mdhub
