#include <gtest/gtest.h>

#include "feeds/coinbtr/parse.hpp"
#include "fixture.hpp"

namespace mdhub::coinbtr {
namespace {

using test::fixture;
using test::kRecv;
using test::px;

class CoinbtrParse : public ::testing::Test {
 protected:
  json::Reader rd;
  InstrumentTable tab = test::table();
  ParseOut out;
  ParseOptions opt;

  ParseStatus ws(const std::string& name) { return parse_ws_frame(rd, fixture(name), tab, opt, kRecv, out); }
  ParseStatus ws_text(std::string_view text) { return parse_ws_frame(rd, text, tab, opt, kRecv, out); }

  const BookMsg& book(size_t i) { return std::get<BookMsg>(out.events.at(i).body); }
  const TradeMsg& trade(size_t i) { return std::get<TradeMsg>(out.events.at(i).body); }
  const TickerMsg& ticker(size_t i) { return std::get<TickerMsg>(out.events.at(i).body); }
  const LevelUpdate& level(const BookMsg& b, size_t i) { return out.levels.at(b.level_begin + i); }

  void expect_level(const BookMsg& b, size_t i, Side side, const char* price, const char* qty) {
    const auto& lv = level(b, i);
    EXPECT_EQ(lv.side, side) << i;
    EXPECT_EQ(px(lv.price), price) << i;
    EXPECT_EQ(px(lv.qty), qty) << i;
  }
};

TEST_F(CoinbtrParse, MarketsFromPayload) {
  std::vector<Instrument> v;
  std::string err;
  ASSERT_EQ(parse_markets(rd, fixture("rest_markets.json"), v, err), ParseStatus::ok) << err;
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].venue, "coinbtr");
  EXPECT_EQ(v[0].symbol, "BTC-MXN");
  EXPECT_EQ(v[0].native, "BTC-MXN");
  EXPECT_EQ(v[0].base, "BTC");
  EXPECT_EQ(v[0].quote, "MXN");
  EXPECT_EQ(v[0].price_scale, 8);
  EXPECT_EQ(v[0].qty_scale, 8);
}

TEST_F(CoinbtrParse, MarketsPageGivesItsNextUrl) {
  std::vector<Instrument> v;
  std::string err, next = "stale";
  ASSERT_EQ(parse_markets(rd, fixture("rest_markets_page1.json"), v, err, &next), ParseStatus::ok) << err;
  EXPECT_EQ(next, "https://api.tauros.io/api/v2/trading/markets/?limit=1&offset=1");
  ASSERT_EQ(parse_markets(rd, fixture("rest_markets_page2.json"), v, err, &next), ParseStatus::ok) << err;
  EXPECT_EQ(next, "");  // null: the last page (its `previous` is not a next)
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].symbol, "BTC-MXN");
  EXPECT_EQ(v[1].symbol, "ETH-MXN");
  next = "stale";
  ASSERT_EQ(parse_markets(rd, fixture("rest_markets.json"), v, err, &next), ParseStatus::ok);
  EXPECT_EQ(next, "");
  EXPECT_EQ(parse_markets(rd, R"({"success":true,"next":"x?a=1","payload":{}})", v, err, &next), ParseStatus::error);
  EXPECT_EQ(next, "");
  EXPECT_EQ(v.size(), 3u);
}

TEST_F(CoinbtrParse, MarketsFromDataSkipsClosedAndUnnamed) {
  std::vector<Instrument> v;
  std::string err;
  ASSERT_EQ(parse_markets(rd, fixture("rest_markets_mixed.json"), v, err), ParseStatus::ok) << err;
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0].symbol, "BTC-MXN");
  EXPECT_EQ(v[1].symbol, "ETH-MXN");
  EXPECT_EQ(v[1].native, "ETH-MXN");
  EXPECT_EQ(v[2].symbol, "LTC-BTC");
  EXPECT_EQ(v[2].base, "LTC");
  EXPECT_EQ(v[2].quote, "BTC");
}

