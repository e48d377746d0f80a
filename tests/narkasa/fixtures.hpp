#pragma once
// Test helpers: fixture loading and a small Narkasa instrument table.
#include <fstream>
#include <sstream>
#include <string>

#include "book/decimal.hpp"
#include "feeds/common/events.hpp"
#include "feeds/common/instruments.hpp"

namespace mdhub::narkasa::test {

inline std::string fixture(const std::string& name) {
  std::ifstream f(std::string(MDHUB_SOURCE_DIR "/feeds/narkasa/testdata/") + name,
                  std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

inline InstrumentTable table() {
  InstrumentTable t;
  t.add(Instrument{"narkasa", "BTC-TRY", "BTCTRY", "BTC", "TRY"});
  t.add(Instrument{"narkasa", "ETH-TRY", "ETHTRY", "ETH", "TRY"});
  return t;
}

/// Decimal text of a mantissa at the default scale (8), "none" for kNone.
inline std::string dec(int64_t m, int scale = 8) {
  return m == kNone ? std::string("none") : format_decimal(m, scale);
}

/// 2020-04-27 18:05:23.500 UTC, inside the fixtures' 5-minute candle.
inline constexpr RecvTime kRecv{1588010323500'000'000, 42};

}  // namespace mdhub::narkasa::test
