#include <gtest/gtest.h>

#include "feeds/narkasa/parse.hpp"
#include "tests/narkasa/fixtures.hpp"

namespace mdhub::narkasa {
namespace {

using test::dec;
using test::fixture;
using test::kRecv;

class NarkasaWs : public ::testing::Test {
 protected:
  ParseStatus parse(const std::string& name, WsParseOptions opt = {}) {
    return parse_ws(reader_, fixture(name), table_, kRecv, opt, out_);
  }
  json::Reader reader_;
  InstrumentTable table_ = test::table();
  ParseOut out_;
};

TEST_F(NarkasaWs, Ticker) {
  ASSERT_EQ(parse("ws_ticker.json"), ParseStatus::ok) << out_.error;
  ASSERT_EQ(out_.events.size(), 1u);
  const Event& e = out_.events[0];
  EXPECT_EQ(e.kind, EventKind::ticker);
  EXPECT_EQ(e.instrument, 0u);
  EXPECT_EQ(e.ts_exchange_us, kNone);
  EXPECT_EQ(e.recv.wall_ns, kRecv.wall_ns);
  EXPECT_EQ(e.recv.mono_ns, kRecv.mono_ns);
  const auto& t = std::get<TickerMsg>(e.body);
  EXPECT_EQ(dec(t.bid), "54500");
  EXPECT_EQ(dec(t.ask), "54501");
  EXPECT_EQ(dec(t.last), "54500");
  EXPECT_EQ(dec(t.open), "54500");
  EXPECT_EQ(dec(t.high), "54500");
  EXPECT_EQ(dec(t.low), "54500");
  EXPECT_EQ(dec(t.volume_base), "1");
  EXPECT_EQ(dec(t.volume_quote), "54500");
  EXPECT_EQ(t.change_pct, kNone);  // absent in `ticker` pushes
}

TEST_F(NarkasaWs, AllTickers) {
  ASSERT_EQ(parse("ws_all_tickers.json"), ParseStatus::ok) << out_.error;
  ASSERT_EQ(out_.events.size(), 1u);
  const auto& t = std::get<TickerMsg>(out_.events[0].body);
  EXPECT_EQ(t.bid, 54500 * 100'000'000LL);
  EXPECT_EQ(dec(t.ask), "54501");
  EXPECT_EQ(dec(t.last), "54501");
  EXPECT_EQ(dec(t.high), "54501");
  EXPECT_EQ(dec(t.low), "54500");
  EXPECT_EQ(dec(t.volume_base), "1");
  EXPECT_EQ(dec(t.volume_quote), "54501");
  // changePercent is a percent already: 0.0018 stays 0.0018 (%).
  EXPECT_EQ(t.change_pct, 180000);
  EXPECT_EQ(dec(t.change_pct, kPctScale), "0.0018");
}

TEST_F(NarkasaWs, Candles) {
  ASSERT_EQ(parse("ws_candles.json"), ParseStatus::ok) << out_.error;
  ASSERT_EQ(out_.events.size(), 1u);
  const Event& e = out_.events[0];
  EXPECT_EQ(e.kind, EventKind::candle);
  EXPECT_EQ(e.ts_exchange_us, 1588010323000000);  // the kline's last update time
  const auto& c = std::get<CandleMsg>(e.body);
  EXPECT_EQ(c.interval, CandleInterval::m5);
  EXPECT_EQ(c.open_time_us, 1588010100000000);
  EXPECT_EQ(c.close_time_us, 1588010400000000);  // open + 5 min, not the update time
  EXPECT_EQ(dec(c.open), "54500");
  EXPECT_EQ(dec(c.high), "54500");
  EXPECT_EQ(dec(c.low), "54500");
  EXPECT_EQ(dec(c.close), "54500");
  EXPECT_EQ(dec(c.volume), "0.0005");
  EXPECT_FALSE(c.closed);  // received inside the interval
}

TEST_F(NarkasaWs, CandleClosedWhenReceivedAfterItsEnd) {
  const RecvTime late{1588010400'000'000'000, 1};
  ASSERT_EQ(parse_ws(reader_, fixture("ws_candles.json"), table_, late, {}, out_), ParseStatus::ok);
  EXPECT_TRUE(std::get<CandleMsg>(out_.events.at(0).body).closed);
}

TEST_F(NarkasaWs, CandleWithStringsAndMissingFields) {
  ASSERT_EQ(parse("ws_candles_partial.json"), ParseStatus::ok) << out_.error;
  const Event& e = out_.events.at(0);
  EXPECT_EQ(e.ts_exchange_us, kNone);
  const auto& c = std::get<CandleMsg>(e.body);
  EXPECT_EQ(c.interval, CandleInterval::m1);
  EXPECT_EQ(c.close_time_us, 1588010160000000);
  EXPECT_EQ(dec(c.open), "54500");
  EXPECT_EQ(dec(c.high), "54510");
  EXPECT_EQ(dec(c.low), "54490");
  EXPECT_EQ(dec(c.close), "54505");
  EXPECT_EQ(c.volume, kNone);
}

TEST_F(NarkasaWs, OrderBookL1) {
  ASSERT_EQ(parse("ws_orderbook.json"), ParseStatus::ok) << out_.error;
  const Event& e = out_.events.at(0);
  EXPECT_EQ(e.kind, EventKind::bbo);
  EXPECT_EQ(e.ts_exchange_us, kNone);
  const auto& b = std::get<BboMsg>(e.body);
  EXPECT_EQ(dec(b.bid), "54500");
  EXPECT_EQ(dec(b.bid_qty), "0.001");
  EXPECT_EQ(dec(b.ask), "54501");
  EXPECT_EQ(dec(b.ask_qty), "0.001");
}

TEST_F(NarkasaWs, OrderBookPartialLeavesMissingFieldsNone) {
  ASSERT_EQ(parse("ws_orderbook_bid_only.json"), ParseStatus::ok) << out_.error;
  const auto& b = std::get<BboMsg>(out_.events.at(0).body);
  EXPECT_EQ(dec(b.bid), "54499.5");
  EXPECT_EQ(dec(b.bid_qty), "0.25");
  EXPECT_EQ(b.ask, kNone);
  EXPECT_EQ(b.ask_qty, kNone);
}

TEST_F(NarkasaWs, DepthSnapshotMode) {
  ASSERT_EQ(parse("ws_depth.json"), ParseStatus::ok) << out_.error;
  ASSERT_EQ(out_.events.size(), 1u);
  const Event& e = out_.events[0];
  EXPECT_EQ(e.kind, EventKind::book);
  EXPECT_EQ(e.ts_exchange_us, kNone);
  const auto& b = std::get<BookMsg>(e.body);
  EXPECT_EQ(b.type, BookMsg::Type::replace);
  EXPECT_EQ(b.seq, 0u);
  EXPECT_EQ(b.prev_seq, 0u);
  ASSERT_EQ(b.level_begin, 0u);
  ASSERT_EQ(b.level_count, 2u);
  EXPECT_EQ(out_.levels[0], (LevelUpdate{Side::bid, 54500'00000000, 100000}));
  EXPECT_EQ(out_.levels[1], (LevelUpdate{Side::ask, 54501'00000000, 100000}));
}

TEST_F(NarkasaWs, DepthSnapshotModeSortsAndDropsZeroLevels) {
  ASSERT_EQ(parse("ws_depth_delta.json"), ParseStatus::ok) << out_.error;
  const auto& b = std::get<BookMsg>(out_.events.at(0).body);
  EXPECT_EQ(b.type, BookMsg::Type::replace);
  ASSERT_EQ(b.level_count, 3u);
  EXPECT_EQ(out_.levels[0].side, Side::bid);
  EXPECT_EQ(dec(out_.levels[0].price), "54499");
  EXPECT_EQ(dec(out_.levels[0].qty), "0.5");
  EXPECT_EQ(out_.levels[1].side, Side::ask);
  EXPECT_EQ(dec(out_.levels[1].price), "54501");
  EXPECT_EQ(dec(out_.levels[1].qty), "0.001");
  EXPECT_EQ(dec(out_.levels[2].price), "54502");
  EXPECT_EQ(dec(out_.levels[2].qty), "0.75");
}

TEST_F(NarkasaWs, DepthDeltaModeKeepsZeroAmountsAsDeletes) {
  WsParseOptions opt;
  opt.depth_mode = DepthMode::delta;
  ASSERT_EQ(parse("ws_depth_delta.json", opt), ParseStatus::ok) << out_.error;
  const auto& b = std::get<BookMsg>(out_.events.at(0).body);
  EXPECT_EQ(b.type, BookMsg::Type::delta);
  EXPECT_EQ(b.seq, 0u);
  EXPECT_EQ(b.prev_seq, 0u);
  ASSERT_EQ(b.level_count, 4u);
  EXPECT_EQ(out_.levels[0], (LevelUpdate{Side::bid, 54500'00000000, 0}));
  EXPECT_EQ(out_.levels[1], (LevelUpdate{Side::bid, 54499'00000000, 50000000}));
  EXPECT_EQ(out_.levels[2], (LevelUpdate{Side::ask, 54502'00000000, 75000000}));
  EXPECT_EQ(out_.levels[3], (LevelUpdate{Side::ask, 54501'00000000, 100000}));
}

using Names = std::vector<std::string_view>;

TEST_F(NarkasaWs, DepthSidesModeAsksOnlyLeavesTheBidsAlone) {
  ASSERT_EQ(parse("ws_depth_asks_only.json"), ParseStatus::ok) << out_.error;
  ASSERT_EQ(out_.events.size(), 1u);
  const auto& b = std::get<BookMsg>(out_.events[0].body);
  EXPECT_EQ(b.type, BookMsg::Type::replace);
  EXPECT_FALSE(b.has_bids);
  EXPECT_TRUE(b.has_asks);
  ASSERT_EQ(b.level_count, 2u);
  EXPECT_EQ(out_.levels[0], (LevelUpdate{Side::ask, 54501'50000000, 10000000}));
  EXPECT_EQ(out_.levels[1], (LevelUpdate{Side::ask, 54502'00000000, 25000000}));
  EXPECT_EQ(out_.detected, (Names{"depth_side_absent"}));
}

TEST_F(NarkasaWs, DepthSidesModeEmptySideIsUnchanged) {
  ASSERT_EQ(parse("ws_depth_bids_empty.json"), ParseStatus::ok) << out_.error;
  const auto& b = std::get<BookMsg>(out_.events.at(0).body);
  EXPECT_FALSE(b.has_bids);
  EXPECT_TRUE(b.has_asks);
  ASSERT_EQ(b.level_count, 1u);
  EXPECT_EQ(out_.levels[0], (LevelUpdate{Side::ask, 54503'00000000, 150000000}));
  EXPECT_EQ(out_.detected, (Names{"depth_side_empty"}));
}

TEST_F(NarkasaWs, DepthSidesModeNullSideIsAbsent) {
  ASSERT_EQ(parse("ws_depth_asks_null.json"), ParseStatus::ok) << out_.error;
  const auto& b = std::get<BookMsg>(out_.events.at(0).body);
  EXPECT_TRUE(b.has_bids);
  EXPECT_FALSE(b.has_asks);
  ASSERT_EQ(b.level_count, 1u);
  EXPECT_EQ(out_.levels[0], (LevelUpdate{Side::bid, 54499'00000000, 75000000}));
  EXPECT_EQ(out_.detected, (Names{"depth_side_absent"}));
}

TEST_F(NarkasaWs, DepthSidesModeBothSidesCarriedIsAWholeBook) {
  ASSERT_EQ(parse("ws_depth.json"), ParseStatus::ok) << out_.error;
  const auto& b = std::get<BookMsg>(out_.events.at(0).body);
  EXPECT_TRUE(b.has_bids);
  EXPECT_TRUE(b.has_asks);
  EXPECT_TRUE(out_.detected.empty());
}

TEST_F(NarkasaWs, DepthSidesModePushWithNoSideChangesNothing) {
  EXPECT_EQ(parse("ws_depth_no_sides.json"), ParseStatus::ignored);
  EXPECT_TRUE(out_.events.empty());
  EXPECT_TRUE(out_.levels.empty());
  EXPECT_TRUE(out_.detected.empty());
}

TEST_F(NarkasaWs, DepthSnapshotModeAbsentSideIsAnEmptySide) {
  WsParseOptions opt;
  opt.depth_mode = DepthMode::snapshot;
  ASSERT_EQ(parse("ws_depth_asks_only.json", opt), ParseStatus::ok) << out_.error;
  const auto& b = std::get<BookMsg>(out_.events.at(0).body);
  EXPECT_TRUE(b.has_bids);
  EXPECT_TRUE(b.has_asks);
  EXPECT_EQ(b.level_count, 2u);
  EXPECT_TRUE(out_.detected.empty());
}

TEST_F(NarkasaWs, RefusedSubscriptionIsReported) {
  EXPECT_EQ(parse("ws_subscribe_failed.json"), ParseStatus::ignored);
  EXPECT_EQ(out_.subscription_error, "depth BTCTRY: failed 10037 (Invalid symbol.)");
  out_.clear();
  EXPECT_EQ(parse("ws_subscribe_error.json"), ParseStatus::ignored);
  EXPECT_EQ(out_.subscription_error, "candles BTCTRY m7: error 90000 (Invalid interval.)");
  EXPECT_TRUE(out_.events.empty());
  out_.clear();
  EXPECT_EQ(parse("ws_subscribe_ack.json"), ParseStatus::ignored);
  EXPECT_EQ(out_.subscription_error, "");
}

// Found by the corruption sweep: a broken reply used to be read on past its first bad field
// (a crash inside the JSON reader); it is a malformed frame, and reports no refusal.
TEST_F(NarkasaWs, BrokenSubscribeReplyIsMalformedNotACrash) {
  EXPECT_EQ(parse("ws_subscribe_failed_broken.json"), ParseStatus::error);
  EXPECT_EQ(out_.error, "narkasa: malformed SUBSCRIBE reply");
  EXPECT_EQ(out_.subscription_error, "");
  EXPECT_TRUE(out_.events.empty());
}

TEST_F(NarkasaWs, DepthWithBadLevelRollsBackEverything) {
  // Output already holding another frame's events must be left untouched.
  ASSERT_EQ(parse("ws_depth.json"), ParseStatus::ok);
  ASSERT_EQ(parse("ws_depth_bad_level.json"), ParseStatus::error);
  EXPECT_EQ(out_.error, "narkasa depth: bad price (not a decimal number)");
  EXPECT_EQ(out_.events.size(), 1u);
  EXPECT_EQ(out_.levels.size(), 2u);
}

TEST_F(NarkasaWs, TradeBuyByDefault) {
  ASSERT_EQ(parse("ws_trade.json"), ParseStatus::ok) << out_.error;
  const Event& e = out_.events.at(0);
  EXPECT_EQ(e.kind, EventKind::trade);
  EXPECT_EQ(e.instrument, 0u);
  EXPECT_EQ(e.ts_exchange_us, 1588010323279000);
  const auto& t = std::get<TradeMsg>(e.body);
  EXPECT_EQ(dec(t.price), "54500");
  EXPECT_EQ(dec(t.qty), "0.0005");
  EXPECT_EQ(t.side, 1);  // tradeType 1 = buyer is taker
  EXPECT_EQ(t.trade_id, kNone);
}

TEST_F(NarkasaWs, TradeTypeMappingIsConfigurable) {
  WsParseOptions opt;
  opt.trade_type_0_is_sell = false;
  ASSERT_EQ(parse("ws_trade.json", opt), ParseStatus::ok);
  EXPECT_EQ(std::get<TradeMsg>(out_.events.at(0).body).side, -1);
}

TEST_F(NarkasaWs, TradeWithNumericStrings) {
  ASSERT_EQ(parse("ws_trade_strings.json"), ParseStatus::ok) << out_.error;
  const Event& e = out_.events.at(0);
  EXPECT_EQ(e.ts_exchange_us, 1588010323279000);
  const auto& t = std::get<TradeMsg>(e.body);
  EXPECT_EQ(dec(t.price), "54500.25");
  EXPECT_EQ(dec(t.qty), "0.0005");
  EXPECT_EQ(t.side, -1);  // tradeType 0 = aggressor sold
}

TEST_F(NarkasaWs, TradeMissingPriceIsAnError) {
  EXPECT_EQ(parse("ws_trade_missing_price.json"), ParseStatus::error);
  EXPECT_EQ(out_.error, "narkasa trade: missing price");
  EXPECT_TRUE(out_.events.empty());
}

TEST_F(NarkasaWs, TruncatedFrameIsAnError) {
  EXPECT_EQ(parse("ws_trade_truncated.json"), ParseStatus::error);
  EXPECT_EQ(out_.error, "narkasa: malformed frame (not a JSON object)");
  EXPECT_TRUE(out_.events.empty());
}

TEST_F(NarkasaWs, UnknownSymbolIsIgnored) {
  EXPECT_EQ(parse("ws_trade_unknown_symbol.json"), ParseStatus::ignored);
  EXPECT_TRUE(out_.events.empty());
  EXPECT_TRUE(out_.error.empty());
}

TEST_F(NarkasaWs, ControlAndKeepaliveFramesAreIgnored) {
  for (const char* name : {"ws_subscribe_ack.json", "ws_list_subscriptions.json",
                           "ws_data_pong.json", "ws_pong.txt"}) {
    EXPECT_EQ(parse(name), ParseStatus::ignored) << name;
  }
  EXPECT_TRUE(out_.events.empty());
}

TEST_F(NarkasaWs, NonJsonTextIsAnError) {
  EXPECT_EQ(parse_ws(reader_, "hello", table_, kRecv, {}, out_), ParseStatus::error);
  EXPECT_FALSE(out_.error.empty());
}

TEST_F(NarkasaWs, NativeIntervals) {
  const char* names[] = {"m1", "m3", "m5", "m15", "m30", "h1", "h2", "h4", "d1"};
  for (int i = 0; i < kCandleIntervals; ++i) {
    CandleInterval iv{};
    ASSERT_TRUE(parse_native_interval(names[i], iv)) << names[i];
    EXPECT_EQ(static_cast<int>(iv), i);
    EXPECT_EQ(native_interval_name(iv), names[i]);
  }
  CandleInterval iv{};
  EXPECT_FALSE(parse_native_interval("1m", iv));
  EXPECT_FALSE(parse_native_interval("w1", iv));
}

}  // namespace
}  // namespace mdhub::narkasa
