// The simulator's cross-currency truth: exact arithmetic, the one-rate-per-pair choice, the
// path rule and the answers' shape, on hand-made books whose figures are worked out in the
// comments (exact fractions, rounded half even).
#include "src/sim/fx_truth.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include "book/decimal.hpp"

#include <string>
#include <vector>

namespace mdhub::sim::fx {
namespace {

namespace dom = simdjson::dom;

Source src(std::string venue, std::string base, std::string quote, int ps, std::vector<Level> bids,
           std::vector<Level> asks, bool has_book = true) {
  return {std::move(venue), base + "-" + quote, base, quote, has_book, ps, 4, std::move(bids), std::move(asks)};
}

// a: BTC-USD 60000 / 60010, USDT-USD 1.0000 / 1.0002 (mid 1.0001);
// b: BTC-TRY 1950000 / 1950100, USDT-TRY 32.500 / 32.510 (mid 32.505), ETH-TRY 97500 / 97600.
std::vector<Source> market() {
  return {src("a", "BTC", "USD", 2, {{6000000, 5000}}, {{6001000, 7000}}),
          src("a", "USDT", "USD", 4, {{10000, 10}}, {{10002, 10}}),
          src("b", "BTC", "TRY", 0, {{1950000, 2500}, {1949000, 100}}, {{1950100, 3000}}),
          src("b", "USDT", "TRY", 3, {{32500, 10}}, {{32510, 10}}),
          src("b", "ETH", "TRY", 0, {{97500, 10000}}, {{97600, 10000}})};
}

Params params(std::string pegs = "") {
  Params p;
  std::string err;
  EXPECT_TRUE(parse_params(nullptr, nullptr, &pegs, nullptr, nullptr, p, err)) << err;
  return p;
}

struct Parsed {
  dom::parser parser;
  dom::element root;
  explicit Parsed(const std::string& body) { root = parser.parse(body); }
};

std::string str(dom::element e) { return std::string(std::string_view(e)); }

TEST(SimFxTruth, RoundsHalfEvenAndReportsOverflow) {
  int64_t out = 0;
  ASSERT_TRUE(round_half_even(5, 2, 0, out));
  EXPECT_EQ(out, 2);  // 2.5 -> 2
  ASSERT_TRUE(round_half_even(7, 2, 0, out));
  EXPECT_EQ(out, 4);  // 3.5 -> 4
  ASSERT_TRUE(round_half_even(2, 3, 2, out));
  EXPECT_EQ(out, 67);
  ASSERT_TRUE(round_half_even(1, 3, 12, out));
  EXPECT_EQ(out, 333333333333);
  ASSERT_TRUE(round_half_even(-5, 2, 0, out));
  EXPECT_EQ(out, -2);
  ASSERT_TRUE(round_half_even(125, 1000, 2, out));
  EXPECT_EQ(out, 12);  // 0.125 -> 0.12
  ASSERT_TRUE(round_half_even(135, 1000, 2, out));
  EXPECT_EQ(out, 14);  // 0.135 -> 0.14
  EXPECT_FALSE(round_half_even(INT64_MAX, 1, 1, out));
  EXPECT_FALSE(round_half_even(1, 0, 0, out));
}

TEST(SimFxTruth, ConvertsThroughTheShortestPathWithTheRateRoundedTo12Decimals) {
  const Answer a = book(market(), "BTC", "USD", params());
  ASSERT_EQ(a.status, 200u) << a.body;
  Parsed j(a.body);
  EXPECT_EQ(str(j.root["venue"]), "fx");
  EXPECT_EQ(str(j.root["symbol"]), "BTC-USD");
  EXPECT_EQ(int64_t(j.root["price_scale"]), 8);
  EXPECT_EQ(int64_t(j.root["rate_scale"]), 12);
  // TRY -> USDT -> USD (BTC, the base, is no way): 1.0001 / 32.505 = 0.0307675742193... ->
  // 0.030767574219; 1950000 x r = 59996.7697270500 -> 59996.76972705.
  dom::array bids = j.root["bids"];
  ASSERT_EQ(bids.size(), 3u);
  EXPECT_EQ(str(bids.at(0).at(0)), "60000");
  EXPECT_EQ(str(bids.at(0).at(1)), "0.5");
  EXPECT_EQ(str(bids.at(0).at(2)["venue"]), "a");
  EXPECT_EQ(str(bids.at(0).at(2)["rate"]), "1");
  EXPECT_EQ(str(bids.at(1).at(0)), "59996.76972705");
  EXPECT_EQ(str(bids.at(1).at(1)), "0.25");
  EXPECT_EQ(str(bids.at(1).at(2)["symbol"]), "BTC-TRY");
  EXPECT_EQ(str(bids.at(1).at(2)["price"]), "1950000");
  EXPECT_EQ(str(bids.at(1).at(2)["rate"]), "0.030767574219");
  EXPECT_EQ(str(bids.at(2).at(2)["price"]), "1949000");
  // Asks lowest first: 1950100 x r = 59999.84648447 before 60010.
  dom::array asks = j.root["asks"];
  ASSERT_EQ(asks.size(), 2u);
  EXPECT_EQ(str(asks.at(0).at(0)), "59999.84648447");
  EXPECT_EQ(str(asks.at(1).at(0)), "60010");
  dom::array venues = j.root["venues"];
  ASSERT_EQ(venues.size(), 2u);
  EXPECT_FALSE(bool(venues.at(0)["converted"]));
  EXPECT_EQ(dom::array(venues.at(0)["path"]).size(), 0u);
  dom::array path = venues.at(1)["path"];
  ASSERT_EQ(path.size(), 2u);
  EXPECT_EQ(str(path.at(0)["from"]), "TRY");
  EXPECT_EQ(str(path.at(0)["to"]), "USDT");
  EXPECT_EQ(str(path.at(0)["source"]), "b");
  EXPECT_EQ(str(path.at(0)["symbol"]), "USDT-TRY");
  EXPECT_EQ(str(path.at(0)["mid"]), "32.505");
  EXPECT_TRUE(path.at(0)["age_ms"].is_null());
  EXPECT_EQ(str(path.at(1)["symbol"]), "USDT-USD");
  EXPECT_EQ(str(path.at(1)["mid"]), "1.0001");
  EXPECT_EQ(dom::array(j.root["excluded"]).size(), 0u);
  // depth cuts each side.
  Params p = params();
  p.depth = 1;
  Parsed cut(book(market(), "BTC", "USD", p).body);
  EXPECT_EQ(dom::array(cut.root["bids"]).size(), 1u);
  EXPECT_EQ(dom::array(cut.root["asks"]).size(), 1u);
}

TEST(SimFxTruth, EqualPathsTakeTheSmallestIntermediatesAndNeverTheBase) {
  // ETH-TRY into USD: TRY -> BTC -> USD and TRY -> USDT -> USD are both two hops; BTC < USDT.
  // 60005 / 1950050 = 0.0307710058716... -> 0.030771005872; 97500 x r = 3000.17307252.
  Parsed j(book(market(), "ETH", "USD", params()).body);
  dom::array path = j.root["venues"].at(0)["path"];
  ASSERT_EQ(path.size(), 2u);
  EXPECT_EQ(str(path.at(0)["to"]), "BTC");
  EXPECT_EQ(str(path.at(0)["mid"]), "1950050");
  EXPECT_EQ(str(path.at(1)["symbol"]), "BTC-USD");
  EXPECT_EQ(str(j.root["venues"].at(0)["rate"]), "0.030771005872");
  EXPECT_EQ(str(j.root["bids"].at(0).at(0)), "3000.17307252");
}

TEST(SimFxTruth, OneRatePerPairVenuesFirstThenPreferThenName) {
  std::vector<Source> m = market();
  // c quotes USD-USDT too (the reversed instrument): 1 / 0.9990 would be its USDT-USD rate.
  m.push_back(src("c", "USD", "USDT", 4, {{9980, 10}}, {{10000, 10}}));
  auto usdt_hop = [](const std::vector<Source>& s, const Params& p) {
    Parsed j(book(s, "BTC", "USD", p).body);
    return str(j.root["venues"].at(1)["path"].at(1)["source"]) + " " +
           str(j.root["venues"].at(1)["path"].at(1)["symbol"]) + " " + str(j.root["venues"].at(1)["rate"]);
  };
  // By venue name: a before c.
  EXPECT_EQ(usdt_hop(m, params()), "a USDT-USD 0.030767574219");
  // prefer names c first: USDT -> USD divides by c's mid 0.999: 1 / (32.505 x 0.999) =
  // 0.0307952930... -> 0.030795293063.
  Params p = params();
  p.prefer = {"c"};
  EXPECT_EQ(usdt_hop(m, p), "c USD-USDT 0.030795293063");
  // A static peg only when no venue quotes the pair; its mid is the rate, its age null.
  m.erase(m.begin() + 1);
  m.pop_back();
  Parsed j(book(m, "BTC", "USD", params("USDT=USD")).body);
  dom::element hop = j.root["venues"].at(1)["path"].at(1);
  EXPECT_EQ(str(hop["source"]), "static");
  EXPECT_EQ(str(hop["symbol"]), "USDT-USD");
  EXPECT_EQ(str(hop["mid"]), "1");
  EXPECT_EQ(str(j.root["venues"].at(1)["rate"]), "0.03076449777");  // 1 / 32.505, shortest form
  // A venue book with one side empty is no rate source.
  m[2].asks.clear();  // USDT-TRY
  Parsed none(book(m, "BTC", "USD", params("USDT=USD")).body);
  ASSERT_EQ(dom::array(none.root["excluded"]).size(), 1u);
  EXPECT_EQ(str(none.root["excluded"].at(0)["reason"]), "no_fx_path");
  EXPECT_EQ(str(none.root["excluded"].at(0)["symbol"]), "BTC-TRY");
}

TEST(SimFxTruth, ErrorsForUnknownBasesMissingPathsAndBadCodes) {
  Answer a = book(market(), "DOGE", "USD", params());
  EXPECT_EQ(a.status, 404u);
  EXPECT_NE(a.body.find("\"unknown_symbol\""), std::string::npos) << a.body;
  a = book(market(), "BTC", "JPY", params());
  EXPECT_EQ(a.status, 404u);
  EXPECT_NE(a.body.find("\"no_fx_path\""), std::string::npos) << a.body;
  EXPECT_NE(a.body.find("b BTC-TRY is quoted in TRY"), std::string::npos) << a.body;
  for (const char* bad : {"btc", "B", "BTC$", "ABCDEFGHIJKLM"}) {
    a = book(market(), bad, "USD", params());
    EXPECT_EQ(a.status, 400u) << bad;
    EXPECT_NE(a.body.find("\"bad_param\""), std::string::npos) << a.body;
  }
  EXPECT_EQ(premium(market(), "BTC", "usd", params()).status, 400u);
  EXPECT_EQ(book(market(), "BTC", "BTC", params()).status, 400u);
}

TEST(SimFxTruth, PremiumShowsEachVenuesDistanceFromTheBest) {
  std::vector<Source> m = market();
  // A quote-only venue: in the premium view, not in the fx book.
  m.push_back(src("q", "BTC", "USD", 2, {{5990000, kNone}}, {{6002000, kNone}}, false));
  Parsed fxb(book(m, "BTC", "USD", params()).body);
  EXPECT_EQ(dom::array(fxb.root["venues"]).size(), 2u);
  const Answer a = premium(m, "BTC", "USD", params());
  ASSERT_EQ(a.status, 200u) << a.body;
  Parsed j(a.body);
  EXPECT_EQ(str(j.root["base"]), "BTC");
  EXPECT_EQ(str(j.root["quote"]), "USD");
  EXPECT_EQ(str(j.root["best_bid"]["venue"]), "a");
  EXPECT_EQ(str(j.root["best_bid"]["price"]), "60000");
  EXPECT_EQ(str(j.root["best_ask"]["venue"]), "b");
  EXPECT_EQ(str(j.root["best_ask"]["price"]), "59999.84648447");
  dom::array v = j.root["venues"];
  ASSERT_EQ(v.size(), 3u);
  // By ask_bp: b 0.00; q (60020 - 59999.84648447) / 59999.84648447 x 10000 = 3.359...;
  // a (60010 - ...) = 1.692... -> a before q.
  EXPECT_EQ(str(v.at(0)["venue"]), "b");
  EXPECT_EQ(str(v.at(0)["ask_bp"]), "0.00");
  // (60000 - 59996.76972705) / 60000 x 10000 = 0.5383... -> 0.54
  EXPECT_EQ(str(v.at(0)["bid_bp"]), "0.54");
  EXPECT_TRUE(bool(v.at(0)["converted"]));
  EXPECT_EQ(str(v.at(1)["venue"]), "a");
  EXPECT_EQ(str(v.at(1)["ask_bp"]), "1.69");
  EXPECT_EQ(str(v.at(1)["bid_bp"]), "0.00");
  EXPECT_TRUE(v.at(1)["rate_age_ms"].is_null());
  EXPECT_EQ(str(v.at(2)["venue"]), "q");
  EXPECT_EQ(str(v.at(2)["bid"]), "59900");
  EXPECT_EQ(str(v.at(2)["bid_bp"]), "16.67");  // 100 / 60000 x 10000 = 16.666...
  EXPECT_EQ(str(v.at(2)["ask_bp"]), "3.36");
}

TEST(SimFxTruth, ParamsDefaultToThePrintedConfigAndRefuseBadValues) {
  Params p;
  std::string err;
  ASSERT_TRUE(parse_params(nullptr, nullptr, nullptr, nullptr, nullptr, p, err));
  EXPECT_EQ(p.price_scale, 8);
  EXPECT_EQ(p.depth, 50u);
  ASSERT_EQ(p.rates.size(), 1u);
  EXPECT_EQ(p.rates[0].a + "=" + p.rates[0].b, "USDC=USD");
  const std::string rates = "EUR-USD:1.08", pegs = "USDT=USD,USDC=USD", prefer = "btse,narkasa", ps = "2";
  ASSERT_TRUE(parse_params(&ps, nullptr, &pegs, &rates, &prefer, p, err)) << err;
  EXPECT_EQ(p.price_scale, 2);
  ASSERT_EQ(p.rates.size(), 3u);  // rates before pegs
  EXPECT_EQ(p.rates[0].mantissa, 108);
  EXPECT_EQ(p.rates[0].scale, 2);
  EXPECT_FALSE(p.rates[0].peg);
  EXPECT_EQ(p.rates[1].a, "USDT");
  EXPECT_EQ(p.prefer, (std::vector<std::string>{"btse", "narkasa"}));
  for (const std::string bad : {"13", "-1", "x"}) EXPECT_FALSE(parse_params(&bad, nullptr, nullptr, nullptr, nullptr, p, err));
  for (const std::string bad : {"0", "5001"}) EXPECT_FALSE(parse_params(nullptr, &bad, nullptr, nullptr, nullptr, p, err));
  for (const std::string bad : {"USDT", "USDT=USDT", "usdt=USD"})
    EXPECT_FALSE(parse_params(nullptr, nullptr, &bad, nullptr, nullptr, p, err)) << bad;
  for (const std::string bad : {"EUR-USD", "EUR-USD:0", "EUR-USD:x", "EURUSD:1"})
    EXPECT_FALSE(parse_params(nullptr, nullptr, nullptr, &bad, nullptr, p, err)) << bad;
}

}  // namespace
}  // namespace mdhub::sim::fx