TEST_F(CoinbtrParse, LegacyMarketsUseTheNameNotTheReversedFields) {
  std::vector<Instrument> v;
  std::string err;
  ASSERT_EQ(parse_markets(rd, fixture("legacy_markets.json"), v, err), ParseStatus::ok) << err;
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].base, "BTC");
  EXPECT_EQ(v[0].quote, "MXN");
  EXPECT_EQ(v[1].symbol, "DASH-BTC");
}

TEST_F(CoinbtrParse, MarketsErrorEnvelope) {
  std::vector<Instrument> v{test::market("X", "Y")};
  std::string err;
  ASSERT_EQ(parse_markets(rd, fixture("rest_error.json"), v, err), ParseStatus::error);
  EXPECT_EQ(err, "venue error: Market does not exist code 404");
  EXPECT_EQ(v.size(), 1u);
}

TEST_F(CoinbtrParse, WsOrderbookReplace) {
  ASSERT_EQ(ws("ws_orderbook.json"), ParseStatus::ok) << out.error;
  ASSERT_EQ(out.events.size(), 1u);
  const Event& e = out.events[0];
  EXPECT_EQ(e.kind, EventKind::book);
  EXPECT_EQ(e.instrument, 0u);
  EXPECT_EQ(e.ts_exchange_us, kNone);
  EXPECT_EQ(e.recv.wall_ns, kRecv.wall_ns);
  EXPECT_EQ(e.recv.mono_ns, kRecv.mono_ns);
  const BookMsg& b = book(0);
  EXPECT_EQ(b.type, BookMsg::Type::replace);
  EXPECT_EQ(b.seq, 0u);
  EXPECT_EQ(b.prev_seq, 0u);
  ASSERT_EQ(b.level_count, 2u);
  expect_level(b, 0, Side::bid, "74750", "0.00531345");
  expect_level(b, 1, Side::ask, "75000", "0.026832");
  EXPECT_EQ(level(b, 0).price, 7475000000000);
}

TEST_F(CoinbtrParse, WsOrderbookSumsOrdersByPriceAndSorts) {
  // `data` comes before `type` here, numbers and strings are mixed, and a zero row is dropped.
  ASSERT_EQ(ws("ws_orderbook_same_price.json"), ParseStatus::ok) << out.error;
  ASSERT_EQ(out.events.size(), 1u);
  const BookMsg& b = book(0);
  ASSERT_EQ(b.level_count, 4u);
  expect_level(b, 0, Side::bid, "74750", "0.00531345");
  expect_level(b, 1, Side::bid, "74700", "0.3");
  expect_level(b, 2, Side::ask, "75000", "0.026833");
  expect_level(b, 3, Side::ask, "75100", "0.3");
}

TEST_F(CoinbtrParse, WsOrderbookBboAlone) {
  opt.book = false;
  opt.bbo = true;
  ASSERT_EQ(ws("ws_orderbook_same_price.json"), ParseStatus::ok) << out.error;
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_TRUE(out.levels.empty());
  const auto& bbo = std::get<BboMsg>(out.events[0].body);
  EXPECT_EQ(out.events[0].kind, EventKind::bbo);
  EXPECT_EQ(px(bbo.bid), "74750");
  EXPECT_EQ(px(bbo.bid_qty), "0.00531345");
  EXPECT_EQ(px(bbo.ask), "75000");
  EXPECT_EQ(px(bbo.ask_qty), "0.026833");
}

TEST_F(CoinbtrParse, WsOrderbookUnknownMarketIgnored) {
  EXPECT_EQ(ws("ws_orderbook_unknown_market.json"), ParseStatus::ignored);
  EXPECT_TRUE(out.events.empty());
  EXPECT_TRUE(out.levels.empty());
}

TEST_F(CoinbtrParse, WsOrderbookBadPriceRollsBack) {
  ASSERT_EQ(ws("ws_orderbook.json"), ParseStatus::ok);
  ASSERT_EQ(ws("ws_orderbook_bad_price.json"), ParseStatus::error);
  EXPECT_EQ(out.error, "orderbook: p: not a decimal number");
  EXPECT_EQ(out.events.size(), 1u);  // the earlier frame's book is untouched
  EXPECT_EQ(out.levels.size(), 2u);
}

