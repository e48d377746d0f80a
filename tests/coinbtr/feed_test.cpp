#include <gtest/gtest.h>

#include "feeds/coinbtr/coinbtr.hpp"
#include "feeds/coinbtr/dedup.hpp"
#include "feeds/coinbtr/feed.hpp"
#include "fixture.hpp"

namespace mdhub::coinbtr {
namespace {

using test::fixture;
using test::kRecv;
using test::px;

VenueConfig config(std::vector<std::string> channels = {}) {
  VenueConfig c;
  c.id = "coinbtr";
  c.rest_base = "https://api.tauros.io/api";
  c.ws_url = "wss://wsv2.tauros.io";
  c.channels = std::move(channels);
  return c;
}

std::vector<const TradeMsg*> trades(const ParseOut& out) {
  std::vector<const TradeMsg*> v;
  for (const auto& e : out.events)
    if (e.kind == EventKind::trade) v.push_back(&std::get<TradeMsg>(e.body));
  return v;
}

TEST(CoinbtrFeed, RegistryFactoryAndDiscovery) {
  auto feed = coinbtr::make_feed(config());
  ASSERT_NE(feed, nullptr);
  EXPECT_EQ(feed->venue(), "coinbtr");
  EXPECT_EQ(feed->discovery_target(), "/v2/trading/markets/");
  std::vector<Instrument> v;
  std::string err;
  ASSERT_EQ(feed->parse_discovery(fixture("rest_markets_mixed.json"), v, err), ParseStatus::ok);
  EXPECT_EQ(v.size(), 3u);
}

TEST(CoinbtrFeed, PagedMarketListingFollowsNextByItsQuery) {
  CoinbtrFeed feed(config());
  std::vector<Instrument> v;
  std::string err;
  ASSERT_EQ(feed.parse_discovery(fixture("rest_markets_page1.json"), v, err), ParseStatus::ok) << err;
  // The venue's public host in `next` is not followed: its query goes to our rest_base.
  EXPECT_EQ(feed.discovery_next(), "/v2/trading/markets/?limit=1&offset=1");
  ASSERT_EQ(feed.parse_discovery(fixture("rest_markets_page2.json"), v, err), ParseStatus::ok) << err;
  EXPECT_EQ(feed.discovery_next(), "");
  EXPECT_EQ(v.size(), 2u);
  // A `next` without a query, or with characters a request target cannot carry, is an error
  // that adds nothing.
  for (const char* next : {"https://api.tauros.io/api/v2/trading/markets/", "https://x/?offset=1 2",
                           "https://x/?offset=1#top"}) {
    const std::string body = std::string(R"({"success":true,"next":")") + next +
                             R"(","payload":[{"name":"LTC-MXN","is_open":true}]})";
    EXPECT_EQ(feed.parse_discovery(body, v, err), ParseStatus::error) << next;
    EXPECT_EQ(err.rfind("markets: next page without a usable query: ", 0), 0u) << err;
    EXPECT_EQ(feed.discovery_next(), "");
    EXPECT_EQ(v.size(), 2u);
  }
}

TEST(CoinbtrFeed, SubscribeFramesPerMarketAndChannel) {
  const InstrumentTable tab = test::table();
  CoinbtrFeed feed(config({"book", "trades"}));
  feed.start(tab);
  const auto s = feed.streams();
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].url, "wss://wsv2.tauros.io");
  EXPECT_EQ(s[0].ping_text, "");
  EXPECT_EQ(s[0].idle_timeout, Millis(60000));
  const std::vector<std::string> want = {
      R"({"action":"subscribe","market":"BTC-MXN","channel":"orderbook"})",
      R"({"action":"subscribe","market":"BTC-MXN","channel":"trades"})",
      R"({"action":"subscribe","market":"ETH-MXN","channel":"orderbook"})",
      R"({"action":"subscribe","market":"ETH-MXN","channel":"trades"})",
  };
  EXPECT_EQ(s[0].subscribe, want);

  CoinbtrFeed all(config());
  all.start(tab);
  const auto s2 = all.streams();
  ASSERT_EQ(s2.size(), 1u);
  ASSERT_EQ(s2[0].subscribe.size(), 6u);
  EXPECT_EQ(s2[0].subscribe[1], R"({"action":"subscribe","market":"BTC-MXN","channel":"ticker"})");

  CoinbtrFeed bbo_only(config({"bbo"}));
  bbo_only.start(tab);
  ASSERT_EQ(bbo_only.streams().at(0).subscribe.size(), 2u);
  EXPECT_EQ(bbo_only.streams()[0].subscribe[0], R"({"action":"subscribe","market":"BTC-MXN","channel":"orderbook"})");
}

