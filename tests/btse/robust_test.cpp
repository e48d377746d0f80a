// Every fixture, cut at every length and with single bytes corrupted, through every parser:
// no crash, a clear error with nothing appended, or consistent events.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

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
    // Again where it lies, in an allocation of exactly the text and the padding (under
    // ASan: nothing is read beyond it).
    std::vector<char> padded(s.size() + kFramePadding, '\0');
    std::copy(s.begin(), s.end(), padded.begin());
    check_parse(parse_ws(rd, FrameView(std::string_view(padded.data(), s.size()), kFramePadding), tab,
                         test::kRecv, out),
                out, ev, lv, tab.size());
    ev = out.events.size(), lv = out.levels.size();
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

namespace mdhub::btse {
namespace {

// Found by fuzz_btse (testdata/rest_l2_stray_token.json, also a fuzz seed, so the UBSan fuzz
// run replays it): a book side with a stray token after its first level, behind the field
// the parser looks up first. Looking the sides up by key rewound over that array, which
// simdjson trusts to be well-formed: undefined behaviour. Walked in document order, the
// answer is defined: simdjson's on-demand reader lets the stray token end the array.
TEST(BtseRobust, AStrayTokenInASideIsReadInDocumentOrder) {
  json::Reader rd;
  const InstrumentTable tab = test::table();
  ParseOut out;
  ASSERT_EQ(parse_rest_l2(rd, test::fixture("rest_l2_stray_token.json"), tab, 0, test::kRecv, out), ParseStatus::ok)
      << out.error;
  ASSERT_EQ(out.levels.size(), 1u);
  EXPECT_EQ(out.levels[0].side, Side::bid);
  EXPECT_EQ(test::dec(out.levels[0].price), "36235");
  EXPECT_EQ(test::dec(out.levels[0].qty), "7.675");
}

}  // namespace
}  // namespace mdhub::btse
