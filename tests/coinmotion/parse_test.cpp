#include <gtest/gtest.h>

#include "feeds/coinmotion/parse.hpp"
#include "fixture.hpp"

namespace mdhub::coinmotion {
namespace {

using test::fixture;
using test::kRecv;
using test::px;

class CoinmotionParse : public ::testing::Test {
 protected:
  json::Reader rd;
  InstrumentTable tab = test::table();
  ParseOut out;
  RatesOptions opt;

  ParseStatus rates(const std::string& name) { return parse_rates(rd, fixture(name), tab, opt, kRecv, out); }
  const TickerMsg& ticker(size_t i) { return std::get<TickerMsg>(out.events.at(i).body); }
  const BboMsg& bbo(size_t i) { return std::get<BboMsg>(out.events.at(i).body); }
};

TEST_F(CoinmotionParse, PairsFromShapeA) {
  std::vector<Instrument> v;
  std::string err;
  ASSERT_EQ(parse_rate_pairs(rd, fixture("rates_seed.json"), "EUR", v, err), ParseStatus::ok) << err;
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0].venue, "coinmotion");
  EXPECT_EQ(v[0].native, "btc");
  EXPECT_EQ(v[0].symbol, "BTC-EUR");
  EXPECT_EQ(v[0].base, "BTC");
  EXPECT_EQ(v[0].quote, "EUR");
  EXPECT_EQ(v[0].price_scale, 8);
  EXPECT_EQ(v[1].symbol, "LTC-EUR");
  EXPECT_EQ(v[2].symbol, "ETH-EUR");
}

TEST_F(CoinmotionParse, PairsFromShapeBSkipNonPairs) {
  std::vector<Instrument> v;
  std::string err;
  ASSERT_EQ(parse_rate_pairs(rd, fixture("rates_shape_b.json"), "EUR", v, err), ParseStatus::ok) << err;
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].native, "btcEur");
  EXPECT_EQ(v[0].symbol, "BTC-EUR");
  EXPECT_EQ(v[1].native, "ethEur");
  v.clear();
  ASSERT_EQ(parse_rate_pairs(rd, fixture("rates_edge.json"), "EUR", v, err), ParseStatus::ok) << err;
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[2].symbol, "BTC-SEK");
  EXPECT_EQ(v[2].quote, "SEK");
}

TEST_F(CoinmotionParse, PairsDefaultQuote) {
  std::vector<Instrument> v;
  std::string err;
  ASSERT_EQ(parse_rate_pairs(rd, fixture("rates_shape_a.json"), "usd", v, err), ParseStatus::ok) << err;
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].symbol, "BTC-USD");
}

TEST_F(CoinmotionParse, PairsErrors) {
  std::vector<Instrument> v;
  std::string err;
  EXPECT_EQ(parse_rate_pairs(rd, fixture("rates_v1.json"), "EUR", v, err), ParseStatus::error);
  EXPECT_EQ(err, "rates: no currency pairs in the payload");
  EXPECT_EQ(parse_rate_pairs(rd, fixture("rates_error.json"), "EUR", v, err), ParseStatus::error);
  EXPECT_EQ(err, "rates: venue error: Too many requests");
  EXPECT_TRUE(v.empty());
}

TEST_F(CoinmotionParse, ShapeA) {
  ASSERT_EQ(rates("rates_shape_a.json"), ParseStatus::ok) << out.error;
  ASSERT_EQ(out.events.size(), 2u);
  const Event& e = out.events[0];
  EXPECT_EQ(e.kind, EventKind::ticker);
  EXPECT_EQ(e.instrument, 0u);
  EXPECT_EQ(e.ts_exchange_us, 1564839246000000);
  EXPECT_EQ(e.recv.wall_ns, kRecv.wall_ns);
  const TickerMsg& tk = ticker(0);
  EXPECT_EQ(px(tk.bid), "9675.03");
  EXPECT_EQ(px(tk.ask), "9794.38");
  EXPECT_EQ(px(tk.low), "9327.15");
  EXPECT_EQ(tk.high, kNone);  // only the display string `fhigh`
  EXPECT_EQ(tk.last, kNone);
  EXPECT_EQ(tk.change_pct, kNone);
  EXPECT_EQ(tk.volume_base, kNone);
  EXPECT_EQ(out.events[1].kind, EventKind::bbo);
  EXPECT_EQ(out.events[1].ts_exchange_us, 1564839246000000);
  EXPECT_EQ(px(bbo(1).bid), "9675.03");
  EXPECT_EQ(bbo(1).bid_qty, kNone);
  EXPECT_EQ(px(bbo(1).ask), "9794.38");
  EXPECT_EQ(bbo(1).ask_qty, kNone);
}

