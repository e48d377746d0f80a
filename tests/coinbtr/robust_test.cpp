// Every fixture, cut at every length and with single bytes corrupted, through every parser:
// no crash, a clear error with nothing appended, or consistent events.
#include <gtest/gtest.h>

#include <filesystem>

#include "feeds/coinbtr/parse.hpp"
#include "fixture.hpp"

namespace mdhub::coinbtr {
namespace {

void check(ParseStatus st, const ParseOut& out, size_t events_before, size_t levels_before, size_t n_inst) {
  if (st == ParseStatus::error) {
    ASSERT_FALSE(out.error.empty());
    ASSERT_EQ(out.events.size(), events_before);
    ASSERT_EQ(out.levels.size(), levels_before);
    return;
  }
  for (size_t i = events_before; i < out.events.size(); ++i) {
    ASSERT_LT(out.events[i].instrument, n_inst);
    if (const auto* b = std::get_if<BookMsg>(&out.events[i].body)) {
      ASSERT_LE(size_t{b->level_begin} + b->level_count, out.levels.size());
    }
  }
}

TEST(CoinbtrRobust, TruncatedAndCorruptedFixtures) {
  json::Reader rd;
  const InstrumentTable tab = test::table();
  ParseOptions opt;
  opt.bbo = true;
  opt.variation = VariationUnit::ratio;
  ParseOut out;
  std::vector<Instrument> inst;
  std::string err;
  size_t inputs = 0;
  auto all = [&](std::string_view s) {
    ++inputs;
    out.clear();
    out.events.resize(1);  // something of the caller's that must survive errors
    ParseStatus st = parse_ws_frame(rd, s, tab, opt, test::kRecv, out);
    check(st, out, 1, 0, tab.size());
    const size_t ev = out.events.size(), lv = out.levels.size();
    check(parse_rest_orderbook(rd, s, tab, 1, opt, test::kRecv, out), out, ev, lv, tab.size());
    const size_t ev2 = out.events.size(), lv2 = out.levels.size();
    check(parse_rest_trades(rd, s, tab, 0, test::kRecv, out), out, ev2, lv2, tab.size());
    const size_t ev3 = out.events.size(), lv3 = out.levels.size();
    check(parse_rest_tickers(rd, s, tab, test::kRecv, out), out, ev3, lv3, tab.size());
    inst.clear();
    if (parse_markets(rd, s, inst, err) == ParseStatus::error) {
      ASSERT_TRUE(inst.empty());
    }
  };
  for (const auto& f : std::filesystem::directory_iterator(MDHUB_SOURCE_DIR "/feeds/coinbtr/testdata")) {
    const std::string text = test::fixture(f.path().filename().string());
    for (size_t n = 0; n <= text.size(); ++n) all(std::string_view(text).substr(0, n));
    for (size_t i = 0; i < text.size(); ++i) {
      for (char c : {'"', '}', ']', ',', 'x', '-'}) {
        std::string m = text;
        m[i] = c;
        all(m);
      }
    }
  }
  EXPECT_GT(inputs, 10000u);
}

}  // namespace
}  // namespace mdhub::coinbtr
