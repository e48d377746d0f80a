// Every fixture, cut at every length and with single bytes corrupted, through every parser:
// no crash, a clear error with nothing appended, or consistent events.
#include <gtest/gtest.h>

#include "feeds/coinbtr/parse.hpp"
#include "fixture.hpp"
#include "tests/feeds_common/robust.hpp"

namespace mdhub::coinbtr {
namespace {

using mdhub::test::check_parse;

TEST(CoinbtrRobust, TruncatedAndCorruptedFixtures) {
  json::Reader rd;
  const InstrumentTable tab = test::table();
  ParseOptions opt;
  opt.bbo = true;
  opt.variation = VariationUnit::ratio;
  ParseOut out;
  std::vector<Instrument> inst;
  std::string err;
  auto all = [&](std::string_view s) {
    out.clear();
    out.events.resize(1);  // something of the caller's that must survive errors
    ParseStatus st = parse_ws_frame(rd, s, tab, opt, test::kRecv, out);
    check_parse(st, out, 1, 0, tab.size());
    const size_t ev = out.events.size(), lv = out.levels.size();
    check_parse(parse_rest_orderbook(rd, s, tab, 1, opt, test::kRecv, out), out, ev, lv, tab.size());
    const size_t ev2 = out.events.size(), lv2 = out.levels.size();
    check_parse(parse_rest_trades(rd, s, tab, 0, test::kRecv, out), out, ev2, lv2, tab.size());
    const size_t ev3 = out.events.size(), lv3 = out.levels.size();
    check_parse(parse_rest_tickers(rd, s, tab, test::kRecv, out), out, ev3, lv3, tab.size());
    inst.clear();
    if (parse_markets(rd, s, inst, err) == ParseStatus::error) {
      ASSERT_TRUE(inst.empty());
    }
  };
  EXPECT_GT(mdhub::test::for_each_corruption(MDHUB_SOURCE_DIR "/feeds/coinbtr/testdata", all), 10000u);
}

}  // namespace
}  // namespace mdhub::coinbtr
