#include <gtest/gtest.h>

#include "feeds/narkasa/dedup.hpp"
#include "feeds/narkasa/narkasa.hpp"
#include "tests/narkasa/fixtures.hpp"

namespace mdhub::narkasa {
namespace {

using test::dec;
using test::fixture;
using test::kRecv;

VenueConfig config(std::vector<std::string> channels = {},
                   std::map<std::string, std::string> options = {}) {
  VenueConfig c;
  c.id = "narkasa";
  c.rest_base = "https://api.narkasa.com/v3/api";
  c.ws_url = "wss://api.narkasa.com/v3";
  c.channels = std::move(channels);
  c.options = std::move(options);
  return c;
}

std::unique_ptr<VenueFeed> started(const VenueConfig& c) {
  auto f = narkasa::make_feed(c);
  f->start(test::table());
  return f;
}

TEST(NarkasaFeed, Discovery) {
  auto f = narkasa::make_feed(config());
  EXPECT_EQ(f->venue(), "narkasa");
  EXPECT_EQ(f->discovery_target(), "/market/markets");
  std::vector<Instrument> v;
  std::string err;
  ASSERT_EQ(f->parse_discovery(fixture("rest_markets_two.json"), v, err), ParseStatus::ok);
  EXPECT_EQ(v.size(), 3u);
}

TEST(NarkasaFeed, SubscribeFramesOnePerInstrumentAndChannel) {
  auto f = started(config({"book", "trades", "ticker"}));
  const auto s = f->streams();
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].name, "market");
  EXPECT_EQ(s[0].url, "wss://api.narkasa.com/v3");
  EXPECT_EQ(s[0].ping_text, R"({"data":"ping"})");
  EXPECT_EQ(s[0].ping_interval, Millis{5000});
  EXPECT_EQ(s[0].idle_timeout, Millis{60000});
  const std::vector<std::string> want = {
      R"({"method":"SUBSCRIBE","params":[{"type":"depth","symbol":"BTCTRY"}]})",
      R"({"method":"SUBSCRIBE","params":[{"type":"depth","symbol":"ETHTRY"}]})",
      R"({"method":"SUBSCRIBE","params":[{"type":"trade","symbol":"BTCTRY"}]})",
      R"({"method":"SUBSCRIBE","params":[{"type":"trade","symbol":"ETHTRY"}]})",
      R"({"method":"SUBSCRIBE","params":[{"type":"ticker","symbol":"BTCTRY"}]})",
      R"({"method":"SUBSCRIBE","params":[{"type":"ticker","symbol":"ETHTRY"}]})",
  };
  EXPECT_EQ(s[0].subscribe, want);
}

TEST(NarkasaFeed, BatchedSubscribeWithAllTickersAndCandleInterval) {
  auto f = started(config({}, {{"subscribe_batch", "true"},
                               {"all_tickers", "true"},
                               {"candle_interval", "h1"},
                               {"ping_interval_ms", "7000"},
                               {"idle_timeout_ms", "30000"}}));
  const auto s = f->streams();
  ASSERT_EQ(s.size(), 1u);
  ASSERT_EQ(s[0].subscribe.size(), 1u);
  EXPECT_EQ(s[0].subscribe[0],
            R"({"method":"SUBSCRIBE","params":[{"type":"allTickers"},)"
            R"({"type":"depth","symbol":"BTCTRY"},{"type":"depth","symbol":"ETHTRY"},)"
            R"({"type":"orderBook","symbol":"BTCTRY"},{"type":"orderBook","symbol":"ETHTRY"},)"
            R"({"type":"trade","symbol":"BTCTRY"},{"type":"trade","symbol":"ETHTRY"},)"
            R"({"type":"candles","symbol":"BTCTRY","interval":"h1"},)"
            R"({"type":"candles","symbol":"ETHTRY","interval":"h1"}]})");
  EXPECT_EQ(s[0].ping_interval, Millis{7000});
  EXPECT_EQ(s[0].idle_timeout, Millis{30000});
}

