#pragma once
// Test helpers: fixture files, instrument tables at the venue's published precisions.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "book/decimal.hpp"
#include "feeds/common/events.hpp"
#include "feeds/common/instruments.hpp"

namespace mdhub::bitexbit::test {

inline std::string fixture(const std::string& name) {
  std::ifstream f(std::string(MDHUB_SOURCE_DIR "/feeds/bitexbit/testdata/") + name, std::ios::binary);
  EXPECT_TRUE(f.good()) << name;
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

inline Instrument pair(const std::string& base, const std::string& quote, int ps, int qs) {
  Instrument i;
  i.venue = "bitexbit";
  i.base = base;
  i.quote = quote;
  i.symbol = base + "-" + quote;
  i.native = base + "_" + quote;
  i.price_scale = ps;
  i.qty_scale = qs;
  return i;
}

/// BTC_USD = 0 (3/6 decimals, as the venue's example), ETH_USD = 1 (2/4).
inline InstrumentTable table() {
  InstrumentTable t;
  t.add(pair("BTC", "USD", 3, 6));
  t.add(pair("ETH", "USD", 2, 4));
  return t;
}

inline constexpr RecvTime kRecv{1700000000123456789, 42};

}  // namespace mdhub::bitexbit::test