TEST(CoinbtrFeed, PollLayoutTargetsAndResync) {
  const InstrumentTable tab = test::table();
  CoinbtrFeed feed(config());
  feed.start(tab);
  const auto p = feed.polls();
  ASSERT_EQ(p.size(), 5u);
  EXPECT_EQ(p[0].name, "tickers");
  EXPECT_EQ(p[0].interval, Millis(5000));
  EXPECT_EQ(p[1].name, "orderbook");
  EXPECT_EQ(p[1].interval, Millis(0));  // on demand only while the websocket runs
  EXPECT_EQ(p[3].name, "trades");
  EXPECT_EQ(p[3].interval, Millis(0));
  EXPECT_EQ(feed.poll_target(0), "/v2/trading/tickers/");
  EXPECT_EQ(feed.poll_target(1), "/v2/trading/btc-mxn/orderbook/");
  EXPECT_EQ(feed.poll_target(2), "/v2/trading/eth-mxn/orderbook/");
  EXPECT_EQ(feed.poll_target(3), "/v2/trading/btc-mxn/trades/");
  EXPECT_EQ(feed.poll_target(4), "/v2/trading/eth-mxn/trades/");
  const ResyncAction r = feed.resync(1);
  EXPECT_EQ(r.poll, 2);
  EXPECT_EQ(r.stream, -1);
  EXPECT_TRUE(r.frames.empty());
}

TEST(CoinbtrFeed, RestOnlyWithoutWebsocket) {
  const InstrumentTable tab = test::table();
  VenueConfig c = config({"book", "trades"});
  c.ws_url.clear();
  c.options["book_poll_ms"] = "750";
  CoinbtrFeed feed(c);
  feed.start(tab);
  EXPECT_TRUE(feed.streams().empty());
  const auto p = feed.polls();
  EXPECT_EQ(p[0].interval, Millis(0));  // ticker channel off
  EXPECT_EQ(p[1].interval, Millis(750));
  EXPECT_EQ(p[3].interval, Millis(2000));
}

TEST(CoinbtrFeed, OverlappingTradeWindowsEmitEachTradeOnce) {
  const InstrumentTable tab = test::table();
  CoinbtrFeed feed(config());
  feed.start(tab);
  ParseOut out;
  ASSERT_EQ(feed.on_frame(0, fixture("ws_trades_window1.json"), kRecv, out), ParseStatus::ok);
  auto t = trades(out);
  ASSERT_EQ(t.size(), 3u);  // two equal fills in one window are two trades
  EXPECT_EQ(out.events[0].ts_exchange_us, 1553747925100000);  // time order
  EXPECT_EQ(px(t[0]->price), "74490");
  EXPECT_EQ(t[0]->side, -1);
  EXPECT_EQ(px(t[1]->price), "74500");
  EXPECT_EQ(px(t[2]->price), "74500");

  out.clear();
  ASSERT_EQ(feed.on_frame(0, fixture("ws_trades_window2.json"), kRecv, out), ParseStatus::ok);
  t = trades(out);
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(px(t[0]->price), "74510");
  EXPECT_EQ(out.events[0].ts_exchange_us, 1553747925900000);
  EXPECT_EQ(px(t[1]->price), "74520");
  EXPECT_EQ(out.events[1].ts_exchange_us, 1553747926001000);

  out.clear();
  ASSERT_EQ(feed.on_frame(0, fixture("ws_trades_window2.json"), kRecv, out), ParseStatus::ok);
  EXPECT_TRUE(out.events.empty());
}

