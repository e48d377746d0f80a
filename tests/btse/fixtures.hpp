#pragma once
// Test helpers: fixture loading and a small BTSE instrument table.
#include <fstream>
#include <sstream>
#include <string>

#include "book/decimal.hpp"
#include "feeds/common/events.hpp"
#include "feeds/common/instruments.hpp"

namespace mdhub::btse::test {

inline std::string fixture(const std::string& name) {
  std::ifstream f(std::string(MDHUB_SOURCE_DIR "/feeds/btse/testdata/") + name, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

inline InstrumentTable table() {
  InstrumentTable t;
  t.add(Instrument{"btse", "BTC-USD", "BTC-USD", "BTC", "USD"});
  t.add(Instrument{"btse", "ETH-USD", "ETH-USD", "ETH", "USD"});
  return t;
}

/// Decimal text of a mantissa at the default scale (8), "none" for kNone.
inline std::string dec(int64_t m, int scale = 8) {
  return m == kNone ? std::string("none") : format_decimal(m, scale);
}

/// 2023-04-06 03:02:34.500 UTC: after every fixture's timestamp.
inline constexpr RecvTime kRecv{1680750154500'000'000, 7};

}  // namespace mdhub::btse::test