TEST_F(CoinbtrParse, WsOrderbookMissingSideIsAnError) {
  ASSERT_EQ(ws("ws_orderbook_missing_side.json"), ParseStatus::error);
  EXPECT_EQ(out.error, "orderbook: book without bids or asks");
  EXPECT_TRUE(out.levels.empty());
}

TEST_F(CoinbtrParse, WsTickerWithEmbeddedTrade) {
  ASSERT_EQ(ws("ws_ticker.json"), ParseStatus::ok) << out.error;
  ASSERT_EQ(out.events.size(), 2u);
  EXPECT_EQ(out.events[0].kind, EventKind::ticker);
  EXPECT_EQ(out.events[0].ts_exchange_us, kNone);
  const TickerMsg& tk = ticker(0);
  EXPECT_EQ(px(tk.last), "1000500");
  EXPECT_EQ(px(tk.high), "1000500");
  EXPECT_EQ(px(tk.low), "490000");
  EXPECT_EQ(px(tk.volume_base), "0.00389249");
  EXPECT_EQ(tk.change_pct, kNone);  // variation's unit is unpublished
  EXPECT_EQ(tk.bid, kNone);
  EXPECT_EQ(tk.ask, kNone);
  EXPECT_EQ(tk.open, kNone);
  EXPECT_EQ(tk.volume_quote, kNone);
  EXPECT_EQ(out.events[1].kind, EventKind::trade);
  EXPECT_EQ(out.events[1].ts_exchange_us, 1614883000932000);  // float ms truncated
  const TradeMsg& tr = trade(1);
  EXPECT_EQ(px(tr.price), "1000500");
  EXPECT_EQ(px(tr.qty), "0.00009995");
  EXPECT_EQ(tr.side, 1);
  EXPECT_EQ(tr.trade_id, kNone);
}

TEST_F(CoinbtrParse, WsTickerVariationUnits) {
  opt.variation = VariationUnit::ratio;
  opt.ticker_trades = false;
  ASSERT_EQ(ws("ws_ticker.json"), ParseStatus::ok) << out.error;
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(format_decimal(ticker(0).change_pct, kPctScale), "10.0049975");
  out.clear();
  opt.variation = VariationUnit::percent;
  ASSERT_EQ(ws("ws_ticker.json"), ParseStatus::ok) << out.error;
  EXPECT_EQ(format_decimal(ticker(0).change_pct, kPctScale), "0.10004998");
}

TEST_F(CoinbtrParse, WsTickerMissingOptionalFields) {
  ASSERT_EQ(ws("ws_ticker_minimal.json"), ParseStatus::ok) << out.error;
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(px(ticker(0).last), "1000500");
  EXPECT_EQ(ticker(0).high, kNone);
  EXPECT_EQ(ticker(0).volume_base, kNone);
}

TEST_F(CoinbtrParse, WsTrades) {
  ASSERT_EQ(ws("ws_trades.json"), ParseStatus::ok) << out.error;
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(out.events[0].kind, EventKind::trade);
  EXPECT_EQ(out.events[0].instrument, 0u);
  EXPECT_EQ(out.events[0].ts_exchange_us, 1553747925659000);
  EXPECT_EQ(px(trade(0).price), "74500");
  EXPECT_EQ(px(trade(0).qty), "0.0034");
  EXPECT_EQ(trade(0).side, 1);
  EXPECT_EQ(trade(0).trade_id, kNone);
  out.clear();
  ASSERT_EQ(ws_text(R"({"channel":"trades","type":"ETH-MXN","data":[{"a":"1","p":"50000","s":0,"t":1}]})"),
            ParseStatus::ok);
  EXPECT_EQ(out.events[0].instrument, 1u);
  EXPECT_EQ(trade(0).side, -1);
  EXPECT_EQ(out.events[0].ts_exchange_us, 1000);
  out.clear();
  // Markets are matched case-insensitively (requests accept lower case too).
  ASSERT_EQ(ws_text(R"({"channel":"trades","type":"eth-mxn","data":[{"a":"1","p":"50000","s":"x","t":2}]})"),
            ParseStatus::ok);
  EXPECT_EQ(out.events[0].instrument, 1u);
  EXPECT_EQ(trade(0).side, 0);
}