TEST(NarkasaFeed, WebsocketPlanPollsOnlyDepthForResync) {
  auto f = started(config({"book", "bbo", "trades", "ticker", "candles"}));
  const auto p = f->polls();
  ASSERT_EQ(p.size(), 2u);
  for (const auto& plan : p) {
    EXPECT_EQ(plan.name, "depth");
    EXPECT_EQ(plan.interval, Millis{0});  // not scheduled: resync only
  }
  EXPECT_EQ(f->poll_target(0), "/market/depth?symbol=BTCTRY");
  EXPECT_EQ(f->poll_target(1), "/market/depth?symbol=ETHTRY");
  const ResyncAction a = f->resync(1);
  EXPECT_EQ(a.poll, 1);
  EXPECT_EQ(a.stream, -1);
  EXPECT_TRUE(a.frames.empty());
}

TEST(NarkasaFeed, AuditsTheDepthStreamAgainstRestDepth) {
  auto f = started(config({"book", "trades"}));
  EXPECT_EQ(f->audit_target(1), "/market/depth?symbol=ETHTRY");
  EXPECT_EQ(f->audit_target(2), "");
  // Without the websocket the book is the REST depth itself; without the book channel there is none.
  EXPECT_EQ(started(config({}, {{"ws_enabled", "false"}}))->audit_target(0), "");
  EXPECT_EQ(started(config({"trades"}))->audit_target(0), "");
}

TEST(NarkasaFeed, RestOnlyPlan) {
  auto f = started(config({}, {{"ws_enabled", "false"}}));
  EXPECT_TRUE(f->streams().empty());
  const auto p = f->polls();
  ASSERT_EQ(p.size(), 9u);
  const std::vector<std::pair<std::string, int64_t>> want = {
      {"depth", 1000},  {"depth", 1000}, {"trades", 1000}, {"trades", 1000}, {"ticker", 2000},
      {"bbo", 2000},    {"bbo", 2000},   {"candles", 15000}, {"candles", 15000}};
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(p[i].name, want[i].first) << i;
    EXPECT_EQ(p[i].interval, Millis{want[i].second}) << i;
  }
  EXPECT_EQ(f->poll_target(0), "/market/depth?symbol=BTCTRY");
  EXPECT_EQ(f->poll_target(3), "/market/trades?symbol=ETHTRY");
  EXPECT_EQ(f->poll_target(4), "/market/markets");
  EXPECT_EQ(f->poll_target(5), "/market/orderbook?symbol=BTCTRY");
  EXPECT_EQ(f->poll_target(8), "/market/candles?symbol=ETHTRY&interval=m1");
  EXPECT_EQ(f->resync(0).poll, 0);
}

TEST(NarkasaFeed, PollIntervalOptionsAndDisabledChannels) {
  auto f = started(config({"ticker", "candles"}, {{"ticker_poll_ms", "500"}}));
  const auto p = f->polls();
  ASSERT_EQ(p.size(), 1u);  // no book channel: no depth polls; candles via websocket
  EXPECT_EQ(p[0].name, "ticker");
  EXPECT_EQ(p[0].interval, Millis{500});
  EXPECT_EQ(f->resync(0).poll, -1);
  const auto s = f->streams();
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].subscribe.size(), 4u);
}

TEST(NarkasaFeed, NoStreamWithoutWebsocketChannels) {
  auto f = started(config({"book"}, {{"ws_enabled", "false"}}));
  EXPECT_TRUE(f->streams().empty());
}

TEST(NarkasaFeed, PartialOrderBookKeepsTheOtherSide) {
  auto f = started(config());
  ParseOut out;
  ASSERT_EQ(f->on_frame(0, fixture("ws_orderbook.json"), kRecv, out), ParseStatus::ok);
  ASSERT_EQ(f->on_frame(0, fixture("ws_orderbook_bid_only.json"), kRecv, out), ParseStatus::ok);
  ASSERT_EQ(f->on_frame(0, fixture("ws_orderbook_ask_only.json"), kRecv, out), ParseStatus::ok);
  ASSERT_EQ(out.events.size(), 3u);
  const auto& b1 = std::get<BboMsg>(out.events[1].body);
  EXPECT_EQ(dec(b1.bid), "54499.5");
  EXPECT_EQ(dec(b1.bid_qty), "0.25");
  EXPECT_EQ(dec(b1.ask), "54501");  // kept from the first push
  EXPECT_EQ(dec(b1.ask_qty), "0.001");
  const auto& b2 = std::get<BboMsg>(out.events[2].body);
  EXPECT_EQ(dec(b2.bid), "54499.5");  // kept from the second push
  EXPECT_EQ(dec(b2.bid_qty), "0.25");
  EXPECT_EQ(dec(b2.ask), "54502");
  EXPECT_EQ(dec(b2.ask_qty), "1.5");
}

