// Fault SPEC parsing and every fault kind as a client sees it.
#include "tests/sim/fixture.hpp"
#include "tools/sim/faults.hpp"

namespace mdhub::sim::test {
namespace {

TEST(SimFaultSpec, ParsesValidatesAndPrints) {
  FaultSpec s;
  std::string err;
  ASSERT_TRUE(parse_fault_spec(" gap:0.01 ,disconnect:0.001,http429:0.05 ", s, err)) << err;
  EXPECT_EQ(s.rate[static_cast<size_t>(FaultKind::gap)], 0.01);
  EXPECT_EQ(s.to_string(), "disconnect:0.001,gap:0.01,http429:0.05");
  for (const char* kind : {"disconnect", "drop", "dup", "reorder", "gap", "malformed", "oversize", "slow", "http429",
                           "http5xx"})
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

// The btse book stream under one fault: frames as received, after subscribing.
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
  auto r = get(t);
  EXPECT_EQ(r.status, 429u);
  EXPECT_EQ(r.header("Retry-After"), "1");
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