TEST_F(CoinbtrParse, WsTradeWithoutTimeIsAnError) {
  EXPECT_EQ(ws_text(R"({"channel":"trades","type":"BTC-MXN","data":[{"a":"1","p":"50000","s":0}]})"),
            ParseStatus::error);
  EXPECT_EQ(out.error, "trades: missing t");
}

TEST_F(CoinbtrParse, WsControlFrames) {
  EXPECT_EQ(ws("ws_subscribe_reply.json"), ParseStatus::ignored);
  EXPECT_EQ(ws_text(R"({"message":"welcome"})"), ParseStatus::ignored);
  EXPECT_EQ(ws_text(R"({"channel":"candles","type":"BTC-MXN","data":[]})"), ParseStatus::ignored);
  EXPECT_TRUE(out.events.empty());
}

TEST_F(CoinbtrParse, WsPlainTextErrorFrame) {
  ASSERT_EQ(ws("ws_error.txt"), ParseStatus::error);
  EXPECT_EQ(out.error, "Error: market XYZ-MXN does not exist");
}

TEST_F(CoinbtrParse, WsBrokenJson) {
  ASSERT_EQ(ws("ws_malformed.json"), ParseStatus::error);
  EXPECT_EQ(out.error.rfind("bad JSON", 0), 0u) << out.error;
  EXPECT_TRUE(out.events.empty());
  EXPECT_EQ(ws_text(R"({"channel":"trades","type":"BTC-MXN","data":[]}})"), ParseStatus::error);
  EXPECT_EQ(out.error, "bad JSON: content after the top-level value");
  EXPECT_EQ(ws_text("[1,2]"), ParseStatus::error);
  EXPECT_EQ(out.error, "expected a JSON object");
  EXPECT_EQ(ws_text("pong"), ParseStatus::error);
  EXPECT_EQ(ws_text(R"({"channel":"orderbook","type":"BTC-MXN"})"), ParseStatus::error);
  EXPECT_EQ(out.error, "orderbook: missing data");
}

TEST_F(CoinbtrParse, RestOrderbook) {
  ASSERT_EQ(parse_rest_orderbook(rd, fixture("rest_orderbook.json"), tab, 0, opt, kRecv, out),
            ParseStatus::ok)
      << out.error;
  ASSERT_EQ(out.events.size(), 1u);
  const BookMsg& b = book(0);
  EXPECT_EQ(b.type, BookMsg::Type::replace);
  ASSERT_EQ(b.level_count, 2u);
  expect_level(b, 0, Side::bid, "985000.01", "0.01522842");
  expect_level(b, 1, Side::ask, "999998.99", "0.00143773");
  EXPECT_EQ(out.events[0].ts_exchange_us, kNone);
}

TEST_F(CoinbtrParse, RestOrderbookSumsOrdersAndCaps) {
  ASSERT_EQ(parse_rest_orderbook(rd, fixture("rest_orderbook_same_price.json"), tab, 1, opt, kRecv, out),
            ParseStatus::ok)
      << out.error;
  const BookMsg& b = book(0);
  EXPECT_EQ(out.events[0].instrument, 1u);
  ASSERT_EQ(b.level_count, 4u);
  expect_level(b, 0, Side::bid, "985000.01", "0.01522842");
  expect_level(b, 1, Side::bid, "985000", "0.75");
  expect_level(b, 2, Side::ask, "999998.99", "0.00143773");
  expect_level(b, 3, Side::ask, "999999", "0.3");
  out.clear();
  opt.rest_book_levels = 1;
  ASSERT_EQ(parse_rest_orderbook(rd, fixture("rest_orderbook_same_price.json"), tab, 1, opt, kRecv, out),
            ParseStatus::ok);
  ASSERT_EQ(book(0).level_count, 2u);
  expect_level(book(0), 0, Side::bid, "985000.01", "0.01522842");
  expect_level(book(0), 1, Side::ask, "999998.99", "0.00143773");
}