TEST(NarkasaFeed, PartialOrderBookWithoutHistoryLeavesSideNone) {
  auto f = started(config());
  ParseOut out;
  ASSERT_EQ(f->on_frame(0, fixture("ws_orderbook_ask_only.json"), kRecv, out), ParseStatus::ok);
  const auto& b = std::get<BboMsg>(out.events.at(0).body);
  EXPECT_EQ(b.bid, kNone);
  EXPECT_EQ(b.bid_qty, kNone);
  EXPECT_EQ(dec(b.ask), "54502");
}

TEST(NarkasaFeed, DepthModeDeltaOption) {
  auto f = started(config({}, {{"depth_mode", "delta"}}));
  ParseOut out;
  ASSERT_EQ(f->on_frame(0, fixture("ws_depth_delta.json"), kRecv, out), ParseStatus::ok);
  const auto& b = std::get<BookMsg>(out.events.at(0).body);
  EXPECT_EQ(b.type, BookMsg::Type::delta);
  EXPECT_EQ(b.seq, 0u);
  EXPECT_EQ(b.level_count, 4u);
  EXPECT_EQ(out.levels[0].qty, 0);
}

TEST(NarkasaFeed, DepthModeDefaultsToSidesAndSnapshotIsSelectable) {
  ParseOut out;
  auto sides = started(config({}, {}));
  ASSERT_EQ(sides->on_frame(0, fixture("ws_depth_asks_only.json"), kRecv, out), ParseStatus::ok);
  EXPECT_FALSE(std::get<BookMsg>(out.events.at(0).body).has_bids);
  out.clear();
  auto whole = started(config({}, {{"depth_mode", "snapshot"}}));
  ASSERT_EQ(whole->on_frame(0, fixture("ws_depth_asks_only.json"), kRecv, out), ParseStatus::ok);
  EXPECT_TRUE(std::get<BookMsg>(out.events.at(0).body).has_bids);
}

TEST(NarkasaFeed, TradeTypeOption) {
  auto f = started(config({}, {{"trade_type_0_is_sell", "false"}}));
  ParseOut out;
  ASSERT_EQ(f->on_frame(0, fixture("ws_trade.json"), kRecv, out), ParseStatus::ok);
  EXPECT_EQ(std::get<TradeMsg>(out.events.at(0).body).side, -1);
}

TEST(NarkasaFeed, RestTradesOverlappingWindowsEmitEachTradeOnce) {
  auto f = started(config({"trades"}, {{"trades_poll_ms", "1000"}}));
  ASSERT_EQ(f->polls().size(), 2u);
  ASSERT_EQ(f->poll_target(0), "/market/trades?symbol=BTCTRY");
  ParseOut out;
  ASSERT_EQ(f->on_poll(0, fixture("rest_trades_window1.json"), kRecv, out), ParseStatus::ok);
  ASSERT_EQ(out.events.size(), 3u);
  // Emitted oldest first although the venue lists newest first.
  EXPECT_EQ(out.events[0].ts_exchange_us, 1577891201000000);
  EXPECT_EQ(out.events[1].ts_exchange_us, 1577891201415000);
  EXPECT_EQ(out.events[2].ts_exchange_us, 1577891202000000);
  out.clear();
  ASSERT_EQ(f->on_poll(0, fixture("rest_trades_window2.json"), kRecv, out), ParseStatus::ok);
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(out.events[0].ts_exchange_us, 1577891203000000);
  EXPECT_EQ(dec(std::get<TradeMsg>(out.events[0].body).price), "47005");
  // Polling the same window again emits nothing.
  out.clear();
  ASSERT_EQ(f->on_poll(0, fixture("rest_trades_window2.json"), kRecv, out), ParseStatus::ok);
  EXPECT_TRUE(out.events.empty());
  // The same trade pushed over the websocket is not emitted again either.
  const std::string ws = R"({"type":"trade","symbol":"BTCTRY","amount":0.5,"price":47005,)"
                         R"("tradeType":1,"time":1577891203000})";
  ASSERT_EQ(f->on_frame(0, ws, kRecv, out), ParseStatus::ok);
  EXPECT_TRUE(out.events.empty());
}

