#include <gtest/gtest.h>

#include "feeds/bitexbit/parse.hpp"
#include "fixture.hpp"

namespace mdhub::bitexbit {
namespace {

using test::fixture;
using test::kRecv;

class BitexbitParse : public ::testing::Test {
 protected:
  json::Reader rd;
  InstrumentTable tab = test::table();
  ParseOut out;

  // Renders a mantissa at instrument `i`'s price or quantity scale.
  std::string px(int64_t m, uint32_t i = 0) { return m == kNone ? "none" : format_decimal(m, tab[i].price_scale); }
  std::string qty(int64_t m, uint32_t i = 0) { return m == kNone ? "none" : format_decimal(m, tab[i].qty_scale); }
  void expect_level(size_t k, Side side, const char* price, const char* amount) {
    const auto& b = std::get<BookMsg>(out.events.back().body);
    const auto& lv = out.levels.at(b.level_begin + k);
    EXPECT_EQ(lv.side, side) << k;
    EXPECT_EQ(px(lv.price), price) << k;
    EXPECT_EQ(qty(lv.qty), amount) << k;
  }
  const TradeMsg& trade(size_t i) { return std::get<TradeMsg>(out.events.at(i).body); }
  const CandleMsg& candle(size_t i) { return std::get<CandleMsg>(out.events.at(i).body); }
};

TEST_F(BitexbitParse, Pairs) {
  std::vector<Instrument> v;
  std::string err;
  ASSERT_EQ(parse_pairs(rd, fixture("pairs.json"), v, err), ParseStatus::ok) << err;
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].venue, "bitexbit");
  EXPECT_EQ(v[0].symbol, "BTC-USD");
  EXPECT_EQ(v[0].native, "BTC_USD");
  EXPECT_EQ(v[0].base, "BTC");
  EXPECT_EQ(v[0].quote, "USD");
  EXPECT_EQ(v[0].price_scale, 3);
  EXPECT_EQ(v[0].qty_scale, 6);
}

TEST_F(BitexbitParse, PairsSkipDisabledAndClampPrecisions) {
  std::vector<Instrument> v;
  std::string err;
  ASSERT_EQ(parse_pairs(rd, fixture("pairs_mixed.json"), v, err), ParseStatus::ok) << err;
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0].symbol, "BTC-USD");
  EXPECT_EQ(v[1].symbol, "USDT-UAH");
  EXPECT_EQ(v[1].native, "usdt_uah");
  EXPECT_EQ(v[1].base, "USDT");
  EXPECT_EQ(v[1].price_scale, 2);  // numeric string
  EXPECT_EQ(v[1].qty_scale, 8);    // missing
  EXPECT_EQ(v[2].symbol, "SHIB-USDT");
  EXPECT_EQ(v[2].price_scale, kMaxPairScale);
  EXPECT_EQ(v[2].qty_scale, kMinPairScale);
}

TEST_F(BitexbitParse, PairsErrors) {
  std::vector<Instrument> v;
  std::string err;
  EXPECT_EQ(parse_pairs(rd, R"({"error":"nope"})", v, err), ParseStatus::error);
  EXPECT_EQ(err, "pairs: expected an array");
  EXPECT_EQ(parse_pairs(rd, R"([{"symbol":"BTC_USD","quote":"USD"}])", v, err), ParseStatus::error);
  EXPECT_EQ(err, "pairs: pair without base");
  EXPECT_TRUE(v.empty());
}