// The book's levels as (side, price, qty) text, bids then asks.
std::vector<std::string> levels_text(const ParseOut& o) {
  std::vector<std::string> v;
  for (const auto& lv : o.levels)
    v.push_back(std::string(lv.side == Side::bid ? "bid " : "ask ") + px(lv.price) + " " + px(lv.qty));
  return v;
}

TEST_F(CoinbtrParse, WsOrderbookTopTenOrdersSumToFewerLevelsAndAreRecognised) {
  ASSERT_EQ(ws("ws_orderbook_top_orders.json"), ParseStatus::ok) << out.error;
  // Ten orders a side on seven prices; the last level shows only its first order (0.7 of
  // 0.73, 1.05 of 1.06).
  EXPECT_EQ(levels_text(out), (std::vector<std::string>{
                                  "bid 75000 0.1", "bid 74990 0.25", "bid 74980 0.3", "bid 74970 0.41",
                                  "bid 74960 0.52", "bid 74950 0.6", "bid 74940 0.7",
                                  "ask 75100 0.4", "ask 75110 0.35", "ask 75120 1", "ask 75130 0.65",
                                  "ask 75140 1.6", "ask 75150 0.95", "ask 75160 1.05"}));
  EXPECT_EQ(out.detected, (std::vector<std::string_view>{"book_top_orders"}));
}

TEST_F(CoinbtrParse, WsOrderbookOrdersOfTenLevelsAreRecognised) {
  ASSERT_EQ(ws("ws_orderbook_top_levels.json"), ParseStatus::ok) << out.error;
  ASSERT_EQ(out.levels.size(), 20u);  // fifteen rows a side, ten prices
  EXPECT_EQ(levels_text(out)[9], "bid 74910 1");
  EXPECT_EQ(levels_text(out)[19], "ask 75190 1.37");
  EXPECT_EQ(out.detected, (std::vector<std::string_view>{"book_top_levels"}));
  // Fewer than ten rows tell neither.
  out.clear();
  ASSERT_EQ(ws("ws_orderbook_same_price.json"), ParseStatus::ok);
  EXPECT_TRUE(out.detected.empty());
}

TEST_F(CoinbtrParse, RestOrderbookCutToTheWindowOfThePushes) {
  // Nineteen orders a side: its best ten orders are the top-orders push, its best ten
  // levels the top-levels push, to the unit.
  const std::string rest = fixture("rest_orderbook_orders.json");
  ASSERT_EQ(ws("ws_orderbook_top_orders.json"), ParseStatus::ok);
  const auto top_orders = levels_text(out);
  out.clear();
  ASSERT_EQ(ws("ws_orderbook_top_levels.json"), ParseStatus::ok);
  const auto top_levels = levels_text(out);
  out.clear();
  opt.rest_book_orders = 10;
  opt.rest_book_levels = 10;
  ASSERT_EQ(parse_rest_orderbook(rd, rest, tab, 0, opt, kRecv, out), ParseStatus::ok) << out.error;
  EXPECT_EQ(levels_text(out), top_orders);
  EXPECT_TRUE(out.detected.empty());
  out.clear();
  opt.rest_book_orders = 0;
  ASSERT_EQ(parse_rest_orderbook(rd, rest, tab, 0, opt, kRecv, out), ParseStatus::ok);
  EXPECT_EQ(levels_text(out), top_levels);
  out.clear();
  opt.rest_book_orders = 3;
  ASSERT_EQ(parse_rest_orderbook(rd, rest, tab, 0, opt, kRecv, out), ParseStatus::ok);
  EXPECT_EQ(levels_text(out),
            (std::vector<std::string>{"bid 75000 0.1", "bid 74990 0.25", "ask 75100 0.4", "ask 75110 0.35"}));
  // The rows of one price keep the venue's order: with two orders kept, 74990 has only its
  // first (0.2) and 75100 both.
  out.clear();
  opt.rest_book_orders = 2;
  ASSERT_EQ(parse_rest_orderbook(rd, rest, tab, 0, opt, kRecv, out), ParseStatus::ok);
  EXPECT_EQ(levels_text(out), (std::vector<std::string>{"bid 75000 0.1", "bid 74990 0.2", "ask 75100 0.4"}));
}