TEST(NarkasaFeed, RepeatedWebsocketTradeIsDropped) {
  auto f = started(config());
  ParseOut out;
  ASSERT_EQ(f->on_frame(0, fixture("ws_trade.json"), kRecv, out), ParseStatus::ok);
  ASSERT_EQ(f->on_frame(0, fixture("ws_trade.json"), kRecv, out), ParseStatus::ok);
  EXPECT_EQ(out.events.size(), 1u);
}

TEST(NarkasaFeed, RestCandlesOnlyLatestAndNewerAreEmitted) {
  auto f = started(config({"candles"}, {{"candles_poll_ms", "15000"}}));
  ASSERT_EQ(f->polls().size(), 2u);
  const std::string body =
      R"({"code":"00000","candles":[)"
      R"({"open":2,"high":3,"low":1,"close":2,"volume":5,"openTime":1577738820000},)"
      R"({"open":1,"high":2,"low":1,"close":2,"volume":4,"openTime":1577738760000}]})";
  ParseOut out;
  ASSERT_EQ(f->on_poll(0, body, kRecv, out), ParseStatus::ok);
  ASSERT_EQ(out.events.size(), 2u);
  EXPECT_EQ(std::get<CandleMsg>(out.events[0].body).open_time_us, 1577738760000000);
  EXPECT_EQ(std::get<CandleMsg>(out.events[1].body).open_time_us, 1577738820000000);
  out.clear();
  ASSERT_EQ(f->on_poll(0, body, kRecv, out), ParseStatus::ok);
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(std::get<CandleMsg>(out.events[0].body).open_time_us, 1577738820000000);
}

TEST(NarkasaFeed, ResyncPollParsesRestDepth) {
  auto f = started(config());
  ParseOut out;
  const int poll = f->resync(0).poll;
  ASSERT_EQ(poll, 0);
  ASSERT_EQ(f->on_poll(static_cast<size_t>(poll), fixture("rest_depth.json"), kRecv, out),
            ParseStatus::ok);
  const auto& b = std::get<BookMsg>(out.events.at(0).body);
  EXPECT_EQ(b.type, BookMsg::Type::replace);
  EXPECT_EQ(out.events[0].instrument, 0u);
  EXPECT_EQ(b.level_count, 3u);
}

TEST(NarkasaFeed, ErrorsAreReported) {
  auto f = started(config());
  ParseOut out;
  EXPECT_EQ(f->on_frame(0, fixture("ws_trade_truncated.json"), kRecv, out), ParseStatus::error);
  EXPECT_FALSE(out.error.empty());
  EXPECT_EQ(f->on_poll(99, "{}", kRecv, out), ParseStatus::error);
}

TEST(NarkasaDedup, BoundedMemoryTreatsOlderTradesAsSeen) {
  RecentTrades r;
  for (int64_t i = 0; i < static_cast<int64_t>(RecentTrades::kCapacity); ++i)
    ASSERT_TRUE(r.admit(1000 + i, 5, 1, 1));
  EXPECT_FALSE(r.admit(1000, 5, 1, 1));   // remembered
  EXPECT_TRUE(r.admit(2000, 5, 1, 1));    // new; evicts the oldest (time 1000)
  EXPECT_FALSE(r.admit(1000, 5, 1, 1));   // older than everything remembered
  EXPECT_FALSE(r.admit(999, 6, 1, 1));
  EXPECT_TRUE(r.admit(1001, 6, 1, 1));    // inside the window, different key
  EXPECT_TRUE(r.admit(2000, 5, 1, -1));   // same time/price/amount, other side
}

}  // namespace
}  // namespace mdhub::narkasa
