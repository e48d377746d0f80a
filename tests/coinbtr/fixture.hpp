#pragma once
// Test helpers: fixture files, a two-market instrument table, decimal rendering.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "book/decimal.hpp"
#include "feeds/common/events.hpp"
#include "feeds/common/instruments.hpp"

namespace mdhub::coinbtr::test {

inline std::string fixture(const std::string& name) {
  std::ifstream f(std::string(MDHUB_SOURCE_DIR "/feeds/coinbtr/testdata/") + name, std::ios::binary);
  EXPECT_TRUE(f.good()) << name;
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

inline Instrument market(const std::string& base, const std::string& quote) {
  Instrument i;
  i.venue = "coinbtr";
  i.base = base;
  i.quote = quote;
  i.symbol = base + "-" + quote;
  i.native = i.symbol;
  return i;
}

/// BTC-MXN = 0, ETH-MXN = 1, default scales (8/8).
inline InstrumentTable table() {
  InstrumentTable t;
  t.add(market("BTC", "MXN"));
  t.add(market("ETH", "MXN"));
  return t;
}

inline std::string px(int64_t m) { return m == kNone ? "none" : format_decimal(m, 8); }

inline constexpr RecvTime kRecv{1700000000123456789, 42};

}  // namespace mdhub::coinbtr::test