TEST_F(CoinmotionParse, SeedExampleWithoutTimestamp) {
  ASSERT_EQ(rates("rates_seed.json"), ParseStatus::ok) << out.error;
  ASSERT_EQ(out.events.size(), 6u);
  EXPECT_EQ(out.events[0].ts_exchange_us, kNone);
  EXPECT_EQ(out.events[0].instrument, 0u);
  EXPECT_EQ(px(bbo(1).bid), "3494.61");
  EXPECT_EQ(px(bbo(1).ask), "3534.52");
  EXPECT_EQ(out.events[2].instrument, 2u);
  EXPECT_EQ(px(bbo(3).bid), "27.45");
  EXPECT_EQ(px(bbo(3).ask), "27.73");
  EXPECT_EQ(out.events[4].instrument, 1u);
  EXPECT_EQ(px(bbo(5).bid), "98.58");
}

TEST_F(CoinmotionParse, ShapeB) {
  ASSERT_EQ(rates("rates_shape_b.json"), ParseStatus::ok) << out.error;
  ASSERT_EQ(out.events.size(), 4u);
  EXPECT_EQ(out.events[0].ts_exchange_us, 1700000000000000);
  EXPECT_EQ(px(ticker(0).bid), "27450.12");
  EXPECT_EQ(px(ticker(0).ask), "27890.55");
  EXPECT_EQ(px(ticker(0).low), "27100");
  EXPECT_EQ(px(ticker(0).high), "28010");
  EXPECT_EQ(out.events[2].instrument, 1u);
  EXPECT_EQ(px(ticker(2).bid), "1801.2");
  EXPECT_EQ(px(ticker(2).ask), "1830.4");
  EXPECT_EQ(ticker(2).high, kNone);
  EXPECT_EQ(px(bbo(3).ask), "1830.4");
}

TEST_F(CoinmotionParse, EveryQuoteCurrencyOfTheNewerLayout) {
  std::vector<Instrument> v;
  std::string err;
  ASSERT_EQ(parse_rate_pairs(rd, fixture("rates_all_quotes.json"), "EUR", v, err), ParseStatus::ok) << err;
  ASSERT_EQ(v.size(), 4u);
  const char* want[][3] = {{"btcEur", "BTC", "EUR"}, {"btcSek", "BTC", "SEK"}, {"ethBtc", "ETH", "BTC"},
                           {"btcUsdc", "BTC", "USDC"}};
  for (size_t i = 0; i < v.size(); ++i) {
    EXPECT_EQ(v[i].native, want[i][0]);
    EXPECT_EQ(v[i].base, want[i][1]);
    EXPECT_EQ(v[i].quote, want[i][2]);
    EXPECT_EQ(v[i].symbol, std::string(want[i][1]) + "-" + want[i][2]);
  }
  InstrumentTable t;
  for (auto& inst : v) t.add(inst);
  opt.bbo = false;
  ASSERT_EQ(parse_rates(rd, fixture("rates_all_quotes.json"), t, opt, kRecv, out), ParseStatus::ok) << out.error;
  ASSERT_EQ(out.events.size(), 4u);
  const char* quotes[][2] = {{"55412.3", "55856.1"}, {"632310.55", "637370.05"}, {"0.049801", "0.050199"},
                             {"59752.61", "60231.17"}};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(out.events[i].instrument, i);
    EXPECT_EQ(px(ticker(i).bid), quotes[i][0]) << i;
    EXPECT_EQ(px(ticker(i).ask), quotes[i][1]) << i;
  }
  EXPECT_EQ(out.detected, std::vector<std::string_view>{"rates_by_pair"});
}

