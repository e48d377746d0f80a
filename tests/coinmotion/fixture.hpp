#pragma once
// Test helpers: fixture files and an instrument table of Coinmotion pairs.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "book/decimal.hpp"
#include "feeds/common/events.hpp"
#include "feeds/common/instruments.hpp"

namespace mdhub::coinmotion::test {

inline std::string fixture(const std::string& name) {
  std::ifstream f(std::string(MDHUB_SOURCE_DIR "/feeds/coinmotion/testdata/") + name, std::ios::binary);
  EXPECT_TRUE(f.good()) << name;
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

inline Instrument pair(const std::string& native, const std::string& base, const std::string& quote) {
  Instrument i;
  i.venue = "coinmotion";
  i.native = native;
  i.base = base;
  i.quote = quote;
  i.symbol = base + "-" + quote;
  return i;
}

/// BTC-EUR = 0, ETH-EUR = 1, LTC-EUR = 2 (natives as either layout names them).
inline InstrumentTable table() {
  InstrumentTable t;
  t.add(pair("btcEur", "BTC", "EUR"));
  t.add(pair("ethEur", "ETH", "EUR"));
  t.add(pair("ltc", "LTC", "EUR"));
  return t;
}

inline std::string px(int64_t m) { return m == kNone ? "none" : format_decimal(m, 8); }

inline constexpr RecvTime kRecv{1700000000123456789, 42};

}  // namespace mdhub::coinmotion::test