TEST_F(BitexbitParse, Tickers) {
  ASSERT_EQ(parse_tickers(rd, fixture("tickers.json"), tab, true, true, kRecv, out), ParseStatus::ok)
      << out.error;
  ASSERT_EQ(out.events.size(), 2u);
  const Event& e = out.events[0];
  EXPECT_EQ(e.kind, EventKind::ticker);
  EXPECT_EQ(e.instrument, 0u);
  EXPECT_EQ(e.ts_exchange_us, 1547535929556000);
  EXPECT_EQ(e.recv.wall_ns, kRecv.wall_ns);
  const auto& tk = std::get<TickerMsg>(e.body);
  EXPECT_EQ(px(tk.last), "3781.339");
  EXPECT_EQ(tk.last, 3781339);
  EXPECT_EQ(px(tk.bid), "3781.339");
  EXPECT_EQ(px(tk.ask), "3781.945");
  EXPECT_EQ(px(tk.high), "0");
  EXPECT_EQ(px(tk.low), "0");
  EXPECT_EQ(tk.change_pct, 0);
  EXPECT_EQ(tk.volume_base, 0);
  EXPECT_EQ(tk.volume_quote, 0);
  EXPECT_EQ(tk.open, kNone);
  const Event& b = out.events[1];
  EXPECT_EQ(b.kind, EventKind::bbo);
  EXPECT_EQ(b.ts_exchange_us, 1547535929556000);
  const auto& bbo = std::get<BboMsg>(b.body);
  EXPECT_EQ(px(bbo.bid), "3781.339");
  EXPECT_EQ(px(bbo.ask), "3781.945");
  EXPECT_EQ(bbo.bid_qty, kNone);
  EXPECT_EQ(bbo.ask_qty, kNone);
}

TEST_F(BitexbitParse, TickersMixedTypesUnknownSymbolsAndMissingFields) {
  ASSERT_EQ(parse_tickers(rd, fixture("tickers_multi.json"), tab, true, true, kRecv, out), ParseStatus::ok)
      << out.error;
  ASSERT_EQ(out.events.size(), 4u);
  const auto& eth = std::get<TickerMsg>(out.events[0].body);
  EXPECT_EQ(out.events[0].instrument, 1u);
  EXPECT_EQ(out.events[0].ts_exchange_us, 1700000000123000);
  EXPECT_EQ(px(eth.last, 1), "2050.5");
  EXPECT_EQ(px(eth.bid, 1), "0");
  EXPECT_EQ(px(eth.ask, 1), "2051.25");
  EXPECT_EQ(format_decimal(eth.change_pct, kPctScale), "-1.23456789");
  EXPECT_EQ(qty(eth.volume_base, 1), "12.3456");
  EXPECT_EQ(px(eth.volume_quote, 1), "25314.12");  // quote volume at the price scale
  EXPECT_EQ(px(eth.high, 1), "2100");
  EXPECT_EQ(px(eth.low, 1), "1999.99");
  const auto& eth_bbo = std::get<BboMsg>(out.events[1].body);
  EXPECT_EQ(eth_bbo.bid, kNone);  // "0": nobody bids
  EXPECT_EQ(px(eth_bbo.ask, 1), "2051.25");
  EXPECT_EQ(out.events[2].instrument, 0u);
  EXPECT_EQ(out.events[2].ts_exchange_us, kNone);
  const auto& btc = std::get<TickerMsg>(out.events[2].body);
  EXPECT_EQ(px(btc.last), "37000.5");
  EXPECT_EQ(btc.bid, kNone);
  EXPECT_EQ(btc.change_pct, kNone);
  EXPECT_EQ(std::get<BboMsg>(out.events[3].body).bid, kNone);
}

TEST_F(BitexbitParse, TickersChannelSelection) {
  ASSERT_EQ(parse_tickers(rd, fixture("tickers.json"), tab, false, true, kRecv, out), ParseStatus::ok);
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(out.events[0].kind, EventKind::bbo);
  out.clear();
  ASSERT_EQ(parse_tickers(rd, fixture("tickers.json"), tab, true, false, kRecv, out), ParseStatus::ok);
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(out.events[0].kind, EventKind::ticker);
}

TEST_F(BitexbitParse, TickerBadNumberRollsBack) {
  const char* body = R"([{"symbol":"BTC_USD","last":"1"},{"symbol":"ETH_USD","last":"x"}])";
  ASSERT_EQ(parse_tickers(rd, body, tab, true, true, kRecv, out), ParseStatus::error);
  EXPECT_EQ(out.error, "tickers: ETH_USD: last: not a decimal number");
  EXPECT_TRUE(out.events.empty());
}

TEST_F(BitexbitParse, DepthNumbers) {
  ASSERT_EQ(parse_depth(rd, fixture("depth.json"), tab, 0, kRecv, out), ParseStatus::ok) << out.error;
  ASSERT_EQ(out.events.size(), 1u);
  const Event& e = out.events[0];
  EXPECT_EQ(e.kind, EventKind::book);
  EXPECT_EQ(e.ts_exchange_us, 1568905003866091);
  const auto& b = std::get<BookMsg>(e.body);
  EXPECT_EQ(b.type, BookMsg::Type::replace);
  EXPECT_EQ(b.seq, 0u);
  ASSERT_EQ(b.level_count, 4u);
  expect_level(0, Side::bid, "2", "4");
  expect_level(1, Side::bid, "1", "1");
  expect_level(2, Side::ask, "1", "1");
  expect_level(3, Side::ask, "2", "4");
}