TEST_F(CoinbtrParse, LegacyOrderbookAndTradesParse) {
  ASSERT_EQ(parse_rest_orderbook(rd, fixture("legacy_orderbook.json"), tab, 0, opt, kRecv, out),
            ParseStatus::ok)
      << out.error;
  ASSERT_EQ(book(0).level_count, 2u);
  expect_level(book(0), 0, Side::bid, "74500", "0.00269");
  expect_level(book(0), 1, Side::ask, "76000", "0.16743");
  out.clear();
  ASSERT_EQ(parse_rest_trades(rd, fixture("legacy_trades.json"), tab, 0, kRecv, out), ParseStatus::ok)
      << out.error;
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(out.events[0].ts_exchange_us, 1550632853549954);
  EXPECT_EQ(px(trade(0).price), "0.01276979");
  EXPECT_EQ(px(trade(0).qty), "1");
  EXPECT_EQ(trade(0).side, 0);
  EXPECT_EQ(trade(0).trade_id, kNone);
}

TEST_F(CoinbtrParse, RestTrades) {
  ASSERT_EQ(parse_rest_trades(rd, fixture("rest_trades.json"), tab, 0, kRecv, out), ParseStatus::ok)
      << out.error;
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(out.events[0].ts_exchange_us, 1629826923347801);
  EXPECT_EQ(px(trade(0).price), "998991.99");
  EXPECT_EQ(px(trade(0).qty), "0.0001001");
  EXPECT_EQ(trade(0).side, 1);
  EXPECT_EQ(trade(0).trade_id, 871104);
}

TEST_F(CoinbtrParse, RestTradeWithoutZoneIsAnError) {
  const char* body =
      R"({"success":true,"payload":[{"amount":"1","price":"2","created_at":"2021-08-24T12:42:03","id":1}]})";
  ASSERT_EQ(parse_rest_trades(rd, body, tab, 0, kRecv, out), ParseStatus::error);
  EXPECT_EQ(out.error, "trades: created_at: missing or not an ISO-8601 time with a zone");
  EXPECT_TRUE(out.events.empty());
}

TEST_F(CoinbtrParse, RestTickers) {
  ASSERT_EQ(parse_rest_tickers(rd, fixture("rest_tickers.json"), tab, kRecv, out), ParseStatus::ok)
      << out.error;
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(out.events[0].kind, EventKind::ticker);
  EXPECT_EQ(out.events[0].ts_exchange_us, kNone);
  const TickerMsg& tk = ticker(0);
  EXPECT_EQ(px(tk.last), "206140.7");
  EXPECT_EQ(px(tk.high), "206980.14");
  EXPECT_EQ(px(tk.low), "206018.21");
  EXPECT_EQ(px(tk.volume_base), "0.06895091");
  EXPECT_EQ(tk.bid, kNone);
  EXPECT_EQ(tk.ask, kNone);
  EXPECT_EQ(tk.change_pct, kNone);
}

TEST_F(CoinbtrParse, RestTickersSkipUnknownMarkets) {
  ASSERT_EQ(parse_rest_tickers(rd, fixture("rest_tickers_multi.json"), tab, kRecv, out), ParseStatus::ok)
      << out.error;
  ASSERT_EQ(out.events.size(), 2u);
  EXPECT_EQ(out.events[0].instrument, 0u);
  EXPECT_EQ(px(ticker(0).last), "206140.7");
  EXPECT_EQ(out.events[1].instrument, 1u);
  EXPECT_EQ(px(ticker(1).last), "55000");
  EXPECT_EQ(ticker(1).high, kNone);
}

TEST_F(CoinbtrParse, RestErrorEnvelope) {
  ASSERT_EQ(parse_rest_tickers(rd, fixture("rest_error.json"), tab, kRecv, out), ParseStatus::error);
  EXPECT_EQ(out.error, "tickers: venue error: Market does not exist code 404");
  ASSERT_EQ(parse_rest_orderbook(rd, R"({"success":true,"msg":null})", tab, 0, opt, kRecv, out),
            ParseStatus::error);
  EXPECT_EQ(out.error, "orderbook: missing payload");
  EXPECT_TRUE(out.events.empty());
}

}  // namespace
}  // namespace mdhub::coinbtr
