// BTSE's wire protocol as served by the simulator: REST shapes and types, the OSS book
// (snapshot, contiguous deltas, equal to the truth after pause), L1, trades, errors, ping.
#include <chrono>
#include <map>
#include <set>

#include "tests/sim/fixture.hpp"

namespace mdhub::sim::test {
namespace {

namespace dom = simdjson::dom;

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

class SimBtse : public SimFixture {
 protected:
  void SetUp() override { start(options(9, {"btse"})); }
  dom::element rest(const std::string& path, unsigned status = 200) {
    auto r = get("/btse/spot/api/v3.2" + path);
    EXPECT_EQ(r.status, status) << path << " " << r.body;
    return json(r.body);
  }
};

// A client-side book maintained from the OSS stream, exactly as a perfect client would.
struct Mirror {
  std::map<int64_t, int64_t, std::greater<>> bids;
  std::map<int64_t, int64_t> asks;
  int64_t seq = -1;
  int ps = 0, qs = 0;

  // Applies one update frame; returns false (with a message) on a protocol violation.
  bool apply(dom::element msg, std::string& why) {
    auto d = msg["data"];
    const std::string_view type = d["type"];
    const int64_t seq_num = d["seqNum"], prev = d["prevSeqNum"];
    if (type == "snapshot") {
      bids.clear();
      asks.clear();
    } else if (type != "delta" || prev != seq) {
      why = "seq " + std::to_string(seq) + " then delta " + std::to_string(prev) + "->" + std::to_string(seq_num);
      return false;
    }
    if (seq_num != prev + 1) {
      why = "seqNum != prevSeqNum + 1";
      return false;
    }
    seq = seq_num;
    for (auto lv : d["bids"].get_array()) {
      const int64_t p = dec(std::string_view(lv.at(0)), ps), q = dec(std::string_view(lv.at(1)), qs);
      if (q == 0) bids.erase(p);
      else bids[p] = q;
    }
    for (auto lv : d["asks"].get_array()) {
      const int64_t p = dec(std::string_view(lv.at(0)), ps), q = dec(std::string_view(lv.at(1)), qs);
      if (q == 0) asks.erase(p);
      else asks[p] = q;
    }
    // The feed is the top 50 of a deeper book: what falls below it is no longer reported.
    while (bids.size() > 50) bids.erase(std::prev(bids.end()));
    while (asks.size() > 50) asks.erase(std::prev(asks.end()));
    if (!bids.empty() && !asks.empty() && bids.begin()->first >= asks.begin()->first) return why = "crossed", false;
    return true;
  }
  Levels levels(bool bid) const {
    Levels out;
    if (bid) out.assign(bids.begin(), bids.end());
    else out.assign(asks.begin(), asks.end());
    return out;
  }
};

TEST_F(SimBtse, MarketSummaryPriceAndTime) {
  auto all = rest("/market_summary").get_array();
  ASSERT_EQ(all.size(), 5u);
  auto s = rest("/market_summary?symbol=BTC-USD").at(0);
  EXPECT_EQ(std::string_view(s["symbol"]), "BTC-USD");
  EXPECT_EQ(std::string_view(s["base"]), "BTC");
  EXPECT_EQ(std::string_view(s["quote"]), "USD");
  for (const char* k : {"last", "lowestAsk", "highestBid", "percentageChange", "volume", "high24Hr", "low24Hr", "size",
                        "minPriceIncrement", "minSizeIncrement"})
    EXPECT_TRUE(s[k].is_number()) << k;
  EXPECT_DOUBLE_EQ(double(s["minPriceIncrement"]), 0.5);
  EXPECT_DOUBLE_EQ(double(s["minSizeIncrement"]), 0.00001);
  EXPECT_LT(double(s["highestBid"]), double(s["lowestAsk"]));
  EXPECT_GT(double(s["last"]), 10'000.0);
  EXPECT_TRUE(s["active"].is_bool());
  EXPECT_TRUE(s["availableSettlement"].is_null());

  auto p = rest("/price?symbol=ETH-USDT").at(0);
  EXPECT_EQ(std::string_view(p["symbol"]), "ETH-USDT");
  EXPECT_TRUE(p["indexPrice"].is_number());
  EXPECT_TRUE(p["lastPrice"].is_number());

  auto t = rest("/time");
  EXPECT_TRUE(t["iso"].is_string());
  EXPECT_EQ(std::string_view(t["iso"]).size(), 24u);  // 2021-06-29T18:14:30.886Z
  EXPECT_NEAR(double(int64_t(t["epoch"])), double(now_ms() / 1000), 60.0);  // seconds

  EXPECT_EQ(get("/btse/spot/api/v3.3/market_summary?symbol=ETH-USD").status, 200u);  // v3.3 alias
  EXPECT_EQ(get("/btse/spot/api/v3.2/market_summary?symbol=XRP-USD").status, 400u);
  EXPECT_EQ(get("/btse/spot/api/v3.2/nothing").status, 404u);
}

TEST_F(SimBtse, OrderbookTradesAndOhlcv) {
  auto l2 = rest("/orderbook/L2?symbol=BTC-USD&depth=5");
  EXPECT_EQ(std::string_view(l2["symbol"]), "BTC-USD");
  EXPECT_TRUE(l2["timestamp"].is_int64());
  EXPECT_NEAR(double(int64_t(l2["timestamp"])), double(now_ms()), 60'000.0);
  auto buy = l2["buyQuote"].get_array(), sell = l2["sellQuote"].get_array();
  ASSERT_EQ(buy.size(), 5u);
  ASSERT_EQ(sell.size(), 5u);
  const std::string_view p0 = buy.at(0)["price"], s0 = buy.at(0)["size"];
  EXPECT_EQ(p0.substr(p0.size() - 2, 1), ".");    // strings at the venue's precision: "36235.0"
  EXPECT_EQ(s0.size() - s0.find('.') - 1, 5u);    // "7.67500"
  // Asks highest first: the best ask is the last row.
  EXPECT_GT(dec(std::string_view(sell.at(0)["price"]), 1), dec(std::string_view(sell.at(4)["price"]), 1));
  EXPECT_LT(dec(p0, 1), dec(std::string_view(sell.at(4)["price"]), 1));
  EXPECT_EQ(rest("/orderbook?symbol=BTC-USD&group=0&limit_bids=3&limit_asks=2")["sellQuote"].get_array().size(), 2u);
  // REST shows the whole book, deeper than the websocket's 50.
  EXPECT_GE(rest("/orderbook/L2?symbol=BTC-USD")["buyQuote"].get_array().size(), 50u);
  EXPECT_LE(rest("/orderbook/L2?symbol=BTC-USD")["buyQuote"].get_array().size(), 80u);

  ASSERT_TRUE(run_until(io, [&] { return json(get("/btse/spot/api/v3.2/trades?symbol=BTC-USD").body).get_array().size() > 1; }));
  auto tr = rest("/trades?symbol=BTC-USD&count=2").get_array();
  ASSERT_EQ(tr.size(), 2u);
  auto t0 = tr.at(0);
  EXPECT_TRUE(t0["price"].is_number());
  EXPECT_TRUE(t0["size"].is_number());
  EXPECT_TRUE(std::string_view(t0["side"]) == "BUY" || std::string_view(t0["side"]) == "SELL");
  EXPECT_EQ(int64_t(t0["serialId"]), int64_t(tr.at(1)["serialId"]) + 1);  // newest first, running id
  EXPECT_NEAR(double(int64_t(t0["timestamp"])), double(now_ms()), 60'000.0);

  auto rows = rest("/ohlcv?symbol=ETH-USD&resolution=60").get_array();
  ASSERT_GE(rows.size(), 24u);
  auto row = rows.at(rows.size() - 1);
  ASSERT_EQ(row.get_array().size(), 6u);
  EXPECT_EQ(int64_t(row.at(0)) % 3600, 0);  // seconds
  EXPECT_NEAR(double(int64_t(row.at(0))), double(now_ms() / 1000), 3600.0);
  for (size_t i = 1; i < 6; ++i) EXPECT_TRUE(row.at(i).is_number());
  EXPECT_EQ(get("/btse/spot/api/v3.2/ohlcv?symbol=ETH-USD&resolution=7").status, 400u);
}

TEST_F(SimBtse, SnapshotThenContiguousDeltasEqualTruthAfterPause) {
  const auto& sp = find_spec("btse", "BTC-USD");
  WsClient ws(io, port, "/btse/ws/oss/spot");
  ASSERT_TRUE(ws.connected());
  ws.send(R"({"op":"subscribe","args":["update:BTC-USD_0"]})");
  auto ack = ws.next();
  ASSERT_TRUE(ack);
  EXPECT_EQ(*ack, R"({"event":"subscribe","channel":["update:BTC-USD_0"]})");
  Mirror m;
  m.ps = sp.price_scale;
  m.qs = sp.qty_scale;
  std::string why;
  auto first = ws.next();
  ASSERT_TRUE(first);
  auto snap = json(*first);
  EXPECT_EQ(std::string_view(snap["topic"]), "update:BTC-USD_0");
  EXPECT_EQ(std::string_view(snap["data"]["type"]), "snapshot");
  EXPECT_EQ(std::string_view(snap["data"]["symbol"]), "BTC-USD");
  EXPECT_EQ(snap["data"]["bids"].get_array().size(), 50u);
  ASSERT_TRUE(m.apply(snap, why)) << why;
  int deltas = 0, deletes = 0;
  while (deltas < 15) {
    auto f = ws.next();
    ASSERT_TRUE(f);
    auto e = json(*f);
    ASSERT_TRUE(m.apply(e, why)) << why;
    for (auto lv : e["data"]["asks"].get_array()) deletes += std::string_view(lv.at(1)) == "0";
    ++deltas;
  }
  EXPECT_GT(deletes, 0);
  ASSERT_EQ(post("/sim/pause").status, 200u);
  ws.send("ping");  // everything queued before the pong is what was published
  for (;;) {
    auto f = ws.next();
    ASSERT_TRUE(f);
    if (*f == "pong") break;
    ASSERT_TRUE(m.apply(json(*f), why)) << why;
  }
  const Truth t = truth("btse", "BTC-USD");
  EXPECT_TRUE(t.has_seq);
  EXPECT_EQ(t.seq, m.seq);
  EXPECT_EQ(t.bids, m.levels(true));
  EXPECT_EQ(t.asks, m.levels(false));
  EXPECT_EQ(truth("btse", "BTC-USD", "?depth=3").bids, Levels(t.bids.begin(), t.bids.begin() + 3));
}

// The drift fault: every delta carries one of the top five levels one lot bigger than the
// truth, with the sequence numbers intact, so a client's book goes wrong without any gap,
// and only at such levels.
class SimBtseDrift : public SimFixture {
 protected:
  void SetUp() override { start(options(9, {"btse"}, "drift:1@btse/BTC-USD")); }
};

TEST_F(SimBtseDrift, DeltasCarryALevelOneLotOffWithContiguousSequenceNumbers) {
  const auto& sp = find_spec("btse", "BTC-USD");
  WsClient ws(io, port, "/btse/ws/oss/spot");
  ASSERT_TRUE(ws.connected());
  ws.send(R"({"op":"subscribe","args":["update:BTC-USD_0"]})");
  ASSERT_TRUE(ws.next());  // the ack
  Mirror m;
  m.ps = sp.price_scale;
  m.qs = sp.qty_scale;
  std::string why;
  for (int frames = 0; frames < 16; ++frames) {
    auto f = ws.next();
    ASSERT_TRUE(f);
    ASSERT_TRUE(m.apply(json(*f), why)) << why;  // a snapshot, then contiguous deltas
  }
  ASSERT_EQ(post("/sim/pause").status, 200u);
  ws.send("ping");
  for (;;) {
    auto f = ws.next();
    ASSERT_TRUE(f);
    if (*f == "pong") break;
    ASSERT_TRUE(m.apply(json(*f), why)) << why;
  }
  const Truth t = truth("btse", "BTC-USD");
  EXPECT_EQ(t.seq, m.seq);
  size_t drifted = 0;
  for (bool bid : {true, false}) {
    const Levels mine = m.levels(bid), truth_side = bid ? t.bids : t.asks;
    ASSERT_EQ(mine.size(), truth_side.size());
    for (size_t i = 0; i < mine.size(); ++i) {
      EXPECT_EQ(mine[i].first, truth_side[i].first) << "a drift only changes sizes";
      if (mine[i].second == truth_side[i].second) continue;
      EXPECT_EQ(mine[i].second, truth_side[i].second + sp.lot) << "price " << mine[i].first;
      ++drifted;
    }
  }
  EXPECT_GT(drifted, 0u);
  EXPECT_GE(json(get("/sim/status").body)["faults_injected"]["drift"].get_int64().value(), 15);
}

// GET /sim/truth/btse/SYM?seq=S: the book right after venue seq S, equal to what a perfect
// client held at S, for every S the stream showed; 404 outside the kept history.
TEST_F(SimBtse, TruthAtAPastSeqIsTheBookAfterThatSeq) {
  const auto& sp = find_spec("btse", "ETH-USD");
  WsClient ws(io, port, "/btse/ws/oss/spot");
  ASSERT_TRUE(ws.connected());
  ws.send(R"({"op":"subscribe","args":["update:ETH-USD_0"]})");
  ASSERT_TRUE(ws.next());  // the ack
  Mirror m;
  m.ps = sp.price_scale;
  m.qs = sp.qty_scale;
  std::map<int64_t, std::pair<Levels, Levels>> seen;
  std::string why;
  while (seen.size() < 25) {
    auto f = ws.next();
    ASSERT_TRUE(f);
    ASSERT_TRUE(m.apply(json(*f), why)) << why;
    seen[m.seq] = {m.levels(true), m.levels(false)};
  }
  // Later steps must not disturb the past: the market keeps running while we ask.
  run_for(io, 300ms);
  for (const auto& [seq, book] : seen) {
    const Truth t = truth("btse", "ETH-USD", "?seq=" + std::to_string(seq));
    EXPECT_EQ(t.seq, seq);
    EXPECT_EQ(t.bids, book.first) << "seq " << seq;
    EXPECT_EQ(t.asks, book.second) << "seq " << seq;
  }
  const int64_t last = seen.rbegin()->first;
  const Truth cut = truth("btse", "ETH-USD", "?depth=2&seq=" + std::to_string(last));
  EXPECT_EQ(cut.bids, Levels(seen[last].first.begin(), seen[last].first.begin() + 2));
  EXPECT_EQ(cut.asks.size(), 2u);
  auto e = json(get("/sim/truth/btse/ETH-USD?seq=" + std::to_string(last)).body);
  EXPECT_EQ(int64_t(e["ts_exchange"]) % 1000, 0);  // the venue's ms
  EXPECT_GE(int64_t(e["ts_received"]), int64_t(e["ts_exchange"]));

  ASSERT_EQ(post("/sim/pause").status, 200u);
  const int64_t now = truth("btse", "ETH-USD").seq;
  // ETH-USD is the second instrument: its chain starts at 200000, the oldest kept seq.
  EXPECT_EQ(truth("btse", "ETH-USD", "?seq=200000").seq, 200000);
  auto old = get("/sim/truth/btse/ETH-USD?seq=199999");
  EXPECT_EQ(old.status, 404u);
  EXPECT_EQ(old.body, R"({"error":{"code":"seq_unavailable","message":"seq 199999 of btse ETH-USD is not in the kept history [200000, )" +
                          std::to_string(now) + R"(]"}})");
  EXPECT_EQ(get("/sim/truth/btse/ETH-USD?seq=" + std::to_string(now + 1)).status, 404u);
  auto bad = get("/sim/truth/btse/ETH-USD?seq=-1");
  EXPECT_EQ(bad.status, 400u);
  EXPECT_EQ(bad.body, R"({"error":{"code":"bad_seq","message":"seq must be a non-negative integer"}})");
  EXPECT_EQ(get("/sim/truth/btse/DOGE-USD?seq=1").status, 404u);
}

TEST(SimTruthHistory, OnlyVenuesThatKeepOne) {
  boost::asio::io_context io;
  Simulator sim(io, options(3, {"narkasa"}));
  const uint16_t port = sim.listen("127.0.0.1", 0);
  auto r = http(io, port, "GET", "/sim/truth/narkasa/BTC-TRY?seq=1");
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(r.body, R"({"error":{"code":"seq_unsupported","message":"narkasa keeps no truth history"}})");
  sim.stop();
}

TEST_F(SimBtse, L1TradesUnsubscribeErrorsAndPing) {
  WsClient oss(io, port, "/btse/ws/oss/spot");
  WsClient spot(io, port, "/btse/ws/spot");
  ASSERT_TRUE(oss.connected());
  ASSERT_TRUE(spot.connected());
  oss.send(R"({"op":"subscribe","args":["snapshotL1:ETH-USD","update:BTCC-USD_0","tradeHistoryApi:ETH-USD"]})");
  EXPECT_EQ(*oss.next(), R"({"event":"subscribe","channel":["snapshotL1:ETH-USD"]})");
  EXPECT_EQ(*oss.next(),
            R"({"severity":"ERROR","errors":[{"arg":"update:BTCC-USD_0","error":{"code":1000,"message":"Market pair provided is currently not supported."}},)"
            R"({"arg":"tradeHistoryApi:ETH-USD","error":{"code":1005,"message":"Topic provided does not exist."}}]})");
  auto l1 = json(*oss.next());
  EXPECT_EQ(std::string_view(l1["topic"]), "snapshotL1:ETH-USD");
  EXPECT_EQ(std::string_view(l1["data"]["type"]), "snapshotL1");
  EXPECT_TRUE(l1["data"]["bids"].at(0).at(0).is_string());
  EXPECT_TRUE(l1["data"]["timestamp"].is_int64());

  spot.send(R"({"op":"subscribe","args":["tradeHistoryApi:ETH-USD"]})");
  EXPECT_EQ(*spot.next(), R"({"event":"subscribe","channel":["tradeHistoryApi:ETH-USD"]})");
  auto tr = json(*spot.next(10000ms));
  EXPECT_EQ(std::string_view(tr["topic"]), "tradeHistoryApi:ETH-USD");
  auto t0 = tr["data"].at(0);
  EXPECT_EQ(std::string_view(t0["symbol"]), "ETH-USD");
  EXPECT_TRUE(t0["price"].is_number());
  EXPECT_TRUE(t0["size"].is_number());
  EXPECT_TRUE(t0["tradeId"].is_int64());
  EXPECT_NEAR(double(int64_t(t0["timestamp"])), double(now_ms()), 60'000.0);

  spot.send(R"({"op":"unsubscribe","args":["tradeHistoryApi:ETH-USD"]})");
  spot.send("ping");
  std::string reply;
  while (reply.empty()) {
    auto f = spot.next();
    ASSERT_TRUE(f);
    if (!f->starts_with(R"({"topic")")) reply = *f;  // trades queued before the unsubscribe
  }
  EXPECT_EQ(reply, R"({"event":"unsubscribe","channel":["tradeHistoryApi:ETH-USD"]})");
  EXPECT_EQ(*spot.next(), "pong");
  run_for(io, 500ms);
  EXPECT_EQ(spot.pending(), 0u);  // no trades after the unsubscribe
  spot.send("{bad");
  EXPECT_NE(spot.next()->find(R"("code":1002)"), std::string::npos);
}

}  // namespace
}  // namespace mdhub::sim::test
