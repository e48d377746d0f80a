#include <gtest/gtest.h>

#include "feeds/btse/btse.hpp"
#include "tests/btse/fixtures.hpp"

namespace mdhub::btse {
namespace {

using test::dec;
using test::fixture;
using test::kRecv;

VenueConfig config(std::vector<std::string> channels = {},
                   std::map<std::string, std::string> options = {}, bool with_oss_url = true) {
  VenueConfig c;
  c.id = "btse";
  c.rest_base = "https://api.btse.com/spot";
  c.ws_url = "wss://ws.btse.com/ws/spot";
  if (with_oss_url) c.urls["oss_url"] = "ws://127.0.0.1:9000/btse/ws/oss/spot";
  c.channels = std::move(channels);
  c.options = std::move(options);
  return c;
}

std::unique_ptr<VenueFeed> started(const VenueConfig& c) {
  auto f = btse::make_feed(c);
  f->start(test::table());
  return f;
}

TEST(BtseFeed, Discovery) {
  auto f = btse::make_feed(config());
  EXPECT_EQ(f->venue(), "btse");
  EXPECT_EQ(f->discovery_target(), "/api/v3.2/market_summary");
  auto g = btse::make_feed(config({}, {{"api_version", "v3.3"}}));
  EXPECT_EQ(g->discovery_target(), "/api/v3.3/market_summary");
  std::vector<Instrument> v;
  std::string err;
  ASSERT_EQ(f->parse_discovery(fixture("rest_market_summary_multi.json"), v, err), ParseStatus::ok);
  EXPECT_EQ(v.size(), 3u);
}

TEST(BtseFeed, StreamsForBookAndTradesWithoutBbo) {
  auto f = started(config({"book", "trades", "ticker"}));
  const auto s = f->streams();
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].name, "oss");
  EXPECT_EQ(s[0].url, "ws://127.0.0.1:9000/btse/ws/oss/spot");
  EXPECT_EQ(s[0].subscribe,
            std::vector<std::string>{R"({"op":"subscribe","args":["update:BTC-USD_0","update:ETH-USD_0"]})"});
  EXPECT_EQ(s[1].name, "trades");
  EXPECT_EQ(s[1].url, "wss://ws.btse.com/ws/spot");
  EXPECT_EQ(s[1].subscribe,
            std::vector<std::string>{
                R"({"op":"subscribe","args":["tradeHistoryApi:BTC-USD","tradeHistoryApi:ETH-USD"]})"});
  for (const auto& plan : s) {
    EXPECT_EQ(plan.ping_text, "ping");
    EXPECT_EQ(plan.ping_interval, Millis{20000});
    EXPECT_EQ(plan.idle_timeout, Millis{60000});
  }
  const auto p = f->polls();
  ASSERT_EQ(p.size(), 1u);  // tickers only: candles disabled, REST book/trades off by default
  EXPECT_EQ(p[0].name, "ticker");
  EXPECT_EQ(p[0].interval, Millis{2000});
  EXPECT_EQ(f->poll_target(0), "/api/v3.2/market_summary");
}

TEST(BtseFeed, AllChannelsGroupingVersionAndDerivedOssUrl) {
  auto f = started(config({}, {{"book_grouping", "2"}, {"api_version", "v3.3"}}, false));
  const auto s = f->streams();
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].url, "wss://ws.btse.com/ws/oss/spot");
  EXPECT_EQ(s[0].subscribe,
            std::vector<std::string>{R"({"op":"subscribe","args":["update:BTC-USD_2","update:ETH-USD_2",)"
                                     R"("snapshotL1:BTC-USD","snapshotL1:ETH-USD"]})"});
  const auto p = f->polls();
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[1].name, "candles");
  EXPECT_EQ(p[1].interval, Millis{15000});
  EXPECT_EQ(f->poll_target(1), "/api/v3.3/ohlcv?symbol=BTC-USD&resolution=1");
  EXPECT_EQ(f->poll_target(2), "/api/v3.3/ohlcv?symbol=ETH-USD&resolution=1");
}

