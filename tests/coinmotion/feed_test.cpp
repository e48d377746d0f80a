#include <gtest/gtest.h>

#include "feeds/coinmotion/coinmotion.hpp"
#include "feeds/coinmotion/feed.hpp"
#include "fixture.hpp"

namespace mdhub::coinmotion {
namespace {

using test::fixture;
using test::kRecv;

VenueConfig config(std::vector<std::string> channels = {}) {
  VenueConfig c;
  c.id = "coinmotion";
  c.rest_base = "https://api.coinmotion.com";
  c.channels = std::move(channels);
  return c;
}

TEST(CoinmotionFeed, ProvidesQuotesOnly) {
  const VenueCapabilities caps = coinmotion::make_feed(config())->capabilities();
  EXPECT_FALSE(caps.book);
  EXPECT_FALSE(caps.trades);
  EXPECT_TRUE(caps.bbo);
  EXPECT_TRUE(caps.ticker);
  EXPECT_FALSE(caps.candles(CandleInterval::m1));
  EXPECT_EQ(caps.describe(), "bbo and ticker");
}

TEST(CoinmotionFeed, PlanAndDiscovery) {
  auto feed = coinmotion::make_feed(config());
  ASSERT_NE(feed, nullptr);
  EXPECT_EQ(feed->venue(), "coinmotion");
  EXPECT_EQ(feed->discovery_target(), "/v2/rates");
  std::vector<Instrument> v;
  std::string err;
  ASSERT_EQ(feed->parse_discovery(fixture("rates_shape_b.json"), v, err), ParseStatus::ok) << err;
  InstrumentTable tab;
  for (auto& i : v) tab.add(i);
  feed->start(tab);
  EXPECT_TRUE(feed->streams().empty());
  const auto p = feed->polls();
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].name, "rates");
  EXPECT_EQ(p[0].interval, Millis(15000));
  EXPECT_EQ(feed->poll_target(0), "/v2/rates");
  EXPECT_EQ(feed->resync(0).poll, 0);

  // Discovered from one layout, quoted in the other: pairs are matched by symbol.
  ParseOut out;
  ASSERT_EQ(feed->on_poll(0, fixture("rates_seed.json"), kRecv, out), ParseStatus::ok) << out.error;
  ASSERT_EQ(out.events.size(), 4u);
  EXPECT_EQ(out.events[0].instrument, 0u);
  EXPECT_EQ(test::px(std::get<TickerMsg>(out.events[0].body).bid), "3494.61");
  EXPECT_EQ(out.events[2].instrument, 1u);
  EXPECT_EQ(feed->on_frame(0, "x", kRecv, out), ParseStatus::ignored);
}

TEST(CoinmotionFeed, Options) {
  VenueConfig c = config({"bbo"});
  c.options["rates_poll_ms"] = "1000";
  c.options["buy_is_bid"] = "false";
  c.options["order_quotes"] = "false";
  c.options["default_quote"] = "USD";
  CoinmotionFeed feed(c);
  std::vector<Instrument> v;
  std::string err;
  ASSERT_EQ(feed.parse_discovery(fixture("rates_shape_a.json"), v, err), ParseStatus::ok);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].symbol, "BTC-USD");
  InstrumentTable tab;
  tab.add(v[0]);
  ParseOut out;
  EXPECT_EQ(feed.on_poll(0, fixture("rates_shape_a.json"), kRecv, out), ParseStatus::error);
  EXPECT_EQ(out.error, "feed not started");
  feed.start(tab);
  EXPECT_EQ(feed.polls()[0].interval, Millis(1000));
  out.clear();
  ASSERT_EQ(feed.on_poll(0, fixture("rates_shape_a.json"), kRecv, out), ParseStatus::ok);
  ASSERT_EQ(out.events.size(), 1u);  // ticker channel off
  const auto& b = std::get<BboMsg>(out.events[0].body);
  EXPECT_EQ(test::px(b.bid), "9794.38");
  EXPECT_EQ(test::px(b.ask), "9675.03");
  EXPECT_EQ(feed.on_poll(1, "{}", kRecv, out), ParseStatus::error);
  EXPECT_EQ(out.error, "unknown poll");
}

}  // namespace
}  // namespace mdhub::coinmotion