TEST_F(CoinmotionParse, TheLayoutIsRecognised) {
  ASSERT_EQ(rates("rates_shape_a.json"), ParseStatus::ok) << out.error;
  EXPECT_EQ(out.detected, std::vector<std::string_view>{"rates_by_crypto"});
  out.clear();
  ASSERT_EQ(rates("rates_shape_b.json"), ParseStatus::ok) << out.error;
  EXPECT_EQ(out.detected, std::vector<std::string_view>{"rates_by_pair"});
}

TEST_F(CoinmotionParse, QuoteMappingAndSanity) {
  // btcEur has buy > sell; ethEur has only buy; btcSek is not in the table.
  ASSERT_EQ(rates("rates_edge.json"), ParseStatus::ok) << out.error;
  ASSERT_EQ(out.events.size(), 4u);
  EXPECT_EQ(out.events[0].ts_exchange_us, 1700000000500000);
  EXPECT_EQ(px(bbo(1).bid), "27450.12");
  EXPECT_EQ(px(bbo(1).ask), "27900.5");
  EXPECT_EQ(px(bbo(3).bid), "1801.2");
  EXPECT_EQ(bbo(3).ask, kNone);

  out.clear();
  opt.order_quotes = false;
  ASSERT_EQ(rates("rates_edge.json"), ParseStatus::ok);
  EXPECT_EQ(px(bbo(1).bid), "27900.5");
  EXPECT_EQ(px(bbo(1).ask), "27450.12");

  out.clear();
  opt.buy_is_bid = false;
  ASSERT_EQ(rates("rates_shape_b.json"), ParseStatus::ok);
  EXPECT_EQ(px(bbo(1).bid), "27890.55");
  EXPECT_EQ(px(bbo(1).ask), "27450.12");
  out.clear();
  opt.order_quotes = true;
  ASSERT_EQ(rates("rates_shape_b.json"), ParseStatus::ok);
  EXPECT_EQ(px(bbo(1).bid), "27450.12");  // swapped back by the sanity rule
  EXPECT_EQ(px(ticker(0).ask), "27890.55");
}

TEST_F(CoinmotionParse, ChannelSelection) {
  opt.ticker = false;
  ASSERT_EQ(rates("rates_shape_b.json"), ParseStatus::ok);
  ASSERT_EQ(out.events.size(), 2u);
  EXPECT_EQ(out.events[0].kind, EventKind::bbo);
  EXPECT_EQ(out.events[1].kind, EventKind::bbo);
}

TEST_F(CoinmotionParse, Errors) {
  out.events.resize(1);  // earlier events of the caller stay
  ASSERT_EQ(rates("rates_error.json"), ParseStatus::error);
  EXPECT_EQ(out.error, "rates: venue error: Too many requests");
  ASSERT_EQ(rates("rates_error_payload.json"), ParseStatus::error);
  EXPECT_EQ(out.error, "rates: venue error: Service under maintenance");
  ASSERT_EQ(parse_rates(rd, R"({"success":true})", tab, opt, kRecv, out), ParseStatus::error);
  EXPECT_EQ(out.error, "rates: missing payload");
  ASSERT_EQ(parse_rates(rd, R"({"success":true,"payload":{"btc":{"currencyCode":"BTC","buy":"1","sell":"x"}}})",
                        tab, opt, kRecv, out),
            ParseStatus::error);
  EXPECT_EQ(out.error, "rates: btc: sell: not a decimal number");
  ASSERT_EQ(parse_rates(rd, R"({"success":true,"payload":{"btc":{"currencyCode":"BTC","buy":"1")", tab, opt,
                        kRecv, out),
            ParseStatus::error);
  EXPECT_EQ(out.error.rfind("rates: bad JSON", 0), 0u) << out.error;
  ASSERT_EQ(parse_rates(rd, "[]", tab, opt, kRecv, out), ParseStatus::error);
  EXPECT_EQ(out.error, "rates: expected an object");
  ASSERT_EQ(parse_rates(rd, R"({"success":true,"payload":{"timestamp":"soon"}})", tab, opt, kRecv, out),
            ParseStatus::error);
  EXPECT_EQ(out.error, "rates: timestamp: not a time in seconds");
  EXPECT_EQ(out.events.size(), 1u);
}

}  // namespace
}  // namespace mdhub::coinmotion