TEST_F(BitexbitParse, DepthStringsUnsortedDuplicatesAndZeros) {
  ASSERT_EQ(parse_depth(rd, fixture("depth_strings.json"), tab, 0, kRecv, out), ParseStatus::ok)
      << out.error;
  EXPECT_EQ(out.events[0].ts_exchange_us, 1568905003866091);  // 7th decimal truncated
  const auto& b = std::get<BookMsg>(out.events[0].body);
  ASSERT_EQ(b.level_count, 5u);
  expect_level(0, Side::bid, "3781.339", "0.01");
  expect_level(1, Side::bid, "3779.1", "0.75");
  expect_level(2, Side::ask, "3781.945", "0.2");
  expect_level(3, Side::ask, "3785.5", "0.3");
  expect_level(4, Side::ask, "3790", "1");
}

TEST_F(BitexbitParse, DepthErrors) {
  ASSERT_EQ(parse_depth(rd, fixture("depth_wrong_symbol.json"), tab, 0, kRecv, out), ParseStatus::error);
  EXPECT_EQ(out.error, "depth: symbol ETH_USD in the answer for BTC_USD");
  EXPECT_EQ(parse_depth(rd, R"({"date":1,"bids":[]})", tab, 0, kRecv, out), ParseStatus::error);
  EXPECT_EQ(out.error, "depth: missing bids or asks");
  EXPECT_EQ(parse_depth(rd, R"({"bids":[[1]],"asks":[]})", tab, 0, kRecv, out), ParseStatus::error);
  EXPECT_EQ(out.error, "depth: level with fewer than 2 fields");
  EXPECT_EQ(parse_depth(rd, R"({"bids":[[1,-2]],"asks":[]})", tab, 0, kRecv, out), ParseStatus::error);
  EXPECT_EQ(out.error, "depth: level with a non-positive price or negative amount");
  EXPECT_EQ(parse_depth(rd, R"({"bids":[[1,2]],"asks":[]}})", tab, 0, kRecv, out), ParseStatus::error);
  EXPECT_EQ(out.error, "depth: bad JSON: content after the top-level value");
  EXPECT_EQ(parse_depth(rd, R"({"bids":[[1,2]],"asks":[)", tab, 0, kRecv, out), ParseStatus::error);
  EXPECT_EQ(out.error.rfind("depth: bad JSON", 0), 0u) << out.error;
  EXPECT_TRUE(out.events.empty());
  EXPECT_TRUE(out.levels.empty());
}

TEST_F(BitexbitParse, Trades) {
  TradesPage page;
  ASSERT_EQ(parse_trades(rd, fixture("trades.json"), tab, 0, kNone, kRecv, out, page), ParseStatus::ok)
      << out.error;
  EXPECT_EQ(page.rows, 1u);
  EXPECT_EQ(page.max_id, 17802900);
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(out.events[0].kind, EventKind::trade);
  EXPECT_EQ(out.events[0].ts_exchange_us, 1543252041327000);
  EXPECT_EQ(px(trade(0).price), "6609");
  EXPECT_EQ(qty(trade(0).qty), "0.000756");
  EXPECT_EQ(trade(0).side, 1);
  EXPECT_EQ(trade(0).trade_id, 17802900);
}

TEST_F(BitexbitParse, TradesSortedByIdFilteredAndUnique) {
  TradesPage page;
  ASSERT_EQ(parse_trades(rd, fixture("trades_page2.json"), tab, 0, 17802903, kRecv, out, page),
            ParseStatus::ok)
      << out.error;
  EXPECT_EQ(page.rows, 4u);
  EXPECT_EQ(page.max_id, 17802907);
  ASSERT_EQ(out.events.size(), 2u);
  EXPECT_EQ(trade(0).trade_id, 17802905);
  EXPECT_EQ(trade(0).side, -1);
  EXPECT_EQ(px(trade(0).price), "6612");
  EXPECT_EQ(trade(1).trade_id, 17802907);
  EXPECT_EQ(out.events[1].ts_exchange_us, 1543252045000000);
}

