// Narkasa's wire protocol as served by the simulator: REST shapes and types, websocket
// subscribe -> ack -> data for every channel, and the last depth push equal to the truth.
#include <chrono>
#include <set>

#include "feeds/common/json.hpp"
#include "tests/sim/fixture.hpp"

namespace mdhub::sim::test {
namespace {

namespace dom = simdjson::dom;
namespace od = simdjson::ondemand;

class SimNarkasa : public SimFixture {
 protected:
  void SetUp() override { start(options(5, {"narkasa"})); }
  dom::element rest(const std::string& path, unsigned status = 200) {
    auto r = get("/narkasa/v3/api" + path);
    EXPECT_EQ(r.status, status) << path << " " << r.body;
    return json(r.body);
  }
  // The next frame whose `type` is `type` (other pushes are skipped).
  std::string next_of(WsClient& ws, std::string_view type) {
    for (int i = 0; i < 500; ++i) {
      auto f = ws.next();
      if (!f) break;
      simdjson::dom::parser p;
      auto e = p.parse(*f);
      std::string_view t;
      if (!e["method"].error()) continue;  // an ack names its stream type too
      if (!e["type"].get(t) && t == type) return *f;
    }
    ADD_FAILURE() << "no " << type << " frame";
    return {};
  }
};

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Exact levels from a depth payload, whose numbers are JSON numbers.
Levels exact_levels(const std::string& frame, const char* side, int ps, int qs) try {
  json::Reader r;
  auto doc = r.iterate(frame);
  Levels out;
  for (auto lv : doc["depth"][side].get_array()) {
    od::object o = lv.get_object();
    const int64_t p = *json::decimal(o["price"].value(), ps);
    const int64_t q = *json::decimal(o["amount"].value(), qs);
    out.emplace_back(p, q);
  }
  return out;
} catch (const std::exception& e) {
  ADD_FAILURE() << e.what() << " in " << frame.substr(0, 300);
  return {};
}

// Whether a depth push carries `side` with levels (absent, null and [] do not).
bool carries(const std::string& frame, const char* side) {
  json::Reader r;
  auto doc = r.iterate(frame);
  od::array a;
  if (doc["depth"][side].get_array().get(a)) return false;
  size_t n = 0;
  return !a.count_elements().get(n) && n > 0;
}

TEST_F(SimNarkasa, PingTimeAndMarkets) {
  EXPECT_EQ(get("/narkasa/v3/api/ping").body, R"({"code":"00000","data":"PONG"})");
  auto t = rest("/time");
  EXPECT_EQ(std::string_view(t["code"]), "00000");
  EXPECT_TRUE(t["data"].is_int64());
  EXPECT_NEAR(double(int64_t(t["data"])), double(now_ms()), 60'000.0);  // ms, not s or µs

  auto m = rest("/market/markets");
  EXPECT_EQ(std::string_view(m["code"]), "00000");
  std::set<std::string> symbols;
  for (auto mk : m["markets"].get_array()) {
    symbols.insert(std::string(std::string_view(mk["symbol"])));
    for (const char* k : {"symbol", "name", "firstSymbol", "secondSymbol"}) EXPECT_TRUE(mk[k].is_string()) << k;
    for (const char* k : {"changeAmount", "changePercent", "last", "firstBid", "firstAsk", "open", "high", "low", "avg",
                          "volume", "volumeQty"})
      EXPECT_TRUE(mk[k].is_number()) << k;
    EXPECT_TRUE(mk["openTime"].is_int64());
    EXPECT_TRUE(mk["tradeCount"].is_int64());
    EXPECT_LT(double(mk["firstBid"]), double(mk["firstAsk"]));
    EXPECT_GE(double(mk["high"]), double(mk["low"]));
    EXPECT_NEAR(double(int64_t(mk["openTime"])), double(now_ms() - 86'400'000), 120'000.0);
  }
  EXPECT_EQ(symbols, (std::set<std::string>{"BTCTRY", "ETHTRY", "BTCUSDT", "ETHUSDT", "USDTTRY"}));
}

TEST_F(SimNarkasa, PerSymbolEndpoints) {
  auto h = rest("/market/24h?symbol=BTCTRY")["market"];
  EXPECT_EQ(std::string_view(h["symbol"]), "BTCTRY");
  EXPECT_TRUE(h["volumeQty"].is_number());
  EXPECT_GT(double(h["last"]), 1'000'000.0);  // BTC in TRY

  auto info = rest("/market/info?symbol=BTCTRY")["info"];
  EXPECT_EQ(std::string_view(info["firstSymbol"]), "BTC");
  EXPECT_EQ(std::string_view(info["secondSymbol"]), "TRY");
  EXPECT_EQ(std::string_view(info["enable"]), "true");  // a string, as the venue sends it
  EXPECT_EQ(int64_t(info["precision"]["price"]), 0);
  EXPECT_EQ(int64_t(info["precision"]["amount"]), 4);

  auto ob = rest("/market/orderbook?symbol=ETHUSDT")["book"];
  ASSERT_EQ(ob["bids"].get_array().size(), 1u);
  ASSERT_EQ(ob["asks"].get_array().size(), 1u);
  EXPECT_TRUE(ob["bids"].at(0)["price"].is_number());
  EXPECT_TRUE(ob["bids"].at(0)["amount"].is_number());

  auto d = rest("/market/depth?symbol=BTCUSDT")["book"];
  ASSERT_EQ(d["bids"].get_array().size(), 50u);
  ASSERT_EQ(d["asks"].get_array().size(), 50u);
  EXPECT_TRUE(d["asks"].at(0)["count"].is_int64());
  EXPECT_LT(double(d["bids"].at(0)["price"]), double(d["asks"].at(0)["price"]));
  EXPECT_GT(double(d["bids"].at(0)["price"]), double(d["bids"].at(1)["price"]));

  auto c = rest("/market/candles?symbol=BTCTRY&interval=m5");
  auto candles = c["candles"].get_array();
  ASSERT_GT(candles.size(), 200u);  // a day of history
  auto last = candles.at(candles.size() - 1);
  EXPECT_EQ(int64_t(last["closetime"]) - int64_t(last["openTime"]), 300'000);  // lower-case t, ms
  EXPECT_EQ(int64_t(last["openTime"]) % 300'000, 0);
  for (const char* k : {"open", "low", "high", "close", "volume"}) EXPECT_TRUE(last[k].is_number()) << k;
  const int64_t start = int64_t(last["openTime"]) - 600'000;
  EXPECT_EQ(rest("/market/candles?symbol=BTCTRY&interval=m5&startDate=" + std::to_string(start))["candles"]
                .get_array().size(), 3u);
}

TEST_F(SimNarkasa, TradesAndErrors) {
  ASSERT_TRUE(run_until(io, [&] {
    return json(get("/narkasa/v3/api/market/trades?symbol=BTCTRY").body)["trades"].get_array().size() > 1;
  }));
  auto tr = rest("/market/trades?symbol=BTCTRY")["trades"];
  auto t0 = tr.at(0);
  EXPECT_TRUE(t0["price"].is_number());
  EXPECT_TRUE(t0["amount"].is_number());
  EXPECT_TRUE(int64_t(t0["type"]) == 0 || int64_t(t0["type"]) == 1);
  EXPECT_GE(int64_t(t0["time"]), int64_t(tr.at(1)["time"]));  // newest first
  EXPECT_NEAR(double(int64_t(t0["time"])), double(now_ms()), 60'000.0);

  EXPECT_EQ(get("/narkasa/v3/api/market/depth?symbol=NOPE").body, R"({"code":"10037","message":"Invalid symbol."})");
  EXPECT_EQ(get("/narkasa/v3/api/market/24h").status, 400u);
  EXPECT_EQ(std::string_view(rest("/market/candles?symbol=BTCTRY&interval=m7", 400)["code"]), "90000");
  EXPECT_EQ(get("/narkasa/v3/api/market/nothing").status, 404u);
}

TEST_F(SimNarkasa, SubscribeAckAndDataForEveryChannel) {
  WsClient ws(io, port, "/narkasa/v3");
  ASSERT_TRUE(ws.connected());
  ws.send(R"({"method":"SUBSCRIBE","params":[{"type":"depth","symbol":"BTCTRY"},{"type":"orderBook","symbol":"BTCTRY"},)"
          R"({"type":"trade","symbol":"BTCTRY"},{"type":"ticker","symbol":"BTCTRY"},)"
          R"({"type":"candles","symbol":"BTCTRY","interval":"m5"},{"type":"allTickers"}]})");
  std::set<std::string> acks, data;
  std::string trade;
  for (int i = 0; i < 2000 && (acks.size() < 6 || data.size() < 6); ++i) {
    auto f = ws.next();
    ASSERT_TRUE(f);
    auto e = json(*f);
    if (e["method"].is_string()) {
      EXPECT_EQ(std::string_view(e["status"]), "success") << *f;
      acks.insert(std::string(std::string_view(e["type"])));
      continue;
    }
    data.insert(std::string(std::string_view(e["type"])));
    if (std::string_view(e["type"]) == "trade" && trade.empty()) trade = *f;
  }
  EXPECT_EQ(acks.size(), 6u);
  EXPECT_EQ(data, (std::set<std::string>{"depth", "orderBook", "trade", "ticker", "candles", "allTickers"}));
  auto t = json(trade);
  EXPECT_EQ(std::string_view(t["symbol"]), "BTCTRY");
  EXPECT_TRUE(t["price"].is_number());
  EXPECT_TRUE(t["amount"].is_number());
  EXPECT_TRUE(int64_t(t["tradeType"]) == 0 || int64_t(t["tradeType"]) == 1);
  EXPECT_NEAR(double(int64_t(t["time"])), double(now_ms()), 60'000.0);
}

TEST_F(SimNarkasa, ListUnsubscribePingAndErrors) {
  WsClient ws(io, port, "/narkasa/v3");
  ASSERT_TRUE(ws.connected());
  ws.send(R"({"data":"ping"})");  // tolerated, unanswered
  ws.send(R"({"method":"SUBSCRIBE","params":[{"type":"trade","symbol":"NOPE"},{"type":"candles","symbol":"ETHTRY","interval":"m5"}]})");
  ws.send(R"({"method":"LIST_SUBSCRIPTIONS"})");
  std::vector<std::string> control;
  while (control.size() < 3) {
    auto f = ws.next();
    ASSERT_TRUE(f);
    if (f->find("\"method\"") != std::string::npos) control.push_back(*f);
  }
  EXPECT_EQ(control[0], R"({"method":"SUBSCRIBE","status":"error","type":"trade","symbol":"NOPE","code":"10037","message":"Invalid symbol."})");
  EXPECT_EQ(control[1], R"({"method":"SUBSCRIBE","status":"success","type":"candles","symbol":"ETHTRY","interval":"m5"})");
  EXPECT_EQ(control[2], R"({"method":"LIST_SUBSCRIPTIONS","status":"success","result":[{"type":"candles","symbol":"ETHTRY","interval":"m5"}]})");
  ws.send(R"({"method":"UNSUBSCRIBE","params":[{"type":"candles","symbol":"ETHTRY","interval":"m5"}]})");
  ws.send(R"({"method":"LIST_SUBSCRIPTIONS"})");
  ws.send("not json");
  std::vector<std::string> more;
  while (more.size() < 3) {
    auto f = ws.next();
    ASSERT_TRUE(f);
    if (f->find("\"status\"") != std::string::npos) more.push_back(*f);
  }
  EXPECT_EQ(more[0], R"({"method":"UNSUBSCRIBE","status":"success","type":"candles","symbol":"ETHTRY","interval":"m5"})");
  EXPECT_EQ(more[1], R"({"method":"LIST_SUBSCRIPTIONS","status":"success","result":[]})");
  EXPECT_EQ(more[2], R"({"status":"error","code":"90000","message":"Invalid JSON."})");
}

TEST_F(SimNarkasa, LastDepthPushEqualsTruthAfterPause) {
  const auto& sp = find_spec("narkasa", "BTCTRY");
  WsClient ws(io, port, "/narkasa/v3");
  ASSERT_TRUE(ws.connected());
  ws.send(R"({"method":"SUBSCRIBE","params":[{"type":"depth","symbol":"BTCTRY"}]})");
  // Let several throttled pushes go by, then pause; frames queued before the reply to the
  // LIST sent after the pause include everything the pause flushed.
  // The default reading: a push replaces the sides it carries.
  Levels bids, asks;
  bool paused = false;
  for (int depth_frames = 0;;) {
    auto f = ws.next();
    ASSERT_TRUE(f);
    if (paused && f->find("LIST_SUBSCRIPTIONS") != std::string::npos) break;
    if (f->starts_with(R"({"type":"depth")")) {
      ASSERT_TRUE(carries(*f, "bids") || carries(*f, "asks")) << *f;
      if (carries(*f, "bids")) bids = exact_levels(*f, "bids", sp.price_scale, sp.qty_scale);
      if (carries(*f, "asks")) asks = exact_levels(*f, "asks", sp.price_scale, sp.qty_scale);
      if (++depth_frames == 5) {
        ASSERT_EQ(post("/sim/pause").status, 200u);
        ws.send(R"({"method":"LIST_SUBSCRIPTIONS"})");
        paused = true;
      }
    }
  }
  const Truth t = truth("narkasa", "BTC-TRY");
  EXPECT_FALSE(t.has_seq);
  ASSERT_EQ(t.bids.size(), 50u);
  EXPECT_EQ(bids, t.bids);
  EXPECT_EQ(asks, t.asks);
  // The truth is also the live book: a new subscriber's first push and REST depth agree.
  WsClient ws2(io, port, "/narkasa/v3");
  ws2.send(R"({"method":"SUBSCRIBE","params":[{"type":"depth","symbol":"BTCTRY"}]})");
  const std::string first = next_of(ws2, "depth");
  EXPECT_EQ(exact_levels(first, "bids", sp.price_scale, sp.qty_scale), t.bids);
  EXPECT_EQ(exact_levels(first, "asks", sp.price_scale, sp.qty_scale), t.asks);
  run_for(io, 300ms);  // paused: nothing changes
  EXPECT_EQ(truth("narkasa", "BTCTRY").bids, t.bids);
}

TEST_F(SimNarkasa, DepthVariantsSidesAndFull) {
  for (const std::string variant : {"sides", "full"}) {
    sim->stop();
    Options o = options(3, {"narkasa"});
    o.variants["narkasa.depth"] = variant;
    start(o);
    WsClient ws(io, port, "/narkasa/v3");
    ASSERT_TRUE(ws.connected());
    ws.send(R"({"method":"SUBSCRIBE","params":[{"type":"depth","symbol":"BTCTRY"}]})");
    int one_sided = 0, absent = 0, empty = 0;
    for (int n = 0; n < 30;) {
      auto f = ws.next();
      ASSERT_TRUE(f);
      if (!f->starts_with(R"({"type":"depth")")) continue;
      const bool b = carries(*f, "bids"), a = carries(*f, "asks");
      // The first push, to a new subscriber, is the whole book in both readings.
      if (n++ == 0) {
        EXPECT_TRUE(a && b) << *f;
      }
      one_sided += a != b;
      absent += f->find(R"("bids")") == std::string::npos || f->find(R"("asks")") == std::string::npos;
      empty += f->find(R"("bids":[])") != std::string::npos || f->find(R"("asks":[])") != std::string::npos;
    }
    if (variant == "full") {
      EXPECT_EQ(one_sided + absent + empty, 0);
    } else {
      EXPECT_GT(one_sided, 0);
      EXPECT_EQ(one_sided, absent + empty);
      EXPECT_GT(absent, 0);
      EXPECT_GT(empty, 0);
    }
  }
}

TEST_F(SimNarkasa, RefusedSymbolIsAnsweredFailed) {
  sim->stop();
  Options o = options(3, {"narkasa"});
  o.variants["narkasa.refuse"] = "ETHTRY";
  start(o);
  WsClient ws(io, port, "/narkasa/v3");
  ws.send(R"({"method":"SUBSCRIBE","params":[{"type":"trade","symbol":"ETHTRY"},{"type":"trade","symbol":"BTCTRY"}]})");
  EXPECT_EQ(*ws.next(),
            R"({"method":"SUBSCRIBE","status":"failed","type":"trade","symbol":"ETHTRY","code":"10037","message":"Invalid symbol."})");
  EXPECT_EQ(*ws.next(), R"({"method":"SUBSCRIBE","status":"success","type":"trade","symbol":"BTCTRY"})");
}

}  // namespace
}  // namespace mdhub::sim::test
