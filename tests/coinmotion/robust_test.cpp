// Every fixture, cut at every length and with single bytes corrupted, through every parser:
// no crash, a clear error with nothing appended, or consistent events.
#include <gtest/gtest.h>

#include "feeds/coinmotion/parse.hpp"
#include "fixture.hpp"
#include "tests/feeds_common/robust.hpp"

namespace mdhub::coinmotion {
namespace {

using mdhub::test::check_parse;

TEST(CoinmotionRobust, TruncatedAndCorruptedFixtures) {
  json::Reader rd;
  const InstrumentTable tab = test::table();
  RatesOptions opt;
  ParseOut out;
  std::vector<Instrument> inst;
  std::string err;
  auto all = [&](std::string_view s) {
    out.clear();
    out.events.resize(1);  // something of the caller's that must survive errors
    check_parse(parse_rates(rd, s, tab, opt, test::kRecv, out), out, 1, 0, tab.size());
    inst.clear();
    if (parse_rate_pairs(rd, s, "EUR", inst, err) == ParseStatus::error) {
      ASSERT_TRUE(inst.empty());
    }
  };
  EXPECT_GT(mdhub::test::for_each_corruption(MDHUB_SOURCE_DIR "/feeds/coinmotion/testdata", all), 5000u);
}

}  // namespace
}  // namespace mdhub::coinmotion
