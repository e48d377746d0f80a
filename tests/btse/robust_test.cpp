// Every fixture, cut at every length and with single bytes corrupted, through every parser:
// no crash, a clear error with nothing appended, or consistent events.
#include <gtest/gtest.h>

#include "feeds/btse/parse.hpp"
#include "fixtures.hpp"
#include "tests/feeds_common/robust.hpp"

namespace mdhub::btse {
namespace {

using mdhub::test::check_parse;

TEST(BtseRobust, TruncatedAndCorruptedFixtures) {
  json::Reader rd;
  const InstrumentTable tab = test::table();
  ParseOut out;
  std::vector<Instrument> inst;
  std::string err;
  auto all = [&](std::string_view s) {
    out.clear();
    out.events.resize(1);  // something of the caller's that must survive errors
    check_parse(parse_ws(rd, s, tab, test::kRecv, out), out, 1, 0, tab.size());
    size_t ev = out.events.size(), lv = out.levels.size();
    check_parse(parse_market_summary(rd, s, tab, test::kRecv, out), out, ev, lv, tab.size());
    ev = out.events.size(), lv = out.levels.size();
    check_parse(parse_rest_l2(rd, s, tab, 0, test::kRecv, out), out, ev, lv, tab.size());
    ev = out.events.size(), lv = out.levels.size();
    check_parse(parse_rest_trades(rd, s, tab, 1, test::kRecv, out), out, ev, lv, tab.size());
    ev = out.events.size(), lv = out.levels.size();
    check_parse(parse_ohlcv(rd, s, tab, 0, CandleInterval::m1, test::kRecv, out), out, ev, lv, tab.size());
    ev = out.events.size(), lv = out.levels.size();
    check_parse(parse_price(rd, s, tab, test::kRecv, out), out, ev, lv, tab.size());
    ev = out.events.size(), lv = out.levels.size();
    check_parse(parse_public_orderbook(rd, s, tab, 1, test::kRecv, out), out, ev, lv, tab.size());
    inst.clear();
    err.clear();
    if (parse_instruments(rd, s, inst, err) == ParseStatus::error) {
      ASSERT_TRUE(inst.empty());
      ASSERT_FALSE(err.empty());
    }
  };
  EXPECT_GT(mdhub::test::for_each_corruption(MDHUB_SOURCE_DIR "/feeds/btse/testdata", all), 10000u);
}

}  // namespace
}  // namespace mdhub::btse
