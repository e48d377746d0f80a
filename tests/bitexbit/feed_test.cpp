#include <gtest/gtest.h>

#include <map>

#include "feeds/bitexbit/bitexbit.hpp"
#include "feeds/bitexbit/feed.hpp"
#include "fixture.hpp"

namespace mdhub::bitexbit {
namespace {

using test::fixture;
using test::kRecv;

VenueConfig config(std::vector<std::string> channels = {}) {
  VenueConfig c;
  c.id = "bitexbit";
  c.rest_base = "https://bitexbit.com/api/v2/public";
  c.channels = std::move(channels);
  return c;
}

InstrumentTable seven() {
  InstrumentTable t;
  for (const char* b : {"BTC", "ETH", "LTC", "XRP", "DOGE", "TRX", "ADA"}) t.add(test::pair(b, "USDT", 2, 6));
  return t;
}

std::vector<int64_t> trade_ids(const ParseOut& out) {
  std::vector<int64_t> ids;
  for (const auto& e : out.events) ids.push_back(std::get<TradeMsg>(e.body).trade_id);
  return ids;
}

TEST(BitexbitFeed, FactoryDiscoveryAndNoStreams) {
  auto feed = bitexbit::make_feed(config());
  ASSERT_NE(feed, nullptr);
  EXPECT_EQ(feed->venue(), "bitexbit");
  EXPECT_EQ(feed->discovery_target(), "/pairs");
  std::vector<Instrument> v;
  std::string err;
  ASSERT_EQ(feed->parse_discovery(fixture("pairs.json"), v, err), ParseStatus::ok);
  EXPECT_EQ(v.size(), 1u);
  const InstrumentTable tab = test::table();
  feed->start(tab);
  EXPECT_TRUE(feed->streams().empty());
  ParseOut out;
  EXPECT_EQ(feed->on_frame(0, "{}", kRecv, out), ParseStatus::ignored);
}

TEST(BitexbitFeed, SevenSymbolsMakeTwoTickerBatches) {
  const InstrumentTable tab = seven();
  BitexbitFeed feed(config());
  feed.start(tab);
  const auto p = feed.polls();
  ASSERT_EQ(feed.ticker_batches(), 2u);
  ASSERT_EQ(p.size(), 2u + 3u * 7u);
  EXPECT_EQ(p[0].name, "tickers");
  EXPECT_EQ(p[0].interval, Millis(2000));
  EXPECT_EQ(p[1].name, "tickers");
  EXPECT_EQ(feed.poll_target(0), "/tickers?symbols=BTC_USDT,ETH_USDT,LTC_USDT,XRP_USDT,DOGE_USDT");
  EXPECT_EQ(feed.poll_target(1), "/tickers?symbols=TRX_USDT,ADA_USDT");
  EXPECT_EQ(p[feed.depth_poll(0)].name, "depth");
  EXPECT_EQ(p[feed.depth_poll(0)].interval, Millis(1000));
  EXPECT_EQ(feed.poll_target(feed.depth_poll(6)), "/depth?symbol=ADA_USDT&limit=50");
  EXPECT_EQ(p[feed.trades_poll(3)].name, "trades");
  EXPECT_EQ(p[feed.trades_poll(3)].interval, Millis(1000));
  EXPECT_EQ(feed.poll_target(feed.trades_poll(3)), "/trades?symbol=XRP_USDT&limit=1000");
  EXPECT_EQ(p[feed.ohlcv_poll(1)].name, "ohlcv");
  EXPECT_EQ(p[feed.ohlcv_poll(1)].interval, Millis(30000));
  EXPECT_EQ(feed.poll_target(feed.ohlcv_poll(1)), "/ohlcv?symbol=ETH_USDT&timeframe=5&limit=100");
  EXPECT_EQ(feed.ohlcv_poll(6), p.size() - 1);
  const ResyncAction r = feed.resync(4);
  EXPECT_EQ(r.poll, static_cast<int>(feed.depth_poll(4)));
  EXPECT_EQ(r.stream, -1);
}

TEST(BitexbitFeed, BatchesRouteRowsToTheirInstruments) {
  const InstrumentTable tab = seven();
  BitexbitFeed feed(config({"ticker"}));
  feed.start(tab);
  ParseOut out;
  ASSERT_EQ(feed.on_poll(1, R"([{"symbol":"ADA_USDT","last":"0.25"},{"symbol":"TRX_USDT","last":"0.1"}])", kRecv, out),
            ParseStatus::ok);
  ASSERT_EQ(out.events.size(), 2u);  // bbo channel off
  EXPECT_EQ(out.events[0].instrument, 6u);
  EXPECT_EQ(out.events[1].instrument, 5u);
}

TEST(BitexbitFeed, ChannelsAndOptions) {
  const InstrumentTable tab = test::table();
  VenueConfig c = config({"trades", "candles"});
  c.options["tickers_batch"] = "9";  // the venue allows 5
  c.options["trades_poll_ms"] = "250";
  c.options["ohlcv_timeframe"] = "1h";
  c.options["ohlcv_history"] = "500";
  c.options["depth_limit"] = "500";
  BitexbitFeed feed(c);
  feed.start(tab);
  const auto p = feed.polls();
  ASSERT_EQ(feed.ticker_batches(), 1u);
  EXPECT_EQ(p[0].interval, Millis(0));  // neither ticker nor bbo
  EXPECT_EQ(p[feed.depth_poll(0)].interval, Millis(0));  // book off: resync only
  EXPECT_EQ(feed.poll_target(feed.depth_poll(0)), "/depth?symbol=BTC_USD&limit=50");
  EXPECT_EQ(p[feed.trades_poll(0)].interval, Millis(250));
  EXPECT_EQ(feed.poll_target(feed.ohlcv_poll(0)), "/ohlcv?symbol=BTC_USD&timeframe=60&limit=500");
  ParseOut out;
  ASSERT_EQ(feed.on_poll(feed.ohlcv_poll(0), fixture("ohlcv.json"), kRecv, out), ParseStatus::ok);
  EXPECT_EQ(std::get<CandleMsg>(out.events.at(0).body).interval, CandleInterval::h1);
  EXPECT_EQ(feed.poll_target(feed.ohlcv_poll(0)), "/ohlcv?symbol=BTC_USD&timeframe=60&limit=5");
}

TEST(BitexbitFeed, TradesSinceIdPagingEmitsEachTradeOnceInOrder) {
  const InstrumentTable tab = test::table();
  VenueConfig c = config();
  c.options["trades_limit"] = "4";
  BitexbitFeed feed(c);
  feed.start(tab);
  const size_t poll = feed.trades_poll(0);
  std::vector<int64_t> all;
  ParseOut out;

  EXPECT_EQ(feed.poll_target(poll), "/trades?symbol=BTC_USD&limit=4");
  ASSERT_EQ(feed.on_poll(poll, fixture("trades_page1.json"), kRecv, out), ParseStatus::ok) << out.error;
  EXPECT_EQ(trade_ids(out), (std::vector<int64_t>{17802900, 17802902, 17802903}));
  EXPECT_EQ(feed.trades_cursor(0), 17802903);
  EXPECT_FALSE(feed.next_poll_in(poll).has_value());
  all = trade_ids(out);

  // Overlaps the previous page (17802903) and repeats a row (17802905); the page is full.
  out.clear();
  EXPECT_EQ(feed.poll_target(poll), "/trades?symbol=BTC_USD&since_id=17802903&limit=4");
  ASSERT_EQ(feed.on_poll(poll, fixture("trades_page2.json"), kRecv, out), ParseStatus::ok) << out.error;
  EXPECT_EQ(trade_ids(out), (std::vector<int64_t>{17802905, 17802907}));
  EXPECT_EQ(feed.next_poll_in(poll), Millis(100));
  EXPECT_FALSE(feed.next_poll_in(poll).has_value());
  for (auto id : trade_ids(out)) all.push_back(id);

  out.clear();
  EXPECT_EQ(feed.poll_target(poll), "/trades?symbol=BTC_USD&since_id=17802907&limit=4");
  ASSERT_EQ(feed.on_poll(poll, fixture("trades_page3.json"), kRecv, out), ParseStatus::ok);
  for (auto id : trade_ids(out)) all.push_back(id);

  // A stale or repeated answer adds nothing and never moves the cursor back.
  out.clear();
  ASSERT_EQ(feed.on_poll(poll, fixture("trades_page2.json"), kRecv, out), ParseStatus::ok);
  EXPECT_TRUE(out.events.empty());
  EXPECT_EQ(feed.trades_cursor(0), 17802908);
  // An empty page keeps the cursor.
  ASSERT_EQ(feed.on_poll(poll, "[]", kRecv, out), ParseStatus::ok);
  EXPECT_EQ(feed.poll_target(poll), "/trades?symbol=BTC_USD&since_id=17802908&limit=4");

  EXPECT_EQ(all, (std::vector<int64_t>{17802900, 17802902, 17802903, 17802905, 17802907, 17802908}));
  // The other instrument's cursor is its own.
  EXPECT_EQ(feed.poll_target(feed.trades_poll(1)), "/trades?symbol=ETH_USD&limit=4");
}

// Polls trades of BTC_USD with `limit` rows per page, answering each poll with the named
// fixture after checking its target; collects what is published and what was detected.
struct TradesDriver {
  explicit TradesDriver(size_t limit, size_t backlog_max = 10000) : feed(make(limit, backlog_max)) {
    feed.start(tab);
  }
  static VenueConfig make(size_t limit, size_t backlog_max) {
    VenueConfig c = config();
    c.options["trades_limit"] = std::to_string(limit);
    c.options["trades_backlog_max"] = std::to_string(backlog_max);
    return c;
  }
  // The query after the symbol, e.g. "&since_id=103&limit=4".
  void poll(const std::string& query, const char* answer) {
    const size_t p = feed.trades_poll(0);
    ASSERT_EQ(feed.poll_target(p), "/trades?symbol=BTC_USD" + query);
    ParseOut out;
    ASSERT_EQ(feed.on_poll(p, fixture(answer), kRecv, out), ParseStatus::ok) << out.error;
    for (auto id : trade_ids(out)) tape.push_back(id);
    for (auto d : out.detected) ++detected[std::string(d)];
    soon = feed.next_poll_in(p).has_value();
  }
  InstrumentTable tab = test::table();
  BitexbitFeed feed;
  std::vector<int64_t> tape;
  std::map<std::string, int> detected;
  bool soon = false;
};

const std::vector<int64_t> kAllTrades{100, 102, 103, 105, 106, 108, 109, 111, 112};

TEST(BitexbitFeed, NewestFirstInclusiveBacklogIsFetchedBelowAFullPageAndPublishedInOrder) {
  TradesDriver d(4);
  d.poll("&limit=4", "trades_newest_start.json");
  EXPECT_EQ(d.tape, (std::vector<int64_t>{100, 102, 103}));
  EXPECT_FALSE(d.soon);
  // Six trades since: the page is the newest four and does not reach back to 103. Nothing
  // is published until the trades below it are in.
  d.poll("&since_id=103&limit=4", "trades_newest_top.json");
  EXPECT_EQ(d.tape.size(), 3u);
  EXPECT_EQ(d.feed.trades_held(0), 4u);
  EXPECT_EQ(d.feed.trades_cursor(0), 103);
  EXPECT_TRUE(d.soon);
  d.poll("&since_id=103&until_id=108&limit=4", "trades_newest_incl_gap.json");
  EXPECT_EQ(d.tape, kAllTrades);
  EXPECT_EQ(d.feed.trades_held(0), 0u);
  EXPECT_EQ(d.feed.trades_cursor(0), 112);
  EXPECT_TRUE(d.soon);
  d.poll("&since_id=112&limit=4", "trades_newest_incl_tail.json");
  EXPECT_EQ(d.tape, kAllTrades);
  EXPECT_FALSE(d.soon);
  EXPECT_EQ(d.detected, (std::map<std::string, int>{
                            {"trades_newest_first", 3}, {"trades_page_full", 1}, {"trades_since_inclusive", 2}}));
}

TEST(BitexbitFeed, NewestFirstExclusiveBacklog) {
  TradesDriver d(4);
  d.poll("&limit=4", "trades_newest_start.json");
  d.poll("&since_id=103&limit=4", "trades_newest_top.json");
  EXPECT_EQ(d.tape.size(), 3u);
  d.poll("&since_id=103&until_id=108&limit=4", "trades_newest_excl_gap.json");
  EXPECT_EQ(d.tape, kAllTrades);
  d.poll("&since_id=112&limit=4", "trades_newest_incl_tail.json");  // a repeated row adds nothing
  EXPECT_EQ(d.tape, kAllTrades);
  EXPECT_EQ(d.detected, (std::map<std::string, int>{{"trades_newest_first", 3},
                                                    {"trades_page_full", 1},
                                                    {"trades_since_exclusive", 1},
                                                    {"trades_since_inclusive", 1}}));
}

TEST(BitexbitFeed, OldestFirstPagesMoveTheCursorForward) {
  for (const bool inclusive : {true, false}) {
    SCOPED_TRACE(inclusive ? "inclusive" : "exclusive");
    TradesDriver d(4);
    d.poll("&limit=4", "trades_oldest_start.json");
    d.poll("&since_id=103&limit=4", inclusive ? "trades_oldest_incl_p1.json" : "trades_oldest_excl_p1.json");
    EXPECT_EQ(d.feed.trades_held(0), 0u);  // oldest first: nothing is behind a full page
    EXPECT_TRUE(d.soon);
    if (inclusive) {
      EXPECT_EQ(d.tape, (std::vector<int64_t>{100, 102, 103, 105, 106, 108}));
      d.poll("&since_id=108&limit=4", "trades_oldest_incl_p2.json");
      EXPECT_TRUE(d.soon);
      d.poll("&since_id=112&limit=4", "trades_newest_incl_tail.json");
    } else {
      d.poll("&since_id=109&limit=4", "trades_oldest_excl_p2.json");
    }
    EXPECT_FALSE(d.soon);
    EXPECT_EQ(d.tape, kAllTrades);
    EXPECT_EQ(d.detected["trades_oldest_first"], 3);
    EXPECT_EQ(d.detected["trades_page_full"], inclusive ? 2 : 1);
    EXPECT_EQ(d.detected.count("trades_newest_first"), 0u);
    EXPECT_EQ(d.detected[inclusive ? "trades_since_inclusive" : "trades_since_exclusive"], inclusive ? 3 : 1);
  }
}

TEST(BitexbitFeed, UnknownOrderLooksBelowAFullPageAndFindsNothingMissing) {
  // One row per page never shows the order: a full page might hide trades below it, so the
  // feed asks (until_id); an oldest-first venue answers nothing there.
  TradesDriver d(1);
  d.poll("&limit=1", "trades_one_103.json");
  d.poll("&since_id=103&limit=1", "trades_one_105.json");
  EXPECT_EQ(d.tape, (std::vector<int64_t>{103}));
  EXPECT_EQ(d.feed.trades_held(0), 1u);
  d.poll("&since_id=103&until_id=105&limit=1", "trades_empty.json");
  EXPECT_EQ(d.tape, (std::vector<int64_t>{103, 105}));
  EXPECT_EQ(d.feed.trades_cursor(0), 105);
  // A stale full page (every id at or below the cursor) holds nothing and asks for nothing.
  d.poll("&since_id=105&limit=1", "trades_one_103.json");
  EXPECT_EQ(d.feed.trades_held(0), 0u);
  EXPECT_EQ(d.tape, (std::vector<int64_t>{103, 105}));
  EXPECT_EQ(d.detected, (std::map<std::string, int>{{"trades_page_full", 1}}));
}

TEST(BitexbitFeed, BacklogBeyondTheCapIsCutAndCounted) {
  TradesDriver d(2, 3);
  d.poll("&limit=2", "trades_newest_start.json");  // 3 rows >= limit 2, but no cursor yet
  EXPECT_EQ(d.tape, (std::vector<int64_t>{100, 102, 103}));
  d.poll("&since_id=103&limit=2", "trades_newest_top2.json");
  EXPECT_EQ(d.feed.trades_held(0), 2u);
  d.poll("&since_id=103&until_id=111&limit=2", "trades_newest_excl_gap2.json");
  // Four held reach the cap of 3: they are published, 105 and 106 are skipped and counted.
  EXPECT_EQ(d.tape, (std::vector<int64_t>{100, 102, 103, 108, 109, 111, 112}));
  EXPECT_EQ(d.feed.trades_cursor(0), 112);
  EXPECT_EQ(d.feed.trades_held(0), 0u);
  EXPECT_EQ(d.detected, (std::map<std::string, int>{
                            {"trades_backlog_cut", 1}, {"trades_newest_first", 3}, {"trades_page_full", 1}}));
}

TEST(BitexbitFeed, FailedPageDuringABacklogWalkIsAskedAgain) {
  TradesDriver d(4);
  d.poll("&limit=4", "trades_newest_start.json");
  d.poll("&since_id=103&limit=4", "trades_newest_top.json");
  ParseOut out;
  const size_t p = d.feed.trades_poll(0);
  EXPECT_EQ(d.feed.on_poll(p, R"([{"id":107,"price":"x","amount":"1"}])", kRecv, out), ParseStatus::error);
  EXPECT_EQ(d.feed.trades_held(0), 4u);
  d.poll("&since_id=103&until_id=108&limit=4", "trades_newest_incl_gap.json");
  EXPECT_EQ(d.tape, kAllTrades);
}

TEST(BitexbitFeed, FailedTradesPageKeepsTheCursor) {
  const InstrumentTable tab = test::table();
  BitexbitFeed feed(config());
  feed.start(tab);
  const size_t poll = feed.trades_poll(0);
  ParseOut out;
  ASSERT_EQ(feed.on_poll(poll, fixture("trades.json"), kRecv, out), ParseStatus::ok);
  ASSERT_EQ(feed.on_poll(poll, R"([{"id":17802999,"price":"x","amount":"1"}])", kRecv, out), ParseStatus::error);
  EXPECT_EQ(feed.trades_cursor(0), 17802900);  // the failed page is fetched again
  EXPECT_EQ(out.events.size(), 1u);
}

TEST(BitexbitFeed, DepthPollAndErrors) {
  const InstrumentTable tab = test::table();
  BitexbitFeed feed(config());
  ParseOut out;
  EXPECT_EQ(feed.on_poll(0, "[]", kRecv, out), ParseStatus::error);
  EXPECT_EQ(out.error, "feed not started");
  feed.start(tab);
  out.clear();
  ASSERT_EQ(feed.on_poll(feed.depth_poll(1), fixture("depth.json"), kRecv, out), ParseStatus::ok);
  EXPECT_EQ(out.events.at(0).instrument, 1u);
  EXPECT_EQ(feed.on_poll(feed.ohlcv_poll(1) + 1, "[]", kRecv, out), ParseStatus::error);
  EXPECT_EQ(out.error, "unknown poll");
}

}  // namespace
}  // namespace mdhub::bitexbit
