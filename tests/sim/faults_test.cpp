// Fault SPEC parsing and every fault kind as a client sees it.
#include "tests/sim/fixture.hpp"

#include <chrono>
#include <ctime>
#include <map>

#include "src/sim/faults.hpp"

namespace mdhub::sim::test {
namespace {

TEST(SimFaultSpec, ParsesValidatesAndPrints) {
  FaultSpec s;
  std::string err;
  ASSERT_TRUE(parse_fault_spec(" gap:0.01 ,disconnect:0.001,http429:0.05 ", s, err)) << err;
  EXPECT_EQ(s.rate[static_cast<size_t>(FaultKind::gap)], 0.01);
  EXPECT_EQ(s.to_string(), "disconnect:0.001,gap:0.01,http429:0.05");
  for (const char* kind : {"disconnect", "drop", "dup", "reorder", "gap", "malformed", "oversize", "slow", "http429",
                           "http5xx", "drift"})
    EXPECT_TRUE(parse_fault_spec(std::string(kind) + ":1", s, err)) << kind;
  ASSERT_TRUE(parse_fault_spec("", s, err));
  EXPECT_FALSE(s.any());
  ASSERT_TRUE(parse_fault_spec("  ", s, err));
  EXPECT_FALSE(s.any());

  const std::pair<const char*, const char*> bad[] = {
      {"drop:1.01", "bad fault item 'drop:1.01': rate must be a number in [0,1]"},
      {"drop:-0.5", "bad fault item 'drop:-0.5': rate must be a number in [0,1]"},
      {"drop:1e-3", "bad fault item 'drop:1e-3': rate must be a number in [0,1]"},
      {"drop:", "bad fault item 'drop:': rate must be a number in [0,1]"},
      {"drop", "bad fault item 'drop': expected kind:rate"},
      {"drop:0.1,,gap:0.1", "bad fault item '': expected kind:rate"},
      {"crash:0.1", "bad fault item 'crash:0.1': unknown kind 'crash'"},
  };
  for (const auto& [spec, msg] : bad) {
    FaultSpec keep;
    keep.rate[0] = 0.5;
    EXPECT_FALSE(parse_fault_spec(spec, keep, err)) << spec;
    EXPECT_EQ(err, msg);
    EXPECT_EQ(keep.rate[0], 0.5);  // untouched on error
  }
}

std::vector<FaultVenue> test_venues() {
  return {{"btse", {{"BTC-USD", "BTC-USD"}, {"BTC-USDT", "BTC-USDT"}}}, {"narkasa", {{"BTC-TRY", "BTCTRY"}}}};
}

TEST(SimFaultSpec, ScopesParsePrintAndValidate) {
  FaultSpec s;
  std::string err;
  ASSERT_TRUE(parse_fault_spec(" gap:0.01, gap:0.05@btse/btc-usd ,dup:0.1@NARKASA,gap:0.2@btse/BTC-USD", s, err)) << err;
  EXPECT_EQ(s.rate[static_cast<size_t>(FaultKind::gap)], 0.01);
  ASSERT_EQ(s.scoped.size(), 2u);  // the repeated kind+scope replaced the first
  EXPECT_EQ(s.scoped[0].rate, 0.2);
  EXPECT_EQ(s.scoped[0].venue, "btse");
  EXPECT_EQ(s.scoped[0].symbol, "BTC-USD");
  EXPECT_EQ(s.scoped[1].venue, "narkasa");
  EXPECT_EQ(s.scoped[1].symbol, "");
  EXPECT_EQ(s.to_string(), "gap:0.01,gap:0.2@btse/BTC-USD,dup:0.1@narkasa");
  // A scoped 0 is kept (it overrides a wider item); alone it injects nothing.
  ASSERT_TRUE(parse_fault_spec("drop:0@btse", s, err));
  EXPECT_FALSE(s.any());
  EXPECT_EQ(s.to_string(), "drop:0@btse");

  const auto venues = test_venues();
  ASSERT_TRUE(parse_fault_spec("reorder:0.5@narkasa/btctry,http429:1@btse", venues, s, err)) << err;
  EXPECT_EQ(s.to_string(), "reorder:0.5@narkasa/BTC-TRY,http429:1@btse");  // native -> canonical

  const std::pair<const char*, const char*> bad[] = {
      {"gap:0.1@", "bad fault item 'gap:0.1@': expected @venue or @venue/SYMBOL"},
      {"gap:0.1@btse/", "bad fault item 'gap:0.1@btse/': expected @venue or @venue/SYMBOL"},
      {"gap:0.1@/BTC-USD", "bad fault item 'gap:0.1@/BTC-USD': expected @venue or @venue/SYMBOL"},
      {"gap:0.1@btse/BTC/USD", "bad fault item 'gap:0.1@btse/BTC/USD': expected @venue or @venue/SYMBOL"},
      {"gap:0.1@btse@narkasa", "bad fault item 'gap:0.1@btse@narkasa': expected @venue or @venue/SYMBOL"},
      {"gap@btse", "bad fault item 'gap@btse': expected kind:rate"},
      {"gap:x@btse", "bad fault item 'gap:x@btse': rate must be a number in [0,1]"},
      {"drop:0.1,gap:0.1@kraken", "bad fault item 'gap:0.1@kraken': unknown venue 'kraken'"},
      {"gap:0.1@btse/DOGE-USD", "bad fault item 'gap:0.1@btse/DOGE-USD': unknown symbol 'DOGE-USD' on btse"},
      {"gap:0.1@btse/BTCTRY", "bad fault item 'gap:0.1@btse/BTCTRY': unknown symbol 'BTCTRY' on btse"},
  };
  for (const auto& [spec, msg] : bad) {
    FaultSpec keep;
    keep.rate[0] = 0.5;
    EXPECT_FALSE(parse_fault_spec(spec, venues, keep, err)) << spec;
    EXPECT_EQ(err, msg);
    EXPECT_EQ(keep.rate[0], 0.5);
    EXPECT_TRUE(keep.scoped.empty());
  }
  // Without the venue list only the grammar is checked.
  EXPECT_TRUE(parse_fault_spec("gap:0.1@kraken/DOGE-USD", s, err));
}

TEST(SimFaultTarget, FramesAndRequestsByVenueAndSymbol) {
  boost::asio::io_context io;
  Faults f(io, 1);
  f.set_venues(test_venues());
  FaultSpec spec;
  std::string err;
  auto same = [](Faults::Target a, Faults::Target b) { return a.venue == b.venue && a.symbol == b.symbol; };
  const std::string usd = R"({"topic":"update:BTC-USD_0","data":{"seqNum":5,"symbol":"BTC-USD"}})";
  const std::string usdt = R"({"topic":"update:BTC-USDT_0","data":{"seqNum":5,"symbol":"BTC-USDT"}})";
  const std::string both = R"({"a":"BTC-USD","b":"BTC-USDT"})";
  // Frames are classified by symbol only when an item names a symbol of their venue.
  EXPECT_TRUE(same(f.target("/btse/ws/oss/spot", usd), {0, -1}));
  ASSERT_TRUE(parse_fault_spec("drop:1@btse/BTC-USDT", test_venues(), spec, err));
  f.set(spec);
  EXPECT_TRUE(same(f.target("/btse/ws/oss/spot", usd), {0, 0}));
  EXPECT_TRUE(same(f.target("/btse/ws/oss/spot", usdt), {0, 1}));  // "BTC-USD" is not "BTC-USDT"
  EXPECT_TRUE(same(f.target("/btse/ws/oss/spot", both), {0, -1}));
  EXPECT_TRUE(same(f.target("/btse/ws/oss/spot", "pong"), {0, -1}));
  EXPECT_TRUE(same(f.target("/narkasa/v3/ws", usd), {1, -1}));
  EXPECT_TRUE(same(f.target("/btsex/ws", usd), {-1, -1}));

  net::HttpRequest req;
  req.path = "/btse/spot/api/v3.2/orderbook/L2";
  req.query = {{"symbol", "btc-usdt"}, {"depth", "5"}};
  EXPECT_TRUE(same(f.target(req), {0, 1}));
  req.query = {{"symbols", "BTC-USD,BTC-USDT"}};
  EXPECT_TRUE(same(f.target(req), {0, -1}));
  req.query = {};
  EXPECT_TRUE(same(f.target(req), {0, -1}));
  req.path = "/narkasa/v3/api/market/BTCTRY/depth";  // a path segment names it
  EXPECT_TRUE(same(f.target(req), {1, 0}));
  req.path = "/sim/status";
  EXPECT_TRUE(same(f.target(req), {-1, -1}));
}

// Which btse topics' frames survive a SPEC: the topics subscribed on one socket, the
// topics seen among the first `n` data frames.
class SimScopedFaults : public SimFixture {
 protected:
  void SetUp() override { start(options(23, {"btse", "narkasa"})); }
  std::map<std::string, std::vector<int64_t>> topics(const std::string& spec, size_t n) {
    std::string err;
    EXPECT_TRUE(sim->set_faults(spec, err)) << err;
    WsClient ws(io, port, "/btse/ws/oss/spot");
    ws.send(R"({"op":"subscribe","args":["update:BTC-USD_0","update:ETH-USD_0","update:BTC-USDT_0"]})");
    std::map<std::string, std::vector<int64_t>> out;
    simdjson::dom::parser p;
    for (size_t i = 0; i < n;) {
      auto f = ws.next();
      if (!f) break;
      if (f->starts_with(R"({"event")")) continue;
      simdjson::dom::element e;
      if (p.parse(*f).get(e)) continue;
      out[std::string(std::string_view(e["topic"]))].push_back(int64_t(e["data"]["seqNum"]));
      ++i;
    }
    return out;
  }
};

TEST_F(SimScopedFaults, OnlyTheNamedVenueAndSymbolAreHit) {
  auto t = topics("drop:1@btse/ETH-USD", 40);
  EXPECT_EQ(t.count("update:ETH-USD_0"), 0u);
  EXPECT_GT(t["update:BTC-USD_0"].size(), 0u);
  EXPECT_GT(t["update:BTC-USDT_0"].size(), 0u);
  for (const auto& [topic, seqs] : t)
    for (size_t i = 1; i < seqs.size(); ++i) EXPECT_EQ(seqs[i], seqs[i - 1] + 1) << topic;

  t = topics("drop:1@narkasa", 20);  // another venue's scope leaves btse alone
  EXPECT_EQ(t.size(), 3u);
  // The most specific item wins: everything is dropped but BTC-USD.
  t = topics("drop:1,drop:0@btse/BTC-USD", 20);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t.begin()->first, "update:BTC-USD_0");
  EXPECT_EQ(t.begin()->second.size(), 20u);
  EXPECT_EQ(get("/sim/faults").body, R"({"faults":"drop:1,drop:0@btse/BTC-USD"})");
}

TEST_F(SimScopedFaults, ReorderSwapsWithinTheSymbolOnly) {
  // Every BTC-USD frame is held until the next BTC-USD frame: pairs arrive swapped, while
  // the other symbols' frames, interleaved on the same socket, stay in order.
  const auto t = topics("reorder:1@btse/BTC-USD", 60);
  const auto& btc = t.at("update:BTC-USD_0");
  ASSERT_GE(btc.size(), 4u);
  int backwards = 0;
  for (size_t i = 1; i < btc.size(); ++i) backwards += btc[i] < btc[i - 1];
  EXPECT_GT(backwards, 0);
  for (const char* other : {"update:ETH-USD_0", "update:BTC-USDT_0"}) {
    const auto& seqs = t.at(other);
    for (size_t i = 1; i < seqs.size(); ++i) EXPECT_EQ(seqs[i], seqs[i - 1] + 1) << other;
  }
}

TEST_F(SimScopedFaults, RestFaultsByVenueAndSymbol) {
  const std::string l2 = "/btse/spot/api/v3.2/orderbook/L2?symbol=";
  EXPECT_EQ(post("/sim/faults", "http429:1@btse/ETH-USD").status, 200u);
  EXPECT_EQ(get(l2 + "ETH-USD").status, 429u);
  EXPECT_EQ(get(l2 + "BTC-USD").status, 200u);
  EXPECT_EQ(get("/btse/spot/api/v3.2/market_summary").status, 200u);  // names no symbol
  EXPECT_EQ(post("/sim/faults", "http5xx:1@narkasa").status, 200u);
  EXPECT_EQ(get("/btse/spot/api/v3.2/time").status, 200u);
  EXPECT_EQ(get("/narkasa/v3/api/market/markets").status, 503u);
  auto bad = post("/sim/faults", "gap:0.1@btse/BTC-TRY");
  EXPECT_EQ(bad.status, 400u);
  EXPECT_EQ(bad.body,
            R"({"error":{"code":"bad_fault_spec","message":"bad fault item 'gap:0.1@btse/BTC-TRY': unknown symbol 'BTC-TRY' on btse"}})");
  EXPECT_EQ(post("/sim/faults", "gap:0.1@coinbtr").body,
            R"({"error":{"code":"bad_fault_spec","message":"bad fault item 'gap:0.1@coinbtr': unknown venue 'coinbtr'"}})");
  EXPECT_EQ(get("/sim/faults").body, R"({"faults":"http5xx:1@narkasa"})");  // unchanged by bad specs
  boost::asio::io_context io2;
  EXPECT_THROW(Simulator(io2, options(1, {"btse"}, "drop:0.1@narkasa")), std::invalid_argument);
}

// The btse book stream under one fault: frames as received, after subscribing.
class SimVariants : public SimFixture {};

TEST_F(SimVariants, RetryAfterOfTheHttp429FaultSpeaksEachForm) {
  using namespace std::chrono;
  for (const std::string form : {"delay", "epoch_s", "epoch_ms", "date"}) {
    Options o = options(5, {"btse", "narkasa"}, "http429:1");
    o.variants["btse.retry_after"] = form;
    sim.reset();
    start(o);
    const int64_t before = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
    const std::string v = get("/btse/spot/api/v3.2/time").header("Retry-After");
    const int64_t after = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
    // Other venues keep the standard delay.
    EXPECT_EQ(get("/narkasa/v3/api/time").header("Retry-After"), "1") << form;
    if (form == "delay") {
      EXPECT_EQ(v, "1");
    } else if (form == "epoch_ms") {
      EXPECT_GE(std::stoll(v), before + 1000);
      EXPECT_LE(std::stoll(v), after + 1000);
    } else if (form == "epoch_s") {
      EXPECT_GE(std::stoll(v) * 1000, before + 1000);
      EXPECT_LE(std::stoll(v) * 1000, after + 2000);
    } else {
      std::tm tm{};
      const char* end = strptime(v.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
      ASSERT_TRUE(end && *end == '\0') << v;
      const int64_t at_ms = int64_t{timegm(&tm)} * 1000;
      EXPECT_GE(at_ms, before + 1000) << v;
      EXPECT_LE(at_ms, after + 2000) << v;
    }
    sim->stop();
  }
}

TEST_F(SimVariants, UnknownVariantIsRefused) {
  Options o = options(5);
  o.variants["narkasa.depth"] = "half";
  EXPECT_THROW(start(o), std::invalid_argument);
  std::map<std::string, std::string> v;
  std::string err;
  EXPECT_TRUE(parse_variants("narkasa.depth=full, btse.retry_after=date", v, err)) << err;
  EXPECT_EQ(v, (std::map<std::string, std::string>{{"btse.retry_after", "date"}, {"narkasa.depth", "full"}}));
  EXPECT_FALSE(parse_variants("narkasa.depth=sides,coinbtr.depth=full", v, err));
  EXPECT_EQ(err, "'coinbtr.depth=full': unknown key 'depth' for coinbtr");
  EXPECT_EQ(v.at("narkasa.depth"), "full");  // untouched on error
}

class SimFaultWire : public SimFixture {
 protected:
  void SetUp() override { start(options(21, {"btse"})); }
  std::vector<std::string> frames(const std::string& spec, size_t n, WsClient& ws) {
    std::string err;
    EXPECT_TRUE(sim->set_faults(spec, err)) << err;
    ws.send(R"({"op":"subscribe","args":["update:BTC-USD_0"]})");
    std::vector<std::string> out;
    while (out.size() < n) {
      auto f = ws.next();
      if (!f) break;
      if (!f->starts_with(R"({"event")")) out.push_back(*f);
    }
    return out;
  }
  // seqNum and prevSeqNum of each parsable frame.
  std::vector<std::pair<int64_t, int64_t>> seqs(const std::vector<std::string>& fs) {
    std::vector<std::pair<int64_t, int64_t>> out;
    simdjson::dom::parser p;
    for (const auto& f : fs) {
      simdjson::dom::element e;
      if (p.parse(f).get(e)) continue;
      out.emplace_back(int64_t(e["data"]["seqNum"]), int64_t(e["data"]["prevSeqNum"]));
    }
    return out;
  }
};

TEST_F(SimFaultWire, GapAndDropSkipSequenceNumbers) {
  for (const char* spec : {"gap:0.3", "drop:0.3"}) {
    WsClient ws(io, port, "/btse/ws/oss/spot");
    const auto s = seqs(frames(spec, 20, ws));
    ASSERT_EQ(s.size(), 20u);
    int jumps = 0;
    for (size_t i = 1; i < s.size(); ++i) {
      EXPECT_GE(s[i].second, s[i - 1].first) << spec;  // never backwards
      jumps += s[i].second > s[i - 1].first;
    }
    EXPECT_GT(jumps, 0) << spec;
    EXPECT_GT(json(get("/sim/status").body)["faults_injected"][spec[0] == 'g' ? "gap" : "drop"].get_int64().value(), 0);
  }
}

TEST_F(SimFaultWire, DupRepeatsAFrame) {
  WsClient ws(io, port, "/btse/ws/oss/spot");
  const auto fs = frames("dup:0.3", 20, ws);
  int repeats = 0;
  for (size_t i = 1; i < fs.size(); ++i) repeats += fs[i] == fs[i - 1];
  EXPECT_GT(repeats, 0);
}

TEST_F(SimFaultWire, ReorderSwapsNeighbours) {
  WsClient ws(io, port, "/btse/ws/oss/spot");
  const auto s = seqs(frames("reorder:0.3", 20, ws));
  int backwards = 0;
  for (size_t i = 1; i < s.size(); ++i) backwards += s[i].first < s[i - 1].first;
  EXPECT_GT(backwards, 0);
}

TEST_F(SimFaultWire, AHeldFrameGoesOutWhenReorderIsCleared) {
  WsClient ws(io, port, "/btse/ws/oss/spot");
  sim->pause();  // the snapshot is the only frame: reorder holds it with nothing to swap with
  std::string err;
  ASSERT_TRUE(sim->set_faults("reorder:1", err));
  ws.send(R"({"op":"subscribe","args":["update:BTC-USD_0"]})");
  ASSERT_TRUE(ws.next());  // the ack
  ws.send("ping");
  EXPECT_EQ(*ws.next(), "pong");
  ASSERT_TRUE(sim->set_faults("", err));
  auto f = ws.next();
  ASSERT_TRUE(f);
  EXPECT_NE(f->find(R"("type":"snapshot")"), std::string::npos);
}

TEST_F(SimFaultWire, MalformedFramesDoNotParse) {
  WsClient ws(io, port, "/btse/ws/oss/spot");
  const auto fs = frames("malformed:0.5", 10, ws);
  ASSERT_EQ(fs.size(), 10u);
  EXPECT_LT(seqs(fs).size(), fs.size());
}

TEST_F(SimFaultWire, OversizeSendsAFrameOver16MiB) {
  WsClient ws(io, port, "/btse/ws/oss/spot");
  sim->pause();  // only the subscription's snapshot is sent: one oversize frame, not a flood
  const auto fs = frames("oversize:1", 1, ws);
  std::string err;
  sim->set_faults("", err);
  ASSERT_EQ(fs.size(), 1u) << "closed " << ws.closed() << " " << get("/sim/status").body;
  EXPECT_GT(fs[0].size(), 16u << 20);
}

TEST_F(SimFaultWire, DisconnectDropsTheConnection) {
  WsClient ws(io, port, "/btse/ws/oss/spot");
  const auto fs = frames("disconnect:1", 1, ws);
  EXPECT_TRUE(fs.empty());
  EXPECT_TRUE(ws.closed());
}

TEST_F(SimFaultWire, RestFaultsButNeverOnSimRoutes) {
  const std::string t = "/btse/spot/api/v3.2/time";
  std::string err;
  ASSERT_TRUE(sim->set_faults("http429:1", err));
  const auto wall_ms = [] {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  };
  const int64_t before = wall_ms();
  auto r = get(t);
  const int64_t after = wall_ms();
  EXPECT_EQ(r.status, 429u);
  // BTSE's default reading: the time the limit lifts, in ms ("retry in 1 s").
  const int64_t at = std::stoll(r.header("Retry-After"));
  EXPECT_GE(at, before + 1000);
  EXPECT_LE(at, after + 1000);
  EXPECT_EQ(get("/sim/status").status, 200u);
  ASSERT_TRUE(sim->set_faults("http5xx:1", err));
  EXPECT_EQ(get(t).status, 503u);
  EXPECT_EQ(get("/sim/truth/btse/BTC-USD").status, 200u);
  ASSERT_TRUE(sim->set_faults("malformed:1", err));
  r = get(t);
  EXPECT_EQ(r.status, 200u);
  simdjson::dom::parser p;
  EXPECT_TRUE(p.parse(r.body).error());
  // slow: the answer is held for 5 s; it must not arrive within one.
  ASSERT_TRUE(sim->set_faults("slow:1", err));
  EXPECT_FALSE(http(io, port, "GET", t, {}, 1000ms).ok);
  EXPECT_EQ(json(get("/sim/status").body)["faults_injected"]["slow"].get_int64().value(), 1);
  ASSERT_TRUE(sim->set_faults("", err));
  EXPECT_EQ(get(t).status, 200u);
}

}  // namespace
}  // namespace mdhub::sim::test
