// Every fixture, cut at every length and with single bytes corrupted, through every parser:
// no crash, a clear error with nothing appended, or consistent events.
#include <gtest/gtest.h>

#include <filesystem>

#include "feeds/bitexbit/parse.hpp"
#include "fixture.hpp"

namespace mdhub::bitexbit {
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

TEST(BitexbitRobust, TruncatedAndCorruptedFixtures) {
  json::Reader rd;
  const InstrumentTable tab = test::table();
  ParseOut out;
  std::vector<Instrument> inst;
  std::string err;
  size_t inputs = 0;
  auto all = [&](std::string_view s) {
    ++inputs;
    out.clear();
    out.events.resize(1);  // something of the caller's that must survive errors
    check(parse_tickers(rd, s, tab, true, true, test::kRecv, out), out, 1, 0, tab.size());
    size_t ev = out.events.size(), lv = out.levels.size();
    check(parse_depth(rd, s, tab, 1, test::kRecv, out), out, ev, lv, tab.size());
    ev = out.events.size(), lv = out.levels.size();
    TradesPage page;
    check(parse_trades(rd, s, tab, 0, kNone, test::kRecv, out, page), out, ev, lv, tab.size());
    ev = out.events.size(), lv = out.levels.size();
    check(parse_ohlcv(rd, s, tab, 0, CandleInterval::m5, TimeUnit::automatic, test::kRecv, out), out, ev, lv,
          tab.size());
    inst.clear();
    if (parse_pairs(rd, s, inst, err) == ParseStatus::error) {
      ASSERT_TRUE(inst.empty());
    }
  };
  for (const auto& f : std::filesystem::directory_iterator(MDHUB_SOURCE_DIR "/feeds/bitexbit/testdata")) {
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
}  // namespace mdhub::bitexbit