TEST(CoinbtrFeed, FillsOfOneMillisecondKeepTheirOrder) {
  const InstrumentTable tab = test::table();
  CoinbtrFeed feed(config());
  feed.start(tab);
  const auto prices = [](const ParseOut& o) {
    std::vector<std::string> v;
    for (const TradeMsg* t : trades(o)) v.push_back(px(t->price));
    return v;
  };
  // Newest first, as the venue's "last ten" window: a taker swept 100, 101, 102 in one ms.
  ParseOut out;
  const char* sweep = R"({"channel":"trades","type":"BTC-MXN","data":[
    {"a":"1","p":"102","s":1,"t":2000},{"a":"1","p":"101","s":1,"t":2000},
    {"a":"1","p":"100","s":1,"t":2000},{"a":"1","p":"99","s":0,"t":1000}]})";
  ASSERT_EQ(feed.on_frame(0, sweep, kRecv, out), ParseStatus::ok);
  EXPECT_EQ(prices(out), (std::vector<std::string>{"99", "100", "101", "102"}));
  // A window inside one millisecond cannot show its order: it follows the last one seen.
  out.clear();
  const char* one_ms = R"({"channel":"trades","type":"BTC-MXN","data":[
    {"a":"2","p":"90","s":0,"t":3000},{"a":"2","p":"91","s":0,"t":3000}]})";
  ASSERT_EQ(feed.on_frame(0, one_ms, kRecv, out), ParseStatus::ok);
  EXPECT_EQ(prices(out), (std::vector<std::string>{"91", "90"}));
  // Trades embedded in a ticker frame are a window too.
  out.clear();
  const char* ticker = R"({"channel":"ticker","market":"ETH-MXN","last":"7","trades":[
    {"amount":"1","price":"7","side":"BUY","timestamp":5000.5},
    {"amount":"1","price":"6","side":"BUY","timestamp":5000.25},
    {"amount":"1","price":"5","side":"SELL","timestamp":4000}]})";
  ASSERT_EQ(feed.on_frame(0, ticker, kRecv, out), ParseStatus::ok);
  ASSERT_EQ(out.events[0].kind, EventKind::ticker);
  EXPECT_EQ(prices(out), (std::vector<std::string>{"5", "6", "7"}));
  // A venue that lists oldest first is followed, also inside one millisecond.
  CoinbtrFeed asc(config());
  asc.start(tab);
  out.clear();
  const char* oldest_first = R"({"channel":"trades","type":"BTC-MXN","data":[
    {"a":"1","p":"99","s":0,"t":1000},{"a":"1","p":"100","s":1,"t":2000},{"a":"1","p":"101","s":1,"t":2000}]})";
  ASSERT_EQ(asc.on_frame(0, oldest_first, kRecv, out), ParseStatus::ok);
  EXPECT_EQ(prices(out), (std::vector<std::string>{"99", "100", "101"}));
  out.clear();
  ASSERT_EQ(asc.on_frame(0, one_ms, kRecv, out), ParseStatus::ok);
  EXPECT_EQ(prices(out), (std::vector<std::string>{"90", "91"}));
}

TEST(CoinbtrFeed, RestFillsOfOneInstantFollowTheirIds) {
  const InstrumentTable tab = test::table();
  CoinbtrFeed feed(config());
  feed.start(tab);
  ParseOut out;
  const char* page = R"({"success":true,"msg":null,"payload":[
    {"amount":"1","price":"12","created_at":"2021-08-24T12:42:03.347801-05:00","id":12,"side":"BUY"},
    {"amount":"1","price":"10","created_at":"2021-08-24T12:42:03.347801-05:00","id":10,"side":"BUY"},
    {"amount":"1","price":"11","created_at":"2021-08-24T12:42:03.347801-05:00","id":11,"side":"BUY"},
    {"amount":"1","price":"9","created_at":"2021-08-24T12:42:02-05:00","id":13,"side":"SELL"}]})";
  ASSERT_EQ(feed.on_poll(feed.trades_poll(0), page, kRecv, out), ParseStatus::ok);
  std::vector<int64_t> ids;
  for (const TradeMsg* t : trades(out)) ids.push_back(t->trade_id);
  EXPECT_EQ(ids, (std::vector<int64_t>{13, 10, 11, 12}));  // time first, then id
}

TEST(CoinbtrFeed, TickerTradesDedupWithTradesChannel) {
  const InstrumentTable tab = test::table();
  CoinbtrFeed feed(config());
  feed.start(tab);
  ParseOut out;
  ASSERT_EQ(feed.on_frame(0, fixture("ws_ticker.json"), kRecv, out), ParseStatus::ok);
  ASSERT_EQ(out.events.size(), 2u);
  out.clear();
  const char* same =
      R"({"channel":"trades","type":"BTC-MXN","data":[{"a":"0.00009995","v":"100","p":"1000500.00","s":1,"t":1614883000932}]})";
  ASSERT_EQ(feed.on_frame(0, same, kRecv, out), ParseStatus::ok);
  EXPECT_TRUE(out.events.empty());

  // Without the trades channel the ticker's trades are not published at all.
  CoinbtrFeed no_trades(config({"ticker"}));
  no_trades.start(tab);
  ASSERT_EQ(no_trades.on_frame(0, fixture("ws_ticker.json"), kRecv, out), ParseStatus::ok);
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(out.events[0].kind, EventKind::ticker);
}

