#include <gtest/gtest.h>

#include "feeds/narkasa/parse.hpp"
#include "tests/narkasa/fixtures.hpp"

namespace mdhub::narkasa {
namespace {

using test::dec;
using test::fixture;
using test::kRecv;

class NarkasaRest : public ::testing::Test {
 protected:
  json::Reader reader_;
  InstrumentTable table_ = test::table();
  ParseOut out_;
};

TEST_F(NarkasaRest, MarketsAsDiscovery) {
  std::vector<Instrument> v;
  std::string err;
  ASSERT_EQ(parse_markets(reader_, fixture("rest_markets.json"), v, err), ParseStatus::ok) << err;
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].venue, "narkasa");
  EXPECT_EQ(v[0].native, "BTCTRY");
  EXPECT_EQ(v[0].symbol, "BTC-TRY");
  EXPECT_EQ(v[0].base, "BTC");
  EXPECT_EQ(v[0].quote, "TRY");
  EXPECT_EQ(v[0].price_scale, kDefaultPriceScale);
  EXPECT_EQ(v[0].qty_scale, kDefaultQtyScale);
}

TEST_F(NarkasaRest, DiscoveryUsesFirstAndSecondSymbolNeverSplitting) {
  std::vector<Instrument> v;
  std::string err;
  ASSERT_EQ(parse_markets(reader_, fixture("rest_markets_two.json"), v, err), ParseStatus::ok);
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[1].native, "1INCHUSDT");
  EXPECT_EQ(v[1].symbol, "1INCH-USDT");
  EXPECT_EQ(v[2].symbol, "ETH-TRY");
}

TEST_F(NarkasaRest, DiscoveryErrorCode) {
  std::vector<Instrument> v;
  std::string err;
  EXPECT_EQ(parse_markets(reader_, fixture("rest_error.json"), v, err), ParseStatus::error);
  EXPECT_EQ(err, "narkasa markets: venue error code 10037");
  EXPECT_TRUE(v.empty());
}

TEST_F(NarkasaRest, MarketsAsTickers) {
  ASSERT_EQ(parse_tickers(reader_, fixture("rest_markets.json"), table_, kRecv, out_),
            ParseStatus::ok)
      << out_.error;
  ASSERT_EQ(out_.events.size(), 1u);
  const Event& e = out_.events[0];
  EXPECT_EQ(e.kind, EventKind::ticker);
  EXPECT_EQ(e.instrument, 0u);
  EXPECT_EQ(e.ts_exchange_us, kNone);
  const auto& t = std::get<TickerMsg>(e.body);
  EXPECT_EQ(dec(t.bid), "433241");
  EXPECT_EQ(dec(t.ask), "433272");
  EXPECT_EQ(dec(t.last), "434497");
  EXPECT_EQ(dec(t.open), "420528");
  EXPECT_EQ(dec(t.high), "434758");
  EXPECT_EQ(dec(t.low), "414972");
  EXPECT_EQ(dec(t.volume_base), "8.7383");
  EXPECT_EQ(dec(t.volume_quote), "3713472");
  EXPECT_EQ(dec(t.change_pct, kPctScale), "3.32");
}

TEST_F(NarkasaRest, TickersSkipUnknownMarketsAndKeepAbsentFieldsNone) {
  ASSERT_EQ(parse_tickers(reader_, fixture("rest_markets_two.json"), table_, kRecv, out_),
            ParseStatus::ok)
      << out_.error;
  ASSERT_EQ(out_.events.size(), 2u);  // BTCTRY and ETHTRY; 1INCHUSDT is not in the table
  EXPECT_EQ(out_.events[0].instrument, 0u);
  EXPECT_EQ(out_.events[1].instrument, 1u);
  const auto& btc = std::get<TickerMsg>(out_.events[0].body);
  EXPECT_EQ(dec(btc.last), "434497");
  EXPECT_EQ(btc.open, kNone);
  EXPECT_EQ(btc.change_pct, kNone);
  const auto& eth = std::get<TickerMsg>(out_.events[1].body);
  EXPECT_EQ(eth.bid, kNone);
  EXPECT_EQ(eth.last, kNone);
  EXPECT_EQ(eth.volume_base, kNone);
}

TEST_F(NarkasaRest, Ticker24h) {
  ASSERT_EQ(parse_24h(reader_, fixture("rest_24h.json"), table_, kRecv, out_), ParseStatus::ok)
      << out_.error;
  const auto& t = std::get<TickerMsg>(out_.events.at(0).body);
  EXPECT_EQ(dec(t.bid), "59999");
  EXPECT_EQ(dec(t.ask), "60001");
  EXPECT_EQ(dec(t.last), "60000");
  EXPECT_EQ(dec(t.open), "59502");
  EXPECT_EQ(dec(t.high), "61000");
  EXPECT_EQ(dec(t.low), "59000");
  EXPECT_EQ(dec(t.volume_base), "2");
  EXPECT_EQ(dec(t.volume_quote), "120004");
  EXPECT_EQ(dec(t.change_pct, kPctScale), "0.83");
}

