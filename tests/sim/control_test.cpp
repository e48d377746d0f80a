// /sim/* control and truth, config_toml, construction errors and TLS.
#include <toml++/toml.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/sim/fixture.hpp"

namespace mdhub::sim::test {
namespace {

class SimControl : public SimFixture {};

TEST_F(SimControl, TruthShapeNamesAndErrors) {
  start(options(3));
  auto r = get("/sim/truth/narkasa/BTCTRY?depth=2");  // native name accepted
  ASSERT_EQ(r.status, 200u) << r.body;
  auto e = json(r.body);
  EXPECT_EQ(std::string_view(e["venue"]), "narkasa");
  EXPECT_EQ(std::string_view(e["symbol"]), "BTC-TRY");
  EXPECT_TRUE(e["seq"].is_null());          // narkasa has no sequence
  EXPECT_TRUE(e["ts_exchange"].is_null());  // nor a depth timestamp
  EXPECT_TRUE(e["ts_received"].is_int64());
  EXPECT_EQ(e["bids"].get_array().size(), 2u);
  EXPECT_TRUE(e["bids"].at(0).at(0).is_string());
  EXPECT_TRUE(e["asks"].at(1).at(1).is_string());

  auto b = json(get("/sim/truth/btse/BTC-USDT").body);
  EXPECT_TRUE(b["seq"].is_int64());
  EXPECT_TRUE(b["ts_exchange"].is_int64());
  EXPECT_EQ(int64_t(b["ts_exchange"]) % 1000, 0);  // µs, from the venue's ms
  EXPECT_EQ(b["asks"].get_array().size(), 50u);

  EXPECT_EQ(get("/sim/truth/nope/BTC-USD").status, 404u);
  EXPECT_EQ(get("/sim/truth/btse/NOPE-USD").body,
            R"({"error":{"code":"unknown_symbol","message":"unknown symbol 'NOPE-USD' on btse"}})");
  EXPECT_EQ(get("/sim/truth/btse").status, 404u);
  EXPECT_EQ(get("/sim/truth/btse/BTC-USD?depth=0").status, 400u);
  EXPECT_EQ(get("/sim/truth/btse/BTC-USD?depth=x").status, 400u);
}

TEST_F(SimControl, PauseFreezesAndResumeRestarts) {
  start(options(4, {"btse"}));
  EXPECT_EQ(get("/sim/pause").status, 405u);
  EXPECT_EQ(post("/sim/pause").body, R"({"paused":true})");
  EXPECT_TRUE(sim->paused());
  const Truth a = truth("btse", "BTC-USD");
  const std::string ticker = get("/btse/spot/api/v3.2/market_summary?symbol=BTC-USD").body;
  run_for(io, 300ms);
  const Truth b = truth("btse", "BTC-USD");
  EXPECT_EQ(a.seq, b.seq);
  EXPECT_EQ(a.bids, b.bids);
  EXPECT_EQ(get("/btse/spot/api/v3.2/market_summary?symbol=BTC-USD").body, ticker);  // REST from the frozen state
  EXPECT_EQ(json(get("/sim/status").body)["paused"].get_bool().value(), true);
  EXPECT_EQ(post("/sim/resume").body, R"({"paused":false})");
  EXPECT_TRUE(run_until(io, [&] { return truth("btse", "BTC-USD").seq != a.seq; }));
  auto st = json(get("/sim/status").body);
  EXPECT_FALSE(st["paused"].get_bool().value());
  EXPECT_GT(int64_t(st["steps"]), 0);
  EXPECT_EQ(int64_t(st["seed"]), 4);
}

TEST_F(SimControl, FaultSpecEndpoint) {
  start();
  auto bad = post("/sim/faults", "drop:0.1,gap:2");
  EXPECT_EQ(bad.status, 400u);
  EXPECT_EQ(bad.body, R"({"error":{"code":"bad_fault_spec","message":"bad fault item 'gap:2': rate must be a number in [0,1]"}})");
  EXPECT_EQ(post("/sim/faults", "teleport:0.5").body,
            R"({"error":{"code":"bad_fault_spec","message":"bad fault item 'teleport:0.5': unknown kind 'teleport'"}})");
  EXPECT_EQ(get("/sim/faults").body, R"({"faults":""})");  // a bad spec changes nothing
  EXPECT_EQ(post("/sim/faults", "drop:0.5, http429:0.25").body, R"({"faults":"drop:0.5,http429:0.25"})");
  EXPECT_EQ(get("/sim/faults").body, R"({"faults":"drop:0.5,http429:0.25"})");
  EXPECT_EQ(post("/sim/faults", "dup:1").body, R"({"faults":"dup:1"})");  // a POST replaces
  EXPECT_EQ(post("/sim/faults", "").body, R"({"faults":""})");           // empty clears
  std::string err;
  EXPECT_FALSE(sim->set_faults("slow", err));
  EXPECT_EQ(err, "bad fault item 'slow': expected kind:rate");
  EXPECT_TRUE(sim->set_faults("slow:0", err));
}

TEST(SimConstruct, RejectsBadFaultsAndUnknownVenues) {
  boost::asio::io_context io;
  EXPECT_THROW(Simulator(io, options(1, {}, "drop:1.5")), std::invalid_argument);
  EXPECT_THROW(Simulator(io, options(1, {"nasdaq"})), std::invalid_argument);
  Simulator ok(io, options(1, {"btse"}, "drop:0.01,http5xx:0.5"));
  EXPECT_EQ(ok.venues(), std::vector<std::string>{"btse"});
}

TEST(SimConfig, PointsEveryVenueAtTheSimulator) {
  const std::string text = Simulator::config_toml("127.0.0.1", 9000, Options{});
  EXPECT_TRUE(text.starts_with("# mdhub config for a simulator at 127.0.0.1:9000\n"));
  toml::table t = toml::parse(text);
  EXPECT_EQ(t["listen"].value<std::string>(), "127.0.0.1:8080");
  // USDC pegged to USD, nothing else: the venues' conversion pairs give the other rates.
  ASSERT_TRUE(t["fx"].as_table()) << text;
  EXPECT_EQ(t["fx"].as_table()->size(), 1u);
  ASSERT_TRUE(t["fx"]["pegs"].as_array());
  EXPECT_EQ(t["fx"]["pegs"].as_array()->size(), 1u);
  EXPECT_EQ(t["fx"]["pegs"][0].value<std::string>(), "USDC=USD");
  auto n = t["venues"]["narkasa"];
  EXPECT_EQ(n["enabled"].value<bool>(), true);
  EXPECT_EQ(n["rest_base"].value<std::string>(), "http://127.0.0.1:9000/narkasa/v3/api");
  EXPECT_EQ(n["ws_url"].value<std::string>(), "ws://127.0.0.1:9000/narkasa/v3");
  auto strings = [](toml::node_view<toml::node> v) {
    std::vector<std::string> out;
    if (auto* a = v.as_array())
      for (auto& e : *a) out.push_back(e.value_or(std::string{}));
    return out;
  };
  EXPECT_EQ(strings(n["symbols"]), (std::vector<std::string>{"BTC-TRY", "ETH-TRY", "BTC-USDT", "ETH-USDT", "USDT-TRY"}));
  EXPECT_EQ(strings(n["channels"]), (std::vector<std::string>{"book", "bbo", "trades", "ticker", "candles"}));
  EXPECT_FALSE(n["ca_file"]);
  auto b = t["venues"]["btse"];
  EXPECT_EQ(b["rest_base"].value<std::string>(), "http://127.0.0.1:9000/btse/spot");
  EXPECT_EQ(b["ws_url"].value<std::string>(), "ws://127.0.0.1:9000/btse/ws/spot");
  EXPECT_EQ(b["urls"]["oss_url"].value<std::string>(), "ws://127.0.0.1:9000/btse/ws/oss/spot");
  EXPECT_EQ(b["symbols"].as_array()->size(), 5u);

  toml::table only = toml::parse(Simulator::config_toml("localhost", 1, options(1, {"btse"})));
  EXPECT_FALSE(only["venues"]["narkasa"]);
  EXPECT_EQ(only["venues"]["btse"]["rest_base"].value<std::string>(), "http://localhost:1/btse/spot");
}

TEST(SimConfig, SaysWhichSymbolsTheChosenVariantsDoNotServe) {
  Options o = options(1, {"coinmotion", "narkasa"});
  const std::string plain = Simulator::config_toml("127.0.0.1", 9000, o);
  EXPECT_EQ(plain.find("not served"), std::string::npos) << plain;
  o.variants["coinmotion.layout"] = "crypto";
  const std::string text = Simulator::config_toml("127.0.0.1", 9000, o);
  const std::string symbols = "symbols = [\"BTC-EUR\", \"ETH-EUR\", \"BTC-SEK\", \"ETH-BTC\", \"BTC-USDC\", \"USDC-EUR\"]\n";
  EXPECT_NE(text.find(symbols + "# not served (coinmotion.layout=crypto serves EUR pairs only): BTC-SEK, ETH-BTC, "
                                "BTC-USDC\n"),
            std::string::npos)
      << text;
  // Only that venue's table, and the symbols stay: one config fits every variant.
  EXPECT_EQ(text.find("not served"), text.rfind("not served"));
  toml::table t = toml::parse(text);
  EXPECT_EQ(t["venues"]["coinmotion"]["symbols"].as_array()->size(), 6u);
  o.variants["coinmotion.layout"] = "pairs";
  EXPECT_EQ(Simulator::config_toml("127.0.0.1", 9000, o), plain);
}

std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

TEST(SimTls, WritesReusesAndServesTheCertificate) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("mdhub-sim-tls-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  Options o = options(1, {"btse"});
  o.tls = true;
  o.tls_dir = dir.string();
  toml::table t = toml::parse(Simulator::config_toml("127.0.0.1", 9443, o));
  const std::string ca = t["venues"]["btse"]["ca_file"].value_or(std::string{});
  EXPECT_EQ(ca, (fs::absolute(dir) / "sim-ca.pem").string());
  EXPECT_EQ(t["venues"]["btse"]["rest_base"].value<std::string>(), "https://127.0.0.1:9443/btse/spot");
  EXPECT_EQ(t["venues"]["btse"]["urls"]["oss_url"].value<std::string>(), "wss://127.0.0.1:9443/btse/ws/oss/spot");
  const std::string pem = slurp(ca);
  EXPECT_TRUE(pem.starts_with("-----BEGIN CERTIFICATE-----"));
  EXPECT_EQ((fs::status(dir / "sim-key.pem").permissions() & fs::perms::others_read), fs::perms::none);
  (void)Simulator::config_toml("127.0.0.1", 9443, o);
  EXPECT_EQ(slurp(ca), pem);  // reused, not regenerated

  boost::asio::io_context io;
  {
    Simulator sim(io, o);
    const uint16_t port = sim.listen("127.0.0.1", 0);
    auto r = http(io, port, "GET", "/btse/spot/api/v3.2/time", {}, 5000ms, ca);
    EXPECT_EQ(r.status, 200u) << r.body;
    EXPECT_NE(r.body.find("\"epoch\""), std::string::npos);
    EXPECT_FALSE(http(io, port, "GET", "/btse/spot/api/v3.2/time", {}, 2000ms).ok);  // plain HTTP is refused
    sim.stop();
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace mdhub::sim::test