TEST(BtseFeed, ResyncResubscribesTheOneTopicOnTheOssStream) {
  auto f = started(config());
  const ResyncAction a = f->resync(1);
  EXPECT_EQ(a.stream, 0);
  EXPECT_EQ(a.poll, -1);
  const std::vector<std::string> want = {R"({"op":"unsubscribe","args":["update:ETH-USD_0"]})",
                                         R"({"op":"subscribe","args":["update:ETH-USD_0"]})"};
  EXPECT_EQ(a.frames, want);
}

TEST(BtseFeed, AuditsTheStreamedBookAgainstRestL2) {
  auto f = started(config());
  EXPECT_EQ(f->audit_target(1), "/api/v3.2/orderbook/L2?symbol=ETH-USD&depth=20");
  EXPECT_EQ(f->audit_target(2), "");  // no such instrument
  ParseOut out;
  ASSERT_EQ(f->parse_audit(0, fixture("rest_orderbook_l2.json"), RecvTime{1, 1}, out), ParseStatus::ok) << out.error;
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(out.events[0].instrument, 0u);
  EXPECT_EQ(std::get<BookMsg>(out.events[0].body).type, BookMsg::Type::replace);
  EXPECT_EQ(out.levels.size(), 2u);
  // Without a streamed book (REST only, or no book channel) there is nothing to audit.
  EXPECT_EQ(started(config({}, {{"ws_enabled", "false"}}))->audit_target(0), "");
  EXPECT_EQ(started(config({"trades"}))->audit_target(0), "");
}

TEST(BtseFeed, TradesOnlyHasOneStreamAndNoBookResync) {
  auto f = started(config({"trades"}));
  const auto s = f->streams();
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].name, "trades");
  EXPECT_TRUE(f->polls().empty());
  const ResyncAction a = f->resync(0);
  EXPECT_EQ(a.stream, -1);
  EXPECT_EQ(a.poll, -1);
  EXPECT_TRUE(a.frames.empty());
}

TEST(BtseFeed, RestOnlyPlan) {
  auto f = started(config({}, {{"ws_enabled", "false"}, {"depth_limit", "50"}}));
  EXPECT_TRUE(f->streams().empty());
  const auto p = f->polls();
  ASSERT_EQ(p.size(), 7u);
  const std::vector<std::pair<std::string, int64_t>> want = {
      {"ticker", 2000}, {"candles", 15000}, {"candles", 15000}, {"depth", 1000},
      {"depth", 1000},  {"trades", 1000},   {"trades", 1000}};
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(p[i].name, want[i].first) << i;
    EXPECT_EQ(p[i].interval, Millis{want[i].second}) << i;
  }
  EXPECT_EQ(f->poll_target(3), "/api/v3.2/orderbook/L2?symbol=BTC-USD&depth=50");
  EXPECT_EQ(f->poll_target(6), "/api/v3.2/trades?symbol=ETH-USD&count=100");
  const ResyncAction a = f->resync(1);
  EXPECT_EQ(a.poll, 4);
  EXPECT_EQ(a.stream, -1);
}

TEST(BtseFeed, CandleIntervalOption) {
  auto f = started(config({"candles"}, {{"candle_interval", "4h"}}));
  EXPECT_EQ(f->poll_target(0), "/api/v3.2/ohlcv?symbol=BTC-USD&resolution=240");
  auto g = started(config({"candles"}, {{"candle_interval", "3m"}}));  // no such resolution
  EXPECT_EQ(g->poll_target(0), "/api/v3.2/ohlcv?symbol=BTC-USD&resolution=1");
}

TEST(BtseFeed, OhlcvStartFollowsTheNewestCandleInTheConfiguredUnit) {
  for (const auto& [unit, start] : {std::pair{"ms", "1624987380000"}, std::pair{"s", "1624987380"}}) {
    auto f = started(config({"candles"}, {{"ohlcv_time_unit", unit}}));
    ParseOut out;
    ASSERT_EQ(f->on_poll(0, fixture("rest_ohlcv.json"), kRecv, out), ParseStatus::ok);
    EXPECT_EQ(f->poll_target(0), std::string("/api/v3.2/ohlcv?symbol=BTC-USD&resolution=1&start=") + start);
    EXPECT_EQ(f->poll_target(1), "/api/v3.2/ohlcv?symbol=ETH-USD&resolution=1");
  }
}

