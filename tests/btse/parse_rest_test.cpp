#include <gtest/gtest.h>

#include "feeds/btse/parse.hpp"
#include "tests/btse/fixtures.hpp"

namespace mdhub::btse {
namespace {

using test::dec;
using test::fixture;
using test::kRecv;

class BtseRest : public ::testing::Test {
 protected:
  json::Reader reader_;
  InstrumentTable table_ = test::table();
  ParseOut out_;
};

TEST_F(BtseRest, MarketSummaryAsDiscovery) {
  std::vector<Instrument> v;
  std::string err;
  ASSERT_EQ(parse_instruments(reader_, fixture("rest_market_summary.json"), v, err),
            ParseStatus::ok)
      << err;
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].venue, "btse");
  EXPECT_EQ(v[0].native, "BTC-USD");
  EXPECT_EQ(v[0].symbol, "BTC-USD");
  EXPECT_EQ(v[0].base, "BTC");
  EXPECT_EQ(v[0].quote, "USD");
  EXPECT_EQ(v[0].price_scale, 8);
  EXPECT_EQ(v[0].qty_scale, 8);
}

TEST_F(BtseRest, DiscoverySkipsFuturesAndInactiveAndWidensScales) {
  std::vector<Instrument> v;
  std::string err;
  ASSERT_EQ(parse_instruments(reader_, fixture("rest_market_summary_multi.json"), v, err),
            ParseStatus::ok)
      << err;
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0].symbol, "BTC-USD");
  EXPECT_EQ(v[1].symbol, "SHIB-USD");
  EXPECT_EQ(v[1].price_scale, 10);  // minPriceIncrement 1e-10 needs ten digits
  EXPECT_EQ(v[1].qty_scale, 8);
  EXPECT_EQ(v[2].symbol, "ETH-USD");
  // The published increment is the book's tick, at the instrument's price scale.
  EXPECT_EQ(v[0].tick, 50'000'000);  // "0.5" at scale 8
  EXPECT_EQ(v[1].tick, 1);           // 1e-10 at scale 10
  EXPECT_EQ(v[2].tick, 0);           // not published: the book infers it
}

TEST_F(BtseRest, DiscoveryRejectsNonArray) {
  std::vector<Instrument> v;
  std::string err;
  EXPECT_EQ(parse_instruments(reader_, R"({"code":400})", v, err), ParseStatus::error);
  EXPECT_EQ(err, "btse market_summary: body is not a JSON array");
}

TEST_F(BtseRest, MarketSummaryAsTickers) {
  ASSERT_EQ(parse_market_summary(reader_, fixture("rest_market_summary.json"), table_, kRecv, out_),
            ParseStatus::ok)
      << out_.error;
  ASSERT_EQ(out_.events.size(), 1u);
  const Event& e = out_.events[0];
  EXPECT_EQ(e.kind, EventKind::ticker);
  EXPECT_EQ(e.instrument, 0u);
  EXPECT_EQ(e.ts_exchange_us, kNone);
  const auto& t = std::get<TickerMsg>(e.body);
  EXPECT_EQ(dec(t.bid), "36972");
  EXPECT_EQ(dec(t.ask), "37012");
  EXPECT_EQ(dec(t.last), "36976");
  EXPECT_EQ(t.open, kNone);
  EXPECT_EQ(dec(t.high), "39478.5");
  EXPECT_EQ(dec(t.low), "36821.5");
  EXPECT_EQ(dec(t.volume_base), "2117.88522");
  EXPECT_EQ(dec(t.volume_quote), "81456627.51106991");
  // Already a percent; nine fraction digits rounded half-even to the 8 of kPctScale.
  EXPECT_EQ(dec(t.change_pct, kPctScale), "-4.63343865");
}

TEST_F(BtseRest, MarketSummaryStringsAndMissingFields) {
  ASSERT_EQ(parse_market_summary(reader_, fixture("rest_market_summary_multi.json"), table_, kRecv,
                                 out_),
            ParseStatus::ok)
      << out_.error;
  ASSERT_EQ(out_.events.size(), 2u);  // BTC-USD and ETH-USD
  const auto& btc = std::get<TickerMsg>(out_.events[0].body);
  EXPECT_EQ(dec(btc.last), "36976.5");
  EXPECT_EQ(dec(btc.change_pct, kPctScale), "1.25");
  EXPECT_EQ(btc.volume_base, kNone);
  EXPECT_EQ(out_.events[1].instrument, 1u);
  EXPECT_EQ(std::get<TickerMsg>(out_.events[1].body).last, kNone);
}