TEST_F(NarkasaRest, DepthReplacesTheBook) {
  ASSERT_EQ(parse_rest_depth(reader_, fixture("rest_depth.json"), table_, 1, kRecv, out_),
            ParseStatus::ok)
      << out_.error;
  const Event& e = out_.events.at(0);
  EXPECT_EQ(e.kind, EventKind::book);
  EXPECT_EQ(e.instrument, 1u);
  EXPECT_EQ(e.ts_exchange_us, kNone);
  const auto& b = std::get<BookMsg>(e.body);
  EXPECT_EQ(b.type, BookMsg::Type::replace);
  EXPECT_EQ(b.seq, 0u);
  ASSERT_EQ(b.level_count, 3u);
  EXPECT_EQ(out_.levels[0], (LevelUpdate{Side::bid, 47002'00000000, 4460000}));
  EXPECT_EQ(out_.levels[1], (LevelUpdate{Side::bid, 47001'00000000, 1200000}));
  EXPECT_EQ(out_.levels[2], (LevelUpdate{Side::ask, 47003'00000000, 23000000}));
}

TEST_F(NarkasaRest, DepthErrorCodeAppendsNothing) {
  EXPECT_EQ(parse_rest_depth(reader_, fixture("rest_error.json"), table_, 0, kRecv, out_),
            ParseStatus::error);
  EXPECT_EQ(out_.error, "narkasa depth: venue error code 10037");
  EXPECT_TRUE(out_.events.empty());
  EXPECT_TRUE(out_.levels.empty());
}

TEST_F(NarkasaRest, OrderbookIsL1) {
  ASSERT_EQ(parse_rest_orderbook(reader_, fixture("rest_orderbook.json"), table_, 0, kRecv, out_),
            ParseStatus::ok)
      << out_.error;
  ASSERT_EQ(out_.events.size(), 1u);
  EXPECT_TRUE(out_.levels.empty());
  const auto& b = std::get<BboMsg>(out_.events[0].body);
  EXPECT_EQ(dec(b.bid), "47002");
  EXPECT_EQ(dec(b.bid_qty), "0.0446");
  EXPECT_EQ(dec(b.ask), "47003");
  EXPECT_EQ(dec(b.ask_qty), "0.23");
}

TEST_F(NarkasaRest, Trades) {
  ASSERT_EQ(parse_rest_trades(reader_, fixture("rest_trades.json"), table_, 0, true, kRecv, out_),
            ParseStatus::ok)
      << out_.error;
  const Event& e = out_.events.at(0);
  EXPECT_EQ(e.kind, EventKind::trade);
  EXPECT_EQ(e.ts_exchange_us, 1577891201415000);
  const auto& t = std::get<TradeMsg>(e.body);
  EXPECT_EQ(dec(t.price), "47003");
  EXPECT_EQ(dec(t.qty), "0.23");
  EXPECT_EQ(t.side, -1);  // type 0: buyer is maker, the aggressor sold
  EXPECT_EQ(t.trade_id, kNone);
}

TEST_F(NarkasaRest, Candles) {
  ASSERT_EQ(parse_rest_candles(reader_, fixture("rest_candles.json"), table_, 0, CandleInterval::m1,
                               kRecv, out_),
            ParseStatus::ok)
      << out_.error;
  const Event& e = out_.events.at(0);
  EXPECT_EQ(e.kind, EventKind::candle);
  EXPECT_EQ(e.ts_exchange_us, kNone);
  const auto& c = std::get<CandleMsg>(e.body);
  EXPECT_EQ(c.interval, CandleInterval::m1);
  EXPECT_EQ(c.open_time_us, 1577738760005000);
  EXPECT_EQ(c.close_time_us, 1577738820005000);  // equals the venue's `closetime`
  EXPECT_EQ(dec(c.open), "48657");
  EXPECT_EQ(dec(c.high), "48999");
  EXPECT_EQ(dec(c.low), "48000");
  EXPECT_EQ(dec(c.close), "48980");
  EXPECT_EQ(dec(c.volume), "2");
  EXPECT_TRUE(c.closed);  // long over when received
}

TEST_F(NarkasaRest, PingAndTime) {
  std::string err;
  EXPECT_EQ(parse_ping(reader_, fixture("rest_ping.json"), err), ParseStatus::ok) << err;
  EXPECT_EQ(parse_ping(reader_, R"({"code":"00000","data":"NOPE"})", err), ParseStatus::error);
  EXPECT_EQ(err, "narkasa ping: unexpected answer NOPE");
  int64_t ms = 0;
  EXPECT_EQ(parse_time(reader_, fixture("rest_time.json"), ms, err), ParseStatus::ok) << err;
  EXPECT_EQ(ms, 1578405048608);
  EXPECT_EQ(parse_time(reader_, fixture("rest_error.json"), ms, err), ParseStatus::error);
  EXPECT_EQ(err, "narkasa time: venue error code 10037");
}

TEST_F(NarkasaRest, MalformedBody) {
  EXPECT_EQ(parse_rest_trades(reader_, R"({"code":"00000","trades":[{"price":1,)", table_, 0, true,
                              kRecv, out_),
            ParseStatus::error);
  EXPECT_FALSE(out_.error.empty());
  EXPECT_TRUE(out_.events.empty());
}

}  // namespace
}  // namespace mdhub::narkasa