TEST(CoinbtrFeed, RestTradesPollDedup) {
  const InstrumentTable tab = test::table();
  CoinbtrFeed feed(config());
  feed.start(tab);
  ParseOut out;
  ASSERT_EQ(feed.on_poll(feed.trades_poll(0), fixture("rest_trades.json"), kRecv, out), ParseStatus::ok);
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(std::get<TradeMsg>(out.events[0].body).trade_id, 871104);
  out.clear();
  ASSERT_EQ(feed.on_poll(feed.trades_poll(0), fixture("rest_trades.json"), kRecv, out), ParseStatus::ok);
  EXPECT_TRUE(out.events.empty());
  // The same trade on the other market is a different trade.
  ASSERT_EQ(feed.on_poll(feed.trades_poll(1), fixture("rest_trades.json"), kRecv, out), ParseStatus::ok);
  EXPECT_EQ(out.events.size(), 1u);
}

TEST(CoinbtrFeed, PollsDispatchAndOptions) {
  const InstrumentTable tab = test::table();
  VenueConfig c = config();
  c.options["variation_unit"] = "ratio";
  c.options["rest_book_levels"] = "1";
  CoinbtrFeed feed(c);
  feed.start(tab);
  ParseOut out;
  ASSERT_EQ(feed.on_poll(0, fixture("rest_tickers.json"), kRecv, out), ParseStatus::ok);
  ASSERT_EQ(out.events.size(), 1u);
  out.clear();
  ASSERT_EQ(feed.on_poll(feed.book_poll(0), fixture("rest_orderbook_same_price.json"), kRecv, out),
            ParseStatus::ok);
  // book and bbo channels are both on: the capped book, then the BBO from its top.
  ASSERT_EQ(out.events.size(), 2u);
  EXPECT_EQ(std::get<BookMsg>(out.events[0].body).level_count, 2u);
  EXPECT_EQ(out.events[1].kind, EventKind::bbo);
  EXPECT_EQ(test::px(std::get<BboMsg>(out.events[1].body).bid), "985000.01");
  out.clear();
  ASSERT_EQ(feed.on_frame(0, fixture("ws_ticker.json"), kRecv, out), ParseStatus::ok);
  EXPECT_EQ(format_decimal(std::get<TickerMsg>(out.events[0].body).change_pct, kPctScale), "10.0049975");
  out.clear();
  EXPECT_EQ(feed.on_poll(99, "{}", kRecv, out), ParseStatus::error);
}

// The levels of the book a poll or frame produced, as text.
std::vector<std::string> book_levels(const ParseOut& out) {
  std::vector<std::string> v;
  for (const auto& lv : out.levels) v.push_back((lv.side == Side::bid ? "bid " : "ask ") + px(lv.price) + " " + px(lv.qty));
  return v;
}

TEST(CoinbtrFeed, RestBookFollowsTheWindowThePushesShow) {
  const InstrumentTable tab = test::table();
  CoinbtrFeed feed(config({"book"}));
  feed.start(tab);
  auto frame = [&](const char* name) {
    ParseOut out;
    EXPECT_EQ(feed.on_frame(0, fixture(name), kRecv, out), ParseStatus::ok) << out.error;
    return book_levels(out);
  };
  auto rest = [&] {
    ParseOut out;
    EXPECT_EQ(feed.on_poll(feed.book_poll(0), fixture("rest_orderbook_orders.json"), kRecv, out), ParseStatus::ok)
        << out.error;
    return book_levels(out);
  };
  // The documented window (top ten orders) until a push shows otherwise: a resync between
  // two pushes of an unchanged book changes nothing.
  EXPECT_TRUE(feed.orders_window());
  EXPECT_EQ(rest(), frame("ws_orderbook_top_orders.json"));
  EXPECT_EQ(rest().size(), 14u);
  const auto levels = frame("ws_orderbook_top_levels.json");
  EXPECT_FALSE(feed.orders_window());
  EXPECT_EQ(rest(), levels);
  EXPECT_EQ(levels.size(), 20u);
  frame("ws_orderbook_same_price.json");  // tells neither: the window stays
  EXPECT_FALSE(feed.orders_window());
  frame("ws_orderbook_top_orders.json");
  EXPECT_TRUE(feed.orders_window());
}