TEST_F(BitexbitParse, TradesPageOrderAndInclusiveCursorEitherWay) {
  // The same trades newest first (the venue's example) and oldest first, since_id 103 included.
  for (const char* name : {"trades_newest_incl_gap.json", "trades_oldest_incl_p1.json"}) {
    SCOPED_TRACE(name);
    out.clear();
    TradesPage page;
    ASSERT_EQ(parse_trades(rd, fixture(name), tab, 0, 103, kRecv, out, page), ParseStatus::ok) << out.error;
    const bool newest = std::string_view(name).starts_with("trades_newest");
    EXPECT_EQ(page.rows, 4u);
    EXPECT_EQ(page.min_id, 103);
    EXPECT_EQ(page.max_id, 108);
    EXPECT_EQ(page.first_id, newest ? 108 : 103);
    EXPECT_EQ(page.last_id, newest ? 103 : 108);
    EXPECT_EQ(page.order(), newest ? -1 : 1);
    EXPECT_TRUE(page.saw_after);
    ASSERT_EQ(out.events.size(), 3u);  // 103 is the cursor's own row
    EXPECT_EQ(trade(0).trade_id, 105);
    EXPECT_EQ(px(trade(0).price), "6605.105");
    EXPECT_EQ(qty(trade(0).qty), "0.000105");
    EXPECT_EQ(trade(0).side, 1);
    EXPECT_EQ(out.events[0].ts_exchange_us, 1700000105000000);
    EXPECT_EQ(trade(1).trade_id, 106);
    EXPECT_EQ(trade(1).side, -1);
    EXPECT_EQ(trade(2).trade_id, 108);
  }
  // An exclusive since_id: the cursor's row is absent; one row has no order.
  out.clear();
  TradesPage page;
  ASSERT_EQ(parse_trades(rd, fixture("trades_newest_excl_gap.json"), tab, 0, 103, kRecv, out, page), ParseStatus::ok);
  EXPECT_FALSE(page.saw_after);
  EXPECT_EQ(page.order(), -1);
  ASSERT_EQ(parse_trades(rd, fixture("trades_newest_incl_tail.json"), tab, 0, 112, kRecv, out, page), ParseStatus::ok);
  EXPECT_EQ(page.order(), 0);
  EXPECT_TRUE(page.saw_after);
  ASSERT_EQ(parse_trades(rd, "[]", tab, 0, 112, kRecv, out, page), ParseStatus::ok);
  EXPECT_EQ(page.order(), 0);
  EXPECT_EQ(page.min_id, kNone);
}

TEST_F(BitexbitParse, TradesErrors) {
  TradesPage page;
  EXPECT_EQ(parse_trades(rd, R"([{"price":"1","amount":"1"}])", tab, 0, kNone, kRecv, out, page),
            ParseStatus::error);
  EXPECT_EQ(out.error, "trades: trade without an integer id");
  EXPECT_EQ(parse_trades(rd, R"([{"id":1,"symbol":"ETH_USD","price":"1","amount":"1"}])", tab, 0, kNone,
                         kRecv, out, page),
            ParseStatus::error);
  EXPECT_EQ(out.error, "trades: symbol ETH_USD in the answer for BTC_USD");
  EXPECT_EQ(parse_trades(rd, R"([{"id":1,"amount":"1"}])", tab, 0, kNone, kRecv, out, page),
            ParseStatus::error);
  EXPECT_EQ(out.error, "trades: missing price");
  EXPECT_TRUE(out.events.empty());
}

TEST_F(BitexbitParse, OhlcvSeconds) {
  ASSERT_EQ(parse_ohlcv(rd, fixture("ohlcv.json"), tab, 0, CandleInterval::m5, TimeUnit::automatic, kRecv, out),
            ParseStatus::ok)
      << out.error;
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(out.events[0].kind, EventKind::candle);
  EXPECT_EQ(out.events[0].ts_exchange_us, kNone);
  const CandleMsg& c = candle(0);
  EXPECT_EQ(c.interval, CandleInterval::m5);
  EXPECT_EQ(c.open_time_us, 1477958400000000);
  EXPECT_EQ(c.close_time_us, 1477958700000000);
  EXPECT_TRUE(c.closed);
  EXPECT_EQ(px(c.open), "715");
  EXPECT_EQ(px(c.high), "720.2");
  EXPECT_EQ(px(c.low), "715");
  EXPECT_EQ(px(c.close), "717");
  EXPECT_EQ(qty(c.volume), "0.019249");  // rounded to the pair's 6 amount decimals
}

