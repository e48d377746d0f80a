// Every fixture, cut at every length and with single bytes corrupted, through every parser
// (the websocket one in both depth modes): no crash, a clear error with nothing appended, or
// consistent events.
#include <gtest/gtest.h>

#include "feeds/narkasa/parse.hpp"
#include "fixtures.hpp"
#include "tests/feeds_common/robust.hpp"

namespace mdhub::narkasa {
namespace {

using mdhub::test::check_parse;

TEST(NarkasaRobust, TruncatedAndCorruptedFixtures) {
  json::Reader rd;
  const InstrumentTable tab = test::table();
  WsParseOptions snap, delta;
  delta.depth_mode = DepthMode::delta;
  ParseOut out;
  std::vector<Instrument> inst;
  std::string err;
  auto all = [&](std::string_view s) {
    out.clear();
    out.events.resize(1);  // something of the caller's that must survive errors
    check_parse(parse_ws(rd, s, tab, test::kRecv, snap, out), out, 1, 0, tab.size());
    size_t ev = out.events.size(), lv = out.levels.size();
    check_parse(parse_ws(rd, s, tab, test::kRecv, delta, out), out, ev, lv, tab.size());
    ev = out.events.size(), lv = out.levels.size();
    check_parse(parse_tickers(rd, s, tab, test::kRecv, out), out, ev, lv, tab.size());
    ev = out.events.size(), lv = out.levels.size();
    check_parse(parse_24h(rd, s, tab, test::kRecv, out), out, ev, lv, tab.size());
    ev = out.events.size(), lv = out.levels.size();
    check_parse(parse_rest_depth(rd, s, tab, 0, test::kRecv, out), out, ev, lv, tab.size());
    ev = out.events.size(), lv = out.levels.size();
    check_parse(parse_rest_orderbook(rd, s, tab, 1, test::kRecv, out), out, ev, lv, tab.size());
    ev = out.events.size(), lv = out.levels.size();
    check_parse(parse_rest_trades(rd, s, tab, 0, true, test::kRecv, out), out, ev, lv, tab.size());
    ev = out.events.size(), lv = out.levels.size();
    check_parse(parse_rest_candles(rd, s, tab, 1, CandleInterval::m5, test::kRecv, out), out, ev, lv,
                tab.size());
    inst.clear();
    err.clear();
    if (parse_markets(rd, s, inst, err) == ParseStatus::error) {
      ASSERT_TRUE(inst.empty());
      ASSERT_FALSE(err.empty());
    }
  };
  EXPECT_GT(mdhub::test::for_each_corruption(MDHUB_SOURCE_DIR "/feeds/narkasa/testdata", all), 10000u);
}

}  // namespace
}  // namespace mdhub::narkasa
