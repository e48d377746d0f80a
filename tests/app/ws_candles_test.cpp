// Candle channels: `candles.<iv>` carries one series (the venue's own once it has published
// one of that interval, else candles built from trades), `.venue` and `.trades` one each;
// the two series never interleave on one channel.
#include <string>
#include <vector>

#include "tests/app/ws_harness.hpp"

namespace mdhub::test {
namespace {

/// "venue"/"trades" and open_time of every candle message from `from` on.
std::vector<std::string> candles(const std::vector<std::string>& msgs, size_t from = 0) {
  std::vector<std::string> out;
  for (size_t i = from; i < msgs.size(); ++i) {
    const std::string& m = msgs[i];
    if (parse(m).type != "candle") continue;
    const bool venue = m.find(R"("source":"venue")") != std::string::npos;
    const bool trades = m.find(R"("source":"trades")") != std::string::npos;
    EXPECT_NE(venue, trades) << m;
    const auto at = m.find(R"("open_time":)");
    EXPECT_NE(at, std::string::npos) << m;
    out.push_back((venue ? "venue@" : "trades@") + m.substr(at + 12, m.find(',', at) - at - 12));
  }
  return out;
}

TEST(AppWsCandles, EachChannelCarriesOneSeries) {
  Hub hub(WsApiConfig{});
  Client plain(hub), trades(hub), venue(hub);
  plain.send_now(R"({"op":"subscribe","channels":["candles.1m:btse:BTC-USD"],"id":1})");
  trades.send_now(R"({"op":"subscribe","channels":["candles.1m.trades:btse:BTC-USD"],"id":2})");
  venue.send_now(R"({"op":"subscribe","channels":["candles.1m.venue:btse:BTC-USD"],"id":3})");
  ASSERT_TRUE(plain.wait_messages(1));
  ASSERT_TRUE(trades.wait_messages(1));
  ASSERT_TRUE(venue.wait_messages(1));
  EXPECT_EQ(trades.messages()[0], R"({"type":"subscribed","id":2,"channels":["candles.1m.trades:btse:BTC-USD"]})");
  EXPECT_EQ(venue.messages()[0], R"({"type":"subscribed","id":3,"channels":["candles.1m.venue:btse:BTC-USD"]})");

  // The harness stamps trades at 1'700'000'000'000'000 µs + n: the minute starting at
  // 1'699'999'980 s.
  const std::string minute = "1699999980000000";
  hub.trade(1);  // no venue candle yet: the plain channel carries the trade-built one
  CandleMsg c;
  c.interval = CandleInterval::m1;
  c.open_time_us = 1'699'999'980'000'000;
  c.open = c.high = c.low = c.close = 100000;
  c.volume = 100000000;
  hub.candle(c);
  hub.trade(2);  // the venue's series has started: the plain channel no longer carries these

  ASSERT_TRUE(plain.wait_messages(3));
  ASSERT_TRUE(trades.wait_messages(3));
  ASSERT_TRUE(venue.wait_messages(2));
  hub.poll();
  EXPECT_EQ(candles(plain.messages()), (std::vector<std::string>{"trades@" + minute, "venue@" + minute}));
  EXPECT_EQ(candles(trades.messages()), (std::vector<std::string>{"trades@" + minute, "trades@" + minute}));
  EXPECT_EQ(candles(venue.messages()), (std::vector<std::string>{"venue@" + minute}));
  // seq counts the candle's series (interval, source): the plain channel's venue candle is
  // the first of the venue's series.
  EXPECT_EQ(parse(plain.messages()[1]).seq, 1);
  EXPECT_EQ(parse(plain.messages()[2]).seq, 1);
  EXPECT_EQ(parse(trades.messages()[2]).seq, 2);
  EXPECT_EQ(parse(venue.messages()[1]).seq, 1);
}

TEST(AppWsCandles, UnknownCandleSourceIsAnError) {
  Hub hub(WsApiConfig{});
  Client c(hub);
  c.send_now(R"({"op":"subscribe","channels":["candles.1m.mid:btse:BTC-USD"],"id":4})");
  ASSERT_TRUE(c.wait_messages(1));
  const Msg m = parse(c.messages()[0]);
  EXPECT_EQ(m.type, "error");
  EXPECT_EQ(m.code, "bad_channel");
  EXPECT_NE(c.messages()[0].find("candles.<interval> takes an optional .venue or .trades, not '.mid'"),
            std::string::npos)
      << c.messages()[0];
}

}  // namespace
}  // namespace mdhub::test