TEST(BtseFeed, OhlcvRepeatedWindowsEmitOnlyLatestAndNewer) {
  auto f = started(config({"candles"}));
  const std::string body = "[[1624987440,2,2,2,2,1],[1624987380,1,1,1,1,1]]";
  ParseOut out;
  ASSERT_EQ(f->on_poll(0, body, kRecv, out), ParseStatus::ok);
  ASSERT_EQ(out.events.size(), 2u);
  EXPECT_EQ(std::get<CandleMsg>(out.events[0].body).open_time_us, 1624987380000000);
  out.clear();
  ASSERT_EQ(f->on_poll(0, body, kRecv, out), ParseStatus::ok);
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(std::get<CandleMsg>(out.events[0].body).open_time_us, 1624987440000000);
}

TEST(BtseFeed, TradesAreDedupedByIdAndEmittedInIdOrder) {
  auto f = started(config());
  ParseOut out;
  ASSERT_EQ(f->on_frame(1, fixture("ws_trade_bare_topic.json"), kRecv, out), ParseStatus::ok);
  ASSERT_EQ(out.events.size(), 3u);
  EXPECT_EQ(std::get<TradeMsg>(out.events[0].body).trade_id, 42);
  EXPECT_EQ(std::get<TradeMsg>(out.events[1].body).trade_id, 118974856);
  EXPECT_EQ(std::get<TradeMsg>(out.events[2].body).trade_id, 118974857);
  out.clear();
  // An older BTC-USD id (a replay after subscribing) is dropped.
  ASSERT_EQ(f->on_frame(1, fixture("ws_trade_history.json"), kRecv, out), ParseStatus::ok);
  EXPECT_TRUE(out.events.empty());
  // Ids are per instrument: ETH-USD's next id is new.
  const std::string eth =
      R"({"topic":"tradeHistoryApi:ETH-USD","data":[{"symbol":"ETH-USD","side":"SELL",)"
      R"("size":1,"price":3000,"tradeId":43,"timestamp":1584446020600}]})";
  ASSERT_EQ(f->on_frame(1, eth, kRecv, out), ParseStatus::ok);
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(std::get<TradeMsg>(out.events[0].body).side, -1);
}

TEST(BtseFeed, RestTradesShareTheDedup) {
  auto f = started(config({"trades"}, {{"trades_poll_ms", "1000"}}));
  ASSERT_EQ(f->polls().size(), 2u);
  ParseOut out;
  ASSERT_EQ(f->on_poll(0, fixture("rest_trades.json"), kRecv, out), ParseStatus::ok);
  ASSERT_EQ(out.events.size(), 1u);
  out.clear();
  ASSERT_EQ(f->on_poll(0, fixture("rest_trades.json"), kRecv, out), ParseStatus::ok);
  EXPECT_TRUE(out.events.empty());
}

TEST(BtseFeed, BookFramesPassThrough) {
  auto f = started(config());
  ParseOut out;
  ASSERT_EQ(f->on_frame(0, fixture("ws_update_snapshot.json"), kRecv, out), ParseStatus::ok);
  ASSERT_EQ(f->on_frame(0, fixture("ws_update_delta.json"), kRecv, out), ParseStatus::ok);
  ASSERT_EQ(out.events.size(), 2u);
  EXPECT_EQ(std::get<BookMsg>(out.events[1].body).prev_seq, std::get<BookMsg>(out.events[0].body).seq);
  EXPECT_EQ(out.levels.size(), 6u);
}

TEST(BtseFeed, ErrorFramesAndBadPollIndex) {
  auto f = started(config());
  ParseOut out;
  EXPECT_EQ(f->on_frame(0, fixture("ws_error.json"), kRecv, out), ParseStatus::ignored);
  EXPECT_EQ(out.subscription_error,
            "btse error 1000 (update:BTCC-USD_0): Market pair provided is currently not supported.");
  out.clear();
  EXPECT_EQ(f->on_frame(0, fixture("ws_error_no_arg.json"), kRecv, out), ParseStatus::error);
  EXPECT_EQ(out.error, "btse error 1007: User message buffer is full.");
  EXPECT_EQ(f->on_frame(0, "pong", kRecv, out), ParseStatus::ignored);
  EXPECT_EQ(f->on_poll(42, "[]", kRecv, out), ParseStatus::error);
}

}  // namespace
}  // namespace mdhub::btse
