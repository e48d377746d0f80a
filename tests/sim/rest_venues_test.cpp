// The REST-only venues as served by the simulator: bitexbit's API v2 public endpoints and
// coinmotion's /v2/rates quotes, each against the truth.
#include <algorithm>
#include <chrono>
#include <tuple>

#include "feeds/common/json.hpp"
#include "tests/sim/fixture.hpp"

namespace mdhub::sim::test {
namespace {

namespace dom = simdjson::dom;
namespace od = simdjson::ondemand;

// `[price, amount]` levels of a depth answer, read exactly from their JSON text.
Levels exact_levels(const std::string& text, const char* side, int ps, int qs) try {
  json::Reader r;
  auto doc = r.iterate(text);
  Levels out;
  for (auto lv : doc[side].get_array()) {
    od::array a = lv.get_array();
    auto it = a.begin();
    const int64_t p = *json::decimal((*it).value(), ps);
    ++it;
    out.emplace_back(p, *json::decimal((*it).value(), qs));
  }
  return out;
} catch (const std::exception& e) {
  ADD_FAILURE() << e.what() << " in " << text.substr(0, 300);
  return {};
}

class SimBitexbit : public SimFixture {
 protected:
  void SetUp() override { start(options(13, {"bitexbit"})); }
  dom::element rest(const std::string& path, unsigned status = 200) {
    auto r = get("/bitexbit/api/v2/public" + path);
    EXPECT_EQ(r.status, status) << path << " " << r.body;
    body = r.body;
    return json(body);
  }
  std::string body;
};

// The ids of a /trades answer, in the order given.
std::vector<int64_t> ids_of(dom::element page) {
  std::vector<int64_t> out;
  for (auto r : page.get_array()) out.push_back(int64_t(r["id"]));
  return out;
}

TEST_F(SimBitexbit, TradesPagesInEveryOrderAndBound) {
  for (const std::string order : {"newest", "oldest"}) {
    for (const std::string bound : {"inclusive", "exclusive"}) {
      SCOPED_TRACE(order + " " + bound);
      sim->stop();
      Options o = options(13, {"bitexbit"});
      o.variants["bitexbit.trades_order"] = order;
      o.variants["bitexbit.since_bound"] = bound;
      start(o);
      const std::string base = "/trades?symbol=BTC_USDT";
      ASSERT_TRUE(run_until(io, [&] { return ids_of(rest(base)).size() > 12; }));
      ASSERT_EQ(post("/sim/pause").status, 200u);
      std::vector<int64_t> all = ids_of(rest(base + "&limit=1000"));
      const bool newest = order == "newest", incl = bound == "inclusive";
      EXPECT_TRUE(std::is_sorted(all.begin(), all.end(), [&](int64_t a, int64_t b) { return newest ? a > b : a < b; }));
      std::sort(all.begin(), all.end());
      ASSERT_EQ(std::adjacent_find(all.begin(), all.end()), all.end());
      const size_t n = all.size();
      // `want` lists ids ascending; the page gives them in the variant's order.
      auto page = [&](std::vector<int64_t> want) {
        if (newest) std::reverse(want.begin(), want.end());
        return want;
      };
      auto range = [&](size_t a, size_t b) { return std::vector<int64_t>(all.begin() + long(a), all.begin() + long(b)); };
      // Without since_id: the newest `limit`.
      EXPECT_EQ(ids_of(rest(base + "&limit=5")), page(range(n - 5, n)));
      const std::string since = "&since_id=" + std::to_string(all[3]);
      const size_t lo = incl ? 3 : 4;  // first index inside the range
      // A full page: the newest or the oldest 3 of the range.
      EXPECT_EQ(ids_of(rest(base + since + "&limit=3")), page(newest ? range(n - 3, n) : range(lo, lo + 3)));
      // until_id bounds it above the same way.
      const std::string until = "&until_id=" + std::to_string(all[9]);
      const size_t hi = incl ? 10 : 9;  // one past the last index inside the range
      EXPECT_EQ(ids_of(rest(base + since + until + "&limit=1000")), page(range(lo, hi)));
      EXPECT_EQ(ids_of(rest(base + since + until + "&limit=2")), page(newest ? range(hi - 2, hi) : range(lo, lo + 2)));
      // Since the newest id: that one row (inclusive) or nothing.
      EXPECT_EQ(ids_of(rest(base + "&since_id=" + std::to_string(all.back()))),
                incl ? std::vector<int64_t>{all.back()} : std::vector<int64_t>{});
      rest(base + "&until_id=x", 400);
    }
  }
}

TEST_F(SimBitexbit, PairsAndTickers) {
  auto p = rest("/pairs").get_array();
  ASSERT_EQ(p.size(), 4u);
  std::vector<std::string> symbols;
  for (auto r : p) {
    symbols.emplace_back(std::string_view(r["symbol"]));
    EXPECT_TRUE(r["price_precision"].is_int64());
    EXPECT_TRUE(r["min_amount"].is_string());
    EXPECT_TRUE(bool(r["is_enabled"]));
  }
  EXPECT_EQ(symbols, (std::vector<std::string>{"BTC_USDT", "ETH_USDT", "BTC_USD", "USDT_UAH"}));
  EXPECT_EQ(std::string_view(p.at(3)["base"]), "USDT");
  EXPECT_EQ(std::string_view(p.at(3)["quote"]), "UAH");

  EXPECT_EQ(rest("/tickers").get_array().size(), 4u);
  auto t = rest("/tickers?symbols=USDT_UAH,BTC_USD").get_array();
  ASSERT_EQ(t.size(), 2u);
  auto uah = t.at(0);
  EXPECT_EQ(std::string_view(uah["symbol"]), "USDT_UAH");
  EXPECT_TRUE(uah["date"].is_int64());
  for (const char* k : {"last", "buy", "sell", "change", "vol1", "vol2", "high", "low"})
    EXPECT_TRUE(uah[k].is_string()) << k;
  const int64_t bid = dec(std::string_view(uah["buy"]), 3), ask = dec(std::string_view(uah["sell"]), 3);
  EXPECT_LT(bid, ask);
  EXPECT_GT(bid, 38'000);  // about 41 UAH
  EXPECT_LT(ask, 45'000);
  rest("/tickers?symbols=BTC_USD,ETH_USDT,BTC_USDT,USDT_UAH,XRP_USD,LTC_USD", 404);
  rest("/depth?symbol=NOPE_USD", 404);
  rest("/depth", 400);
}

TEST_F(SimBitexbit, DepthIsTheTruthAndTradesAndCandlesAreWellFormed) {
  const auto& sp = find_spec("bitexbit", "BTC_USDT");
  ASSERT_TRUE(run_until(io, [&] { return json(get("/bitexbit/api/v2/public/trades?symbol=BTC_USDT").body).get_array().size() > 5; }));
  ASSERT_EQ(post("/sim/pause").status, 200u);
  auto d = rest("/depth?symbol=BTC_USDT&limit=100");
  EXPECT_TRUE(d["date"].is_double());
  const Levels bids = exact_levels(body, "bids", sp.price_scale, sp.qty_scale);
  const Levels asks = exact_levels(body, "asks", sp.price_scale, sp.qty_scale);
  const Truth t = truth("bitexbit", "BTC-USDT");
  ASSERT_EQ(t.bids.size(), 50u);  // at most 50 per side, whatever the limit asked
  EXPECT_EQ(bids, t.bids);
  EXPECT_EQ(asks, t.asks);
  EXPECT_EQ(rest("/depth?symbol=BTC_USDT&limit=3")["bids"].get_array().size(), 3u);

  auto r = rest("/trades?symbol=BTC_USDT&limit=5").get_array().at(0);
  EXPECT_TRUE(r["date"].is_int64());
  EXPECT_TRUE(r["price"].is_string());
  EXPECT_TRUE(r["amount"].is_string());
  const std::string_view type = r["type"];
  EXPECT_TRUE(type == "buy" || type == "sell");

  auto c = rest("/ohlcv?symbol=BTC_USDT&timeframe=5&limit=3").get_array();
  ASSERT_EQ(c.size(), 3u);
  auto row = c.at(2);
  ASSERT_EQ(row.get_array().size(), 6u);
  EXPECT_EQ(int64_t(row.at(0)) % 300, 0);  // seconds, on the 5-minute grid
  for (size_t i = 1; i < 6; ++i) EXPECT_TRUE(row.at(i).is_string());
  rest("/ohlcv?symbol=BTC_USDT&timeframe=7", 400);
}

class SimCoinmotion : public SimFixture {
 protected:
  void SetUp() override { start(options(17, {"coinmotion"})); }
};

TEST_F(SimCoinmotion, RatesQuotesAreTheTruth) {
  ASSERT_EQ(post("/sim/pause").status, 200u);
  auto r = get("/coinmotion/v2/rates");
  ASSERT_EQ(r.status, 200u) << r.body;
  auto e = json(r.body);
  EXPECT_TRUE(bool(e["success"]));
  auto p = e["payload"];
  for (const char* k : {"market", "fWithdrawalFee", "version"}) EXPECT_FALSE(p[k].error()) << k;
  const int64_t now_s =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_NEAR(double(int64_t(p["timestamp"])), double(now_s), 60.0);  // seconds
  for (auto [key, sym, base] : {std::tuple{"btcEur", "BTC-EUR", "BTC"}, std::tuple{"ethEur", "ETH-EUR", "ETH"}}) {
    auto q = p[key];
    EXPECT_EQ(std::string_view(q["currencyCode"]), base);
    EXPECT_EQ(std::string_view(q["baseCurrencyCode"]), "EUR");
    ASSERT_TRUE(q["buy"].is_string());
    const int64_t buy = dec(std::string_view(q["buy"]), 2), sell = dec(std::string_view(q["sell"]), 2);
    EXPECT_LT(buy, sell);
    auto t = get(std::string("/sim/truth/coinmotion/") + sym);
    ASSERT_EQ(t.status, 200u) << t.body;
    simdjson::dom::parser tp;
    auto te = tp.parse(t.body);
    ASSERT_EQ(te["bids"].get_array().size(), 1u);
    EXPECT_EQ(dec(std::string_view(te["bids"].at(0).at(0)), 2), buy);
    EXPECT_TRUE(te["bids"].at(0).at(1).is_null());  // quotes have no size
    EXPECT_EQ(dec(std::string_view(te["asks"].at(0).at(0)), 2), sell);
  }
  EXPECT_EQ(get("/coinmotion/v2/nothing").body, R"({"success":false,"message":"Not found"})");
}

}  // namespace
}  // namespace mdhub::sim::test