TEST_F(BitexbitParse, OhlcvMillisecondsSortedAndOpenCandle) {
  const RecvTime t{1700000400000000000, 1};
  ASSERT_EQ(parse_ohlcv(rd, fixture("ohlcv_ms.json"), tab, 1, CandleInterval::m5, TimeUnit::automatic, t, out),
            ParseStatus::ok)
      << out.error;
  ASSERT_EQ(out.events.size(), 2u);
  EXPECT_EQ(candle(0).open_time_us, 1700000000000000);
  EXPECT_TRUE(candle(0).closed);
  EXPECT_EQ(px(candle(0).high, 1), "37012.25");
  EXPECT_EQ(qty(candle(0).volume, 1), "2.25");
  EXPECT_EQ(candle(1).open_time_us, 1700000300000000);
  EXPECT_EQ(candle(1).close_time_us, 1700000600000000);
  EXPECT_FALSE(candle(1).closed);
}

TEST_F(BitexbitParse, OhlcvV1Objects) {
  ASSERT_EQ(parse_ohlcv(rd, fixture("ohlcv_v1_objects.json"), tab, 0, CandleInterval::h1, TimeUnit::seconds,
                        kRecv, out),
            ParseStatus::ok)
      << out.error;
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(candle(0).open_time_us, 1485777600000000);
  EXPECT_EQ(candle(0).close_time_us, 1485781200000000);
  EXPECT_EQ(px(candle(0).open), "910.424");
  EXPECT_EQ(px(candle(0).close), "911.915");
  EXPECT_EQ(qty(candle(0).volume), "0.262929");
}

TEST_F(BitexbitParse, OhlcvErrors) {
  EXPECT_EQ(parse_ohlcv(rd, R"([[1477958400,"1","2","3"]])", tab, 0, CandleInterval::m5, TimeUnit::automatic,
                        kRecv, out),
            ParseStatus::error);
  EXPECT_EQ(out.error, "ohlcv: candle with fewer than 6 fields");
  EXPECT_EQ(parse_ohlcv(rd, R"([["soon","1","2","3","4","5"]])", tab, 0, CandleInterval::m5,
                        TimeUnit::automatic, kRecv, out),
            ParseStatus::error);
  EXPECT_EQ(out.error, "ohlcv: candle time is not an integer");
  EXPECT_TRUE(out.events.empty());
}

TEST(BitexbitTime, CandleTimeUnits) {
  EXPECT_EQ(candle_time_us(1477958400, TimeUnit::automatic), 1477958400000000);
  EXPECT_EQ(candle_time_us(1477958400000, TimeUnit::automatic), 1477958400000000);
  EXPECT_EQ(candle_time_us(99999999999, TimeUnit::automatic), 99999999999000000);
  EXPECT_EQ(candle_time_us(100000000000, TimeUnit::automatic), 100000000000000);
  EXPECT_EQ(candle_time_us(1477958400, TimeUnit::millis), 1477958400000);
  EXPECT_EQ(candle_time_us(10000000000000, TimeUnit::seconds), kNone);  // out of range
  EXPECT_EQ(candle_time_us(-1, TimeUnit::automatic), kNone);
}

TEST(BitexbitTime, Timeframes) {
  CandleInterval iv;
  ASSERT_TRUE(timeframe_interval("5", iv));
  EXPECT_EQ(iv, CandleInterval::m5);
  ASSERT_TRUE(timeframe_interval("240", iv));
  EXPECT_EQ(iv, CandleInterval::h4);
  ASSERT_TRUE(timeframe_interval("D", iv));
  EXPECT_EQ(iv, CandleInterval::d1);
  EXPECT_FALSE(timeframe_interval("1", iv));
  EXPECT_EQ(timeframe_name(CandleInterval::h1), "60");
  EXPECT_EQ(timeframe_name(CandleInterval::m1), "");
}

}  // namespace
}  // namespace mdhub::bitexbit
