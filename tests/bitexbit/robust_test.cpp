// Every fixture, cut at every length and with single bytes corrupted, through every parser:
// no crash, a clear error with nothing appended, or consistent events.
#include <gtest/gtest.h>

#include "feeds/bitexbit/parse.hpp"
#include "fixture.hpp"
#include "tests/feeds_common/robust.hpp"

namespace mdhub::bitexbit {
namespace {

using mdhub::test::check_parse;

TEST(BitexbitRobust, TruncatedAndCorruptedFixtures) {
  json::Reader rd;
  const InstrumentTable tab = test::table();
  ParseOut out;
  std::vector<Instrument> inst;
  std::string err;
  auto all = [&](std::string_view s) {
    out.clear();
    out.events.resize(1);  // something of the caller's that must survive errors
    check_parse(parse_tickers(rd, s, tab, true, true, test::kRecv, out), out, 1, 0, tab.size());
    size_t ev = out.events.size(), lv = out.levels.size();
    check_parse(parse_depth(rd, s, tab, 1, test::kRecv, out), out, ev, lv, tab.size());
    ev = out.events.size(), lv = out.levels.size();
    TradesPage page;
    check_parse(parse_trades(rd, s, tab, 0, kNone, test::kRecv, out, page), out, ev, lv, tab.size());
    ev = out.events.size(), lv = out.levels.size();
    check_parse(parse_ohlcv(rd, s, tab, 0, CandleInterval::m5, TimeUnit::automatic, test::kRecv, out), out, ev, lv,
          tab.size());
    inst.clear();
    if (parse_pairs(rd, s, inst, err) == ParseStatus::error) {
      ASSERT_TRUE(inst.empty());
    }
  };
  EXPECT_GT(mdhub::test::for_each_corruption(MDHUB_SOURCE_DIR "/feeds/bitexbit/testdata", all), 10000u);
}

}  // namespace
}  // namespace mdhub::bitexbit
