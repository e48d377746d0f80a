// CoinBTR (Tauros) as served by the simulator: REST envelope and shapes, websocket
// subscribe -> ack -> per-order pushes (the top ten orders, or the orders of the top ten
// levels) whose sum by price equals the truth.
#include <algorithm>
#include <map>

#include "feeds/common/json.hpp"
#include "tests/sim/fixture.hpp"

namespace mdhub::sim::test {
namespace {

namespace dom = simdjson::dom;
namespace od = simdjson::ondemand;

class SimCoinbtr : public SimFixture {
 protected:
  void SetUp() override { start(options(11, {"coinbtr"})); }
  dom::element rest(const std::string& path, unsigned status = 200) {
    auto r = get("/coinbtr/api" + path);
    EXPECT_EQ(r.status, status) << path << " " << r.body;
    body = r.body;
    return json(body);
  }
  std::string body;
};

// Rows of one side (`payload` of a REST answer, `data` of a push) summed by price, best
// first; numbers are read exactly from their JSON text.
Levels sum_rows(const std::string& text, const char* side, const char* pkey, const char* qkey, int ps, int qs) try {
  json::Reader r;
  auto doc = r.iterate(text);
  std::map<int64_t, int64_t> by_price;
  const bool rest = text.starts_with(R"({"success")");
  for (auto row : (rest ? doc["payload"][side] : doc["data"][side]).get_array()) {
    od::object o = row.get_object();
    const int64_t p = *json::decimal(o[pkey].value(), ps);
    by_price[p] += *json::decimal(o[qkey].value(), qs);
  }
  Levels out(by_price.begin(), by_price.end());
  if (std::string_view(side) == "bids") std::reverse(out.begin(), out.end());
  return out;
} catch (const std::exception& e) {
  ADD_FAILURE() << e.what() << " in " << text.substr(0, 300);
  return {};
}

// The first `n` rows of one side (in the order sent: best first) summed by price.
Levels first_rows(const std::string& text, const char* side, const char* pkey, const char* qkey, int ps, int qs,
                  size_t n) try {
  json::Reader r;
  auto doc = r.iterate(text);
  const bool rest = text.starts_with(R"({"success")");
  Levels out;
  size_t k = 0;
  for (auto row : (rest ? doc["payload"][side] : doc["data"][side]).get_array()) {
    if (k++ == n) break;
    od::object o = row.get_object();
    const int64_t p = *json::decimal(o[pkey].value(), ps), q = *json::decimal(o[qkey].value(), qs);
    if (!out.empty() && out.back().first == p) out.back().second += q;
    else out.emplace_back(p, q);
  }
  return out;
} catch (const std::exception& e) {
  ADD_FAILURE() << e.what() << " in " << text.substr(0, 300);
  return {};
}

TEST_F(SimCoinbtr, MarketListingWholeOrPaged) {
  // whole (the default): everything at once, limit and offset ignored.
  auto all = rest("/v2/trading/markets/?limit=1&offset=1");
  EXPECT_EQ(all["payload"].get_array().size(), 3u);
  EXPECT_TRUE(all["next"].is_null());
  sim->stop();
  Options o = options(11, {"coinbtr"});
  o.variants["coinbtr.markets"] = "paged";
  start(o);
  auto p1 = rest("/v2/trading/markets/");
  ASSERT_EQ(p1["payload"].get_array().size(), 1u);
  EXPECT_EQ(std::string_view(p1["payload"].at(0)["name"]), "BTC-MXN");
  EXPECT_EQ(int64_t(p1["count"]), 3);
  EXPECT_EQ(std::string_view(p1["next"]), "https://api.tauros.io/api/v2/trading/markets/?limit=1&offset=1");
  EXPECT_TRUE(p1["previous"].is_null());
  auto p2 = rest("/v2/trading/markets/?limit=1&offset=1");
  ASSERT_EQ(p2["payload"].get_array().size(), 1u);
  EXPECT_EQ(std::string_view(p2["payload"].at(0)["name"]), "ETH-MXN");
  EXPECT_EQ(std::string_view(p2["next"]), "https://api.tauros.io/api/v2/trading/markets/?limit=1&offset=2");
  EXPECT_EQ(std::string_view(p2["previous"]), "https://api.tauros.io/api/v2/trading/markets/?limit=1&offset=0");
  auto p3 = rest("/v2/trading/markets/?limit=1&offset=2");
  ASSERT_EQ(p3["payload"].get_array().size(), 1u);
  EXPECT_EQ(std::string_view(p3["payload"].at(0)["name"]), "USDT-MXN");
  EXPECT_TRUE(p3["next"].is_null());
  EXPECT_EQ(rest("/v2/trading/markets/?limit=5")["payload"].get_array().size(), 3u);
  EXPECT_EQ(rest("/v2/trading/markets/?offset=3")["payload"].get_array().size(), 0u);
  rest("/v2/trading/markets/?limit=0", 400);
  rest("/v2/trading/markets/?offset=-1", 400);
  // Tickers are not paged.
  EXPECT_EQ(rest("/v2/trading/tickers/")["payload"].get_array().size(), 3u);
}

TEST_F(SimCoinbtr, RestMarketsTickersBookAndTrades) {
  auto m = rest("/v2/trading/markets/");
  EXPECT_TRUE(bool(m["success"]));
  EXPECT_TRUE(m["msg"].is_null());
  auto markets = m["payload"].get_array();
  ASSERT_EQ(markets.size(), 3u);
  EXPECT_EQ(std::string_view(markets.at(0)["name"]), "BTC-MXN");
  EXPECT_EQ(std::string_view(markets.at(1)["name"]), "ETH-MXN");
  EXPECT_EQ(std::string_view(markets.at(2)["name"]), "USDT-MXN");
  EXPECT_TRUE(bool(markets.at(0)["is_open"]));
  EXPECT_TRUE(markets.at(0)["min_amount"].is_string());

  auto t = rest("/v2/trading/tickers/");
  auto row = t["payload"].at(0);
  EXPECT_EQ(std::string_view(row["market"]), "BTC-MXN");
  for (const char* k : {"last", "high", "low", "volume"}) EXPECT_TRUE(row[k].is_number()) << k;

  const auto& sp = find_spec("coinbtr", "BTC-MXN");
  ASSERT_TRUE(run_until(io, [&] { return json(get("/coinbtr/api/v2/trading/btc-mxn/trades/").body)["payload"].get_array().size() > 1; }));
  ASSERT_EQ(post("/sim/pause").status, 200u);
  auto b = rest("/v2/trading/btc-mxn/orderbook/");
  dom::element bids = b["payload"]["bids"];
  EXPECT_EQ(bids.get_array().size(), 50u);  // 50 orders, not 50 levels
  auto first = bids.at(0);
  EXPECT_TRUE(first["price"].is_string());
  EXPECT_TRUE(first["amount"].is_number());
  EXPECT_TRUE(first["value"].is_number());
  EXPECT_TRUE(first["id"].is_int64());
  EXPECT_TRUE(std::string_view(first["created_at"]).ends_with("-05:00"));
  const std::string book = body;
  const Levels bl = sum_rows(book, "bids", "price", "amount", sp.price_scale, sp.qty_scale);
  const Levels al = sum_rows(book, "asks", "price", "amount", sp.price_scale, sp.qty_scale);
  EXPECT_LT(bl.size(), 50u);  // some levels are split into two orders
  EXPECT_LT(bl.front().first, al.front().first);
  // Once published (the pause flushes), the REST book's first ten orders are the truth
  // (book=orders): fewer than ten levels where orders share a price.
  const Truth truth_now = truth("coinbtr", "BTC-MXN");
  EXPECT_EQ(first_rows(book, "bids", "price", "amount", sp.price_scale, sp.qty_scale, 10), truth_now.bids);
  EXPECT_EQ(first_rows(book, "asks", "price", "amount", sp.price_scale, sp.qty_scale, 10), truth_now.asks);
  EXPECT_LT(truth_now.bids.size() + truth_now.asks.size(), 20u);

  auto tr = rest("/v2/trading/btc-mxn/trades/");
  auto trades = tr["payload"].get_array();
  ASSERT_GT(trades.size(), 0u);
  EXPECT_LE(trades.size(), 50u);
  for (auto x : trades) {
    EXPECT_TRUE(x["amount"].is_string());
    EXPECT_TRUE(x["price"].is_string());
    EXPECT_TRUE(x["id"].is_int64());
    const std::string_view side = x["side"];
    EXPECT_TRUE(side == "BUY" || side == "SELL");
  }
  EXPECT_GT(int64_t(trades.at(0)["id"]), int64_t(trades.at(trades.size() - 1)["id"]));  // newest first

  rest("/v2/trading/xxx-mxn/orderbook/", 404);
  EXPECT_EQ(body, R"({"success":false,"msg":"Market not found","payload":null})");
}

TEST_F(SimCoinbtr, WsPushSumsToTruthAfterPauseInEitherWindow) {
  for (const std::string variant : {"orders", "levels"}) {
    SCOPED_TRACE(variant);
    sim->stop();
    Options o = options(11, {"coinbtr"});
    o.variants["coinbtr.book"] = variant;
    start(o);
    const auto& sp = find_spec("coinbtr", "BTC-MXN");
    WsClient ws(io, port, "/coinbtr/");
    ASSERT_TRUE(ws.connected());
    ws.send(R"({"action":"subscribe","market":"BTC-MXN","channel":"orderbook"})");
    EXPECT_EQ(ws.next(), R"({"action":"subscribe","market":"BTC-MXN","channel":"orderbook","status":"ok"})");
    std::string last;
    bool paused = false;
    for (int books = 0;;) {
      auto f = ws.next();
      ASSERT_TRUE(f);
      if (paused && f->starts_with(R"({"action":"subscribe")")) break;  // after everything the pause flushed
      ASSERT_TRUE(f->starts_with(R"({"channel":"orderbook","type":"BTC-MXN","data":{)")) << *f;
      last = *f;
      if (++books == 4) {
        ASSERT_EQ(post("/sim/pause").status, 200u);
        ws.send(R"({"action":"subscribe","market":"BTC-MXN","channel":"ticker"})");
        paused = true;
      }
    }
    auto e = json(last);
    auto row = e["data"]["asks"].at(0);
    for (const char* k : {"a", "p", "v"}) EXPECT_TRUE(row[k].is_string()) << k;
    EXPECT_TRUE(row["t"].is_int64());
    const Levels bids = sum_rows(last, "bids", "p", "a", sp.price_scale, sp.qty_scale);
    const Levels asks = sum_rows(last, "asks", "p", "a", sp.price_scale, sp.qty_scale);
    const size_t bid_rows = e["data"]["bids"].get_array().size(), ask_rows = e["data"]["asks"].get_array().size();
    const Truth t = truth("coinbtr", "BTC-MXN");
    EXPECT_FALSE(t.has_seq);
    EXPECT_EQ(bids, t.bids);
    EXPECT_EQ(asks, t.asks);
    // The REST book's first rows, summed, are the same truth: what a resync shows.
    const std::string book = get("/coinbtr/api/v2/trading/btc-mxn/orderbook/").body;
    const size_t rest_rows = variant == "orders" ? 10 : bid_rows;
    EXPECT_EQ(first_rows(book, "bids", "price", "amount", sp.price_scale, sp.qty_scale, rest_rows), t.bids);
    if (variant == "orders") {
      EXPECT_EQ(bid_rows, 10u);
      EXPECT_EQ(ask_rows, 10u);
      EXPECT_LT(t.bids.size() + t.asks.size(), 20u);  // orders share prices: fewer levels
    } else {
      EXPECT_GT(bid_rows + ask_rows, 20u);  // per-order rows: some prices appear twice
      EXPECT_EQ(t.bids.size(), 10u);
      EXPECT_EQ(t.asks.size(), 10u);
    }
  }
}

TEST_F(SimCoinbtr, WsTickerTradesAndErrors) {
  WsClient ws(io, port, "/coinbtr/");
  ASSERT_TRUE(ws.connected());
  ws.send(R"({"action":"subscribe","market":"DOGE-MXN","channel":"orderbook"})");
  EXPECT_EQ(ws.next(), "Error: unknown market");
  ws.send(R"({"action":"subscribe","market":"BTC-MXN","channel":"candles"})");
  EXPECT_EQ(ws.next(), "Error: unknown channel");
  ws.send("not json");
  EXPECT_EQ(ws.next(), "Error: invalid JSON");
  ws.send(R"({"action":"subscribe","market":"ETH-MXN","channel":"trades"})");
  EXPECT_EQ(ws.next(), R"({"action":"subscribe","market":"ETH-MXN","channel":"trades","status":"ok"})");
  ws.send(R"({"action":"subscribe","market":"ETH-MXN","channel":"ticker"})");
  bool trades = false, ticker = false;
  for (int i = 0; i < 200 && !(trades && ticker); ++i) {
    auto f = ws.next();
    ASSERT_TRUE(f);
    if (f->starts_with(R"({"action")")) continue;
    auto e = json(*f);
    const std::string_view ch = e["channel"];
    if (ch == "trades") {
      trades = true;
      EXPECT_EQ(std::string_view(e["type"]), "ETH-MXN");
      auto rows = e["data"].get_array();
      EXPECT_GE(rows.size(), 1u);
      EXPECT_LE(rows.size(), 10u);
      auto r = rows.at(0);
      for (const char* k : {"a", "v", "p"}) EXPECT_TRUE(r[k].is_string()) << k;
      const int64_t s = r["s"];
      EXPECT_TRUE(s == 0 || s == 1);
      EXPECT_TRUE(r["t"].is_int64());
    } else {
      ASSERT_EQ(ch, "ticker");
      ticker = true;
      EXPECT_EQ(std::string_view(e["market"]), "ETH-MXN");
      EXPECT_TRUE(e["type"].error());  // the ticker names its market in `market` only
      for (const char* k : {"volume", "high", "low", "last"}) EXPECT_TRUE(e[k].is_string()) << k;
      EXPECT_TRUE(e["variation"].is_number());
    }
  }
  EXPECT_TRUE(trades && ticker);
}

}  // namespace
}  // namespace mdhub::sim::test