TEST(CoinbtrFeed, AuditSnapshotIsTheRestBookCutToThePushesWindow) {
  const InstrumentTable tab = test::table();
  CoinbtrFeed feed(config({"book"}));
  EXPECT_EQ(feed.audit_target(0), "");  // not started
  feed.start(tab);
  EXPECT_EQ(feed.audit_target(1), "/v2/trading/eth-mxn/orderbook/");
  EXPECT_EQ(feed.audit_target(2), "");
  ParseOut pushed, audit;
  ASSERT_EQ(feed.on_frame(0, fixture("ws_orderbook_top_orders.json"), kRecv, pushed), ParseStatus::ok);
  ASSERT_EQ(feed.parse_audit(0, fixture("rest_orderbook_orders.json"), kRecv, audit), ParseStatus::ok) << audit.error;
  EXPECT_EQ(book_levels(audit), book_levels(pushed));
  // Both end at the tenth order, so the audit is told where neither can speak.
  const auto top_orders = [](const ParseOut& o) {
    for (const Event& e : o.events)
      if (e.kind == EventKind::book) return std::get<BookMsg>(e.body).top_orders;
    ADD_FAILURE() << "no book";
    return false;
  };
  EXPECT_TRUE(top_orders(audit));
  ASSERT_EQ(feed.on_frame(0, fixture("ws_orderbook_top_levels.json"), kRecv, pushed), ParseStatus::ok);
  audit = ParseOut{};
  ASSERT_EQ(feed.parse_audit(0, fixture("rest_orderbook_orders.json"), kRecv, audit), ParseStatus::ok) << audit.error;
  EXPECT_FALSE(top_orders(audit));  // whole levels: only a cut at ten levels bounds the audit
  VenueConfig rest_only = config({"book"});
  rest_only.ws_url.clear();
  CoinbtrFeed polled(rest_only);
  polled.start(tab);
  EXPECT_EQ(polled.audit_target(0), "");  // the REST book is the book itself
}

TEST(CoinbtrFeed, FixedBookWindowIgnoresThePushes) {
  const InstrumentTable tab = test::table();
  VenueConfig c = config({"book"});
  c.options["book_window"] = "levels";
  CoinbtrFeed feed(c);
  feed.start(tab);
  EXPECT_FALSE(feed.orders_window());
  ParseOut out;
  ASSERT_EQ(feed.on_frame(0, fixture("ws_orderbook_top_orders.json"), kRecv, out), ParseStatus::ok);
  EXPECT_EQ(out.detected, (std::vector<std::string_view>{"book_top_orders"}));  // still counted
  EXPECT_FALSE(feed.orders_window());
  out.clear();
  ASSERT_EQ(feed.on_poll(feed.book_poll(0), fixture("rest_orderbook_orders.json"), kRecv, out), ParseStatus::ok);
  EXPECT_EQ(out.levels.size(), 20u);
}

TEST(CoinbtrFeed, VariationIsReadAsAPercentByDefault) {
  const InstrumentTable tab = test::table();
  CoinbtrFeed feed(config({"ticker"}));
  feed.start(tab);
  ParseOut out;
  ASSERT_EQ(feed.on_frame(0, fixture("ws_ticker.json"), kRecv, out), ParseStatus::ok) << out.error;
  ASSERT_EQ(out.events.size(), 1u);
  // "variation": 0.10004997501249376 is 0.1 %, at the 8 decimals of change_pct.
  EXPECT_EQ(format_decimal(std::get<TickerMsg>(out.events[0].body).change_pct, kPctScale), "0.10004998");
}

TEST(CoinbtrFeed, NotStarted) {
  CoinbtrFeed feed(config());
  ParseOut out;
  EXPECT_EQ(feed.on_frame(0, fixture("ws_trades.json"), kRecv, out), ParseStatus::error);
  EXPECT_EQ(out.error, "feed not started");
}

TEST(CoinbtrDedup, BoundedWindowForgetsOldestAndDropsOlderTrades) {
  TradeDedup d(16);
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(d.insert({1000 + i, 5, 1, 1, 0}));
  EXPECT_EQ(d.size(), 16u);
  EXPECT_FALSE(d.insert({1099, 5, 1, 1, 0}));  // still remembered
  EXPECT_FALSE(d.insert({1010, 5, 1, 1, 0}));  // forgotten, but older than what was forgotten
  EXPECT_TRUE(d.insert({1099, 5, 1, 1, 1}));   // a second equal fill
  EXPECT_TRUE(d.insert({1100, 5, 1, -1, 0}));
  EXPECT_EQ(d.size(), 16u);
}

}  // namespace
}  // namespace mdhub::coinbtr