TEST_F(BtseRest, OrderbookL2) {
  ASSERT_EQ(parse_rest_l2(reader_, fixture("rest_orderbook_l2.json"), table_, 0, kRecv, out_),
            ParseStatus::ok)
      << out_.error;
  const Event& e = out_.events.at(0);
  EXPECT_EQ(e.ts_exchange_us, 1624989977940000);
  const auto& b = std::get<BookMsg>(e.body);
  EXPECT_EQ(b.type, BookMsg::Type::replace);
  EXPECT_EQ(b.seq, 0u);
  ASSERT_EQ(b.level_count, 2u);
  EXPECT_EQ(out_.levels[0].side, Side::bid);
  EXPECT_EQ(dec(out_.levels[0].price), "36235");
  EXPECT_EQ(dec(out_.levels[0].qty), "7.675");
  EXPECT_EQ(out_.levels[1].side, Side::ask);
  EXPECT_EQ(dec(out_.levels[1].price), "36241.5");
  EXPECT_EQ(dec(out_.levels[1].qty), "0.602");
}

TEST_F(BtseRest, OrderbookNullSideIsAnEmptySide) {
  ASSERT_EQ(parse_rest_l2(reader_, fixture("rest_orderbook_l2_null_sell.json"), table_, 0, kRecv, out_),
            ParseStatus::ok)
      << out_.error;
  ASSERT_EQ(out_.events.size(), 1u);
  const auto& b = std::get<BookMsg>(out_.events[0].body);
  EXPECT_EQ(b.type, BookMsg::Type::replace);
  EXPECT_TRUE(b.has_bids && b.has_asks);  // a whole book: the asks are gone, not unchanged
  EXPECT_EQ(out_.events[0].ts_exchange_us, 1624989977940000);
  ASSERT_EQ(b.level_count, 2u);
  EXPECT_EQ(out_.levels[0], (LevelUpdate{Side::bid, 36235'00000000, 7'67500000}));
  EXPECT_EQ(out_.levels[1], (LevelUpdate{Side::bid, 36230'50000000, 1'50000000}));
  EXPECT_EQ(out_.detected, (std::vector<std::string_view>{"null_side"}));
  // Anything else that is not an array is still refused.
  out_.clear();
  EXPECT_EQ(parse_rest_l2(reader_, R"({"buyQuote":[],"sellQuote":"none","timestamp":1})", table_, 0, kRecv, out_),
            ParseStatus::error);
  EXPECT_TRUE(out_.levels.empty());
}

TEST_F(BtseRest, OrderbookNumbersUnsortedAreNormalized) {
  const std::string body =
      R"({"buyQuote":[{"price":100,"size":1},{"price":101,"size":2},{"price":101,"size":"0.5"}],)"
      R"("sellQuote":[{"price":103,"size":1},{"price":102,"size":0}],"timestamp":1,"symbol":"BTC-USD"})";
  ASSERT_EQ(parse_rest_l2(reader_, body, table_, 0, kRecv, out_), ParseStatus::ok) << out_.error;
  ASSERT_EQ(out_.levels.size(), 3u);
  EXPECT_EQ(out_.levels[0], (LevelUpdate{Side::bid, 101'00000000, 2'50000000}));
  EXPECT_EQ(out_.levels[1], (LevelUpdate{Side::bid, 100'00000000, 1'00000000}));
  EXPECT_EQ(out_.levels[2], (LevelUpdate{Side::ask, 103'00000000, 1'00000000}));
}

TEST_F(BtseRest, Trades) {
  ASSERT_EQ(parse_rest_trades(reader_, fixture("rest_trades.json"), table_, 0, kRecv, out_),
            ParseStatus::ok)
      << out_.error;
  const Event& e = out_.events.at(0);
  EXPECT_EQ(e.kind, EventKind::trade);
  EXPECT_EQ(e.ts_exchange_us, 1624990097000000);
  const auto& t = std::get<TradeMsg>(e.body);
  EXPECT_EQ(dec(t.price), "36164");
  EXPECT_EQ(dec(t.qty), "0.035");
  EXPECT_EQ(t.side, -1);
  EXPECT_EQ(t.trade_id, 85997835);
}

TEST_F(BtseRest, TradesWithIntegralDoubleSerialIds) {
  ASSERT_EQ(parse_rest_trades(reader_, fixture("rest_trades_serial_double.json"), table_, 0, kRecv, out_),
            ParseStatus::ok)
      << out_.error;
  ASSERT_EQ(out_.events.size(), 2u);
  EXPECT_EQ(std::get<TradeMsg>(out_.events[0].body).trade_id, 85997835);
  EXPECT_EQ(std::get<TradeMsg>(out_.events[1].body).trade_id, 85997836);
  EXPECT_EQ(out_.detected, (std::vector<std::string_view>{"id_as_double", "id_as_double"}));
}

