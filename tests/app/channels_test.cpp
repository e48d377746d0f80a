#include <gtest/gtest.h>

#include "src/publish/ws_channels.hpp"

namespace mdhub {
namespace {

ChannelSpec ok(std::string_view name) {
  ChannelSpec s;
  std::string err;
  EXPECT_TRUE(parse_channel(name, s, err)) << name << ": " << err;
  return s;
}

std::string bad(std::string_view name) {
  ChannelSpec s;
  std::string err;
  EXPECT_FALSE(parse_channel(name, s, err)) << name;
  return err;
}

TEST(AppChannels, ParsesEveryKind) {
  auto b = ok("book:btse:BTC-USD");
  EXPECT_EQ(b.kind, ChannelKind::book);
  EXPECT_EQ(b.venue, "btse");
  EXPECT_EQ(b.symbol, "BTC-USD");
  auto t = ok("book10:all:BTC-USDT");
  EXPECT_EQ(t.kind, ChannelKind::book_top);
  EXPECT_EQ(t.depth, 10u);
  EXPECT_EQ(t.name(), "book10:all:BTC-USDT");
  EXPECT_EQ(ok("bbo:*:*").kind, ChannelKind::bbo);
  EXPECT_EQ(ok("trades:narkasa:*").kind, ChannelKind::trades);
  EXPECT_EQ(ok("ticker:*:BTC-TRY").kind, ChannelKind::ticker);
  auto c = ok("candles.15m:btse:BTC-USD");
  EXPECT_EQ(c.kind, ChannelKind::candles);
  EXPECT_EQ(c.interval, CandleInterval::m15);
  EXPECT_EQ(c.name(), "candles.15m:btse:BTC-USD");
  EXPECT_EQ(c.concrete("narkasa", "BTC-TRY"), "candles.15m:narkasa:BTC-TRY");
  EXPECT_TRUE(ok("book:*:BTC-USD").wildcard());
  EXPECT_FALSE(b.wildcard());
}

TEST(AppChannels, RejectsBadNames) {
  EXPECT_EQ(bad("book:btse"), "a channel is <kind>:<venue>:<symbol>");
  EXPECT_EQ(bad("book:btse:BTC-USD:x"), "a channel is <kind>:<venue>:<symbol>");
  EXPECT_EQ(bad("book::BTC-USD"), "venue and symbol must not be empty");
  EXPECT_EQ(bad("book0:btse:BTC-USD"), "book<N> takes N from 1 to 1000");
  EXPECT_EQ(bad("book1001:btse:BTC-USD"), "book<N> takes N from 1 to 1000");
  EXPECT_EQ(bad("book05:btse:BTC-USD"), "book<N> takes N from 1 to 1000");
  EXPECT_EQ(bad("bookx:btse:BTC-USD"), "book<N> takes N from 1 to 1000");
  EXPECT_EQ(bad("candles.7m:btse:BTC-USD"), "candle interval must be one of 1m 3m 5m 15m 30m 1h 2h 4h 1d");
  EXPECT_EQ(bad("trades:all:BTC-USD"), "venue 'all' (consolidated) exists for book, book<N> and bbo only");
  EXPECT_EQ(bad("quotes:btse:BTC-USD"),
            "unknown channel kind 'quotes' (book, book<N>, bbo, trades, ticker, candles.<interval>[.venue or .trades])");
  EXPECT_EQ(bad("candles.1m.mid:btse:BTC-USD"), "candles.<interval> takes an optional .venue or .trades, not '.mid'");
  EXPECT_EQ(bad("candles.1m.:btse:BTC-USD"), "candles.<interval> takes an optional .venue or .trades, not '.'");
  EXPECT_EQ(bad("candles.trades:btse:BTC-USD"), "candle interval must be one of 1m 3m 5m 15m 30m 1h 2h 4h 1d");
}

TEST(AppChannels, CandleChannelsNameTheirSeries) {
  const auto plain = ok("candles.1m:btse:BTC-USD");
  EXPECT_EQ(plain.candle_source, CandleSource::preferred);
  EXPECT_EQ(plain.name(), "candles.1m:btse:BTC-USD");
  const auto venue = ok("candles.4h.venue:narkasa:*");
  EXPECT_EQ(venue.interval, CandleInterval::h4);
  EXPECT_EQ(venue.candle_source, CandleSource::venue);
  EXPECT_EQ(venue.concrete("narkasa", "BTC-TRY"), "candles.4h.venue:narkasa:BTC-TRY");
  const auto trades = ok("candles.1d.trades:*:BTC-USDT");
  EXPECT_EQ(trades.interval, CandleInterval::d1);
  EXPECT_EQ(trades.candle_source, CandleSource::trades);
  EXPECT_EQ(trades.name(), "candles.1d.trades:*:BTC-USDT");
}

}  // namespace
}  // namespace mdhub