TEST_F(BtseRest, TradesWithFractionalSerialIdIsAnError) {
  EXPECT_EQ(parse_rest_trades(reader_, fixture("rest_trades_serial_fraction.json"), table_, 0, kRecv, out_),
            ParseStatus::error);
  EXPECT_EQ(out_.error, "btse trades: bad serialId");
  EXPECT_TRUE(out_.events.empty());
  EXPECT_TRUE(out_.detected.empty());
}

TEST_F(BtseRest, Ohlcv) {
  ASSERT_EQ(parse_ohlcv(reader_, fixture("rest_ohlcv.json"), table_, 0, CandleInterval::m1, kRecv,
                        out_),
            ParseStatus::ok)
      << out_.error;
  const Event& e = out_.events.at(0);
  EXPECT_EQ(e.kind, EventKind::candle);
  EXPECT_EQ(e.ts_exchange_us, kNone);
  const auto& c = std::get<CandleMsg>(e.body);
  EXPECT_EQ(c.interval, CandleInterval::m1);
  EXPECT_EQ(c.open_time_us, 1624987380000000);  // seconds on the wire
  EXPECT_EQ(c.close_time_us, 1624987440000000);
  EXPECT_EQ(dec(c.open), "36477");
  EXPECT_EQ(dec(c.high), "36477");
  EXPECT_EQ(dec(c.low), "36473.5");
  EXPECT_EQ(dec(c.close), "36473.5");
  EXPECT_EQ(dec(c.volume), "693.049");
  EXPECT_TRUE(c.closed);
}

TEST_F(BtseRest, OhlcvShortRowIsAnError) {
  EXPECT_EQ(parse_ohlcv(reader_, "[[1624987380, 1, 2, 3]]", table_, 0, CandleInterval::m1, kRecv,
                        out_),
            ParseStatus::error);
  EXPECT_EQ(out_.error, "btse ohlcv: row needs 6 values");
  EXPECT_TRUE(out_.events.empty());
}

TEST_F(BtseRest, PriceAndTime) {
  ASSERT_EQ(parse_price(reader_, fixture("rest_price.json"), table_, kRecv, out_), ParseStatus::ok);
  const auto& t = std::get<TickerMsg>(out_.events.at(0).body);
  EXPECT_EQ(dec(t.last), "36286.5");
  EXPECT_EQ(t.bid, kNone);
  int64_t us = 0;
  std::string err;
  ASSERT_EQ(parse_time(reader_, fixture("rest_time.json"), us, err), ParseStatus::ok) << err;
  EXPECT_EQ(us, 1624990470000000);
}

TEST_F(BtseRest, PublicApiOrderbook) {
  ASSERT_EQ(parse_public_orderbook(reader_, fixture("rest_public_orderbook.json"), table_, 1, kRecv,
                                   out_),
            ParseStatus::ok)
      << out_.error;
  const Event& e = out_.events.at(0);
  EXPECT_EQ(e.instrument, 1u);
  EXPECT_EQ(e.ts_exchange_us, 1786605670799000);
  EXPECT_EQ(std::get<BookMsg>(e.body).type, BookMsg::Type::replace);
  ASSERT_EQ(out_.levels.size(), 2u);
  EXPECT_EQ(dec(out_.levels[0].price), "1896.11");
  EXPECT_EQ(dec(out_.levels[0].qty), "0.015");
  EXPECT_EQ(dec(out_.levels[1].price), "1896.74");
  EXPECT_EQ(dec(out_.levels[1].qty), "0.945");
}

TEST_F(BtseRest, Resolutions) {
  EXPECT_EQ(resolution(CandleInterval::m1), "1");
  EXPECT_EQ(resolution(CandleInterval::m5), "5");
  EXPECT_EQ(resolution(CandleInterval::m15), "15");
  EXPECT_EQ(resolution(CandleInterval::m30), "30");
  EXPECT_EQ(resolution(CandleInterval::h1), "60");
  EXPECT_EQ(resolution(CandleInterval::h4), "240");
  EXPECT_EQ(resolution(CandleInterval::d1), "1440");
  EXPECT_EQ(resolution(CandleInterval::m3), "");
  EXPECT_EQ(resolution(CandleInterval::h2), "");
}

}  // namespace
}  // namespace mdhub::btse
