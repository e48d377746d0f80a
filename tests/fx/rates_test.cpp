// The edge choice, the path rule, configured paths and the reasons a conversion is not
// usable, over hand-written markets.
#include "tests/fx/fx_fixture.hpp"

namespace mdhub::fx::test {
namespace {

Conversion conv(const FxMarket& m, const FxConfig& cfg, std::string from, std::string to, std::string base = "BTC") {
  std::string error;
  const auto statics = static_rates(cfg, &error);
  EXPECT_EQ(error, "");
  return RateGraph(m, cfg, statics).convert(from, to, base);
}

TEST(fx_rates, edge_choice_prefers_venues_then_names_then_the_sorted_orientation) {
  FxConfig cfg;
  cfg.rates = {{"TRY-USDT", "0.03"}};
  auto m = market({quote("narkasa", "USDT-TRY", "32.50", "32.51", 2), quote("bitexbit", "USDT-TRY", "32.40", "32.42", 2)});
  // Venue sources before the static rate; bitexbit before narkasa by name.
  Conversion c = conv(m, cfg, "TRY", "USDT");
  EXPECT_EQ(hops(c), "TRY>USDT@bitexbit/USDT-TRY");
  EXPECT_EQ(c.path[0].mid, "32.41");
  EXPECT_EQ(rate_text(c), "0.030854674483");  // 1 / 32.41, half-even at 12
  cfg.prefer = {"narkasa"};
  EXPECT_EQ(hops(conv(m, cfg, "TRY", "USDT")), "TRY>USDT@narkasa/USDT-TRY");
  // One venue listing both orientations: TRY-USDT (TRY < USDT) first.
  m.instruments.push_back(quote("narkasa", "TRY-USDT", "0.0307", "0.0308", 4));
  c = conv(m, cfg, "USDT", "TRY");
  EXPECT_EQ(hops(c), "USDT>TRY@narkasa/TRY-USDT");
  EXPECT_EQ(rate_text(c), "32.520325203252");  // 1 / 0.03075
  // No venue usable: the static rate.
  for (auto& i : m.instruments) i.served = false;
  c = conv(m, cfg, "TRY", "USDT");
  ASSERT_TRUE(c.usable());
  EXPECT_EQ(hops(c), "TRY>USDT@static/TRY-USDT");
  EXPECT_EQ(c.path[0].mid, "0.03");
  EXPECT_EQ(c.path[0].age_ms, kNone);
}

TEST(fx_rates, static_rates_before_pegs_and_their_direction) {
  FxConfig cfg;
  cfg.pegs = {"USDC=USD"};
  cfg.rates = {{"USD-USDC", "0.99"}};
  const auto m = market({});
  Conversion c = conv(m, cfg, "USDC", "USD");
  EXPECT_EQ(hops(c), "USDC>USD@static/USD-USDC");
  EXPECT_EQ(rate_text(c), "1.010101010101");  // divided: 1 / 0.99
  cfg.rates.clear();
  c = conv(m, cfg, "USD", "USDC");
  EXPECT_EQ(hops(c), "USD>USDC@static/USDC-USD");
  EXPECT_EQ(c.path[0].mid, "1");
  EXPECT_EQ(rate_text(c), "1");
}

TEST(fx_rates, shortest_path_then_smallest_intermediates_never_through_base) {
  FxConfig cfg;
  auto m = market({quote("narkasa", "USDT-TRY", "32.50", "32.51", 2), quote("btse", "USDT-USD", "1.0000", "1.0002", 4),
                   quote("btse", "USDC-USD", "0.9999", "1.0001", 4), quote("paribu", "USDC-TRY", "32.40", "32.60", 2),
                   quote("btse", "BTC-USD", "60000", "60001", 0), quote("narkasa", "BTC-TRY", "1950000", "1950100", 0)});
  // TRY -> USD: two 2-hop paths (via USDC, via USDT), and one via BTC that is never taken.
  Conversion c = conv(m, cfg, "TRY", "USD");
  EXPECT_EQ(hops(c), "TRY>USDC@paribu/USDC-TRY USDC>USD@btse/USDC-USD");
  EXPECT_EQ(rate_text(c), "0.030769230769");  // 1 / 32.50 x 1.0000
  // For ETH, the path through BTC is allowed and sorts first.
  EXPECT_EQ(hops(conv(m, cfg, "TRY", "USD", "ETH")), "TRY>BTC@narkasa/BTC-TRY BTC>USD@btse/BTC-USD");
  // A direct source beats any two-hop path.
  m.instruments.push_back(quote("zonda", "USD-TRY", "32.3", "32.5", 1));
  EXPECT_EQ(hops(conv(m, cfg, "TRY", "USD")), "TRY>USD@zonda/USD-TRY");
}

TEST(fx_rates, three_hops_at_most) {
  FxConfig cfg;
  cfg.rates = {{"A1-B1", "2"}, {"B1-C1", "3"}, {"C1-D1", "5"}, {"D1-E1", "7"}};
  const auto m = market({});
  Conversion c = conv(m, cfg, "A1", "D1");
  EXPECT_EQ(hops(c), "A1>B1@static/A1-B1 B1>C1@static/B1-C1 C1>D1@static/C1-D1");
  EXPECT_EQ(rate_text(c), "30");
  c = conv(m, cfg, "A1", "E1");
  EXPECT_EQ(c.reason, "no_fx_path");
  EXPECT_EQ(c.message, "no rate leads from A1 to E1");
  EXPECT_EQ(rate_text(conv(m, cfg, "D1", "A1")), "0.033333333333");
}

TEST(fx_rates, configured_path_and_its_fallback) {
  FxConfig cfg;
  cfg.paths = {{"TRY-USD", {"USDT"}}};
  auto m = market({quote("narkasa", "USDT-TRY", "32.50", "32.51", 2), quote("btse", "USDT-USD", "1.0000", "1.0002", 4),
                   quote("btse", "USDC-USD", "0.9999", "1.0001", 4), quote("paribu", "USDC-TRY", "32.40", "32.60", 2)});
  Conversion c = conv(m, cfg, "TRY", "USD");
  EXPECT_EQ(hops(c), "TRY>USDT@narkasa/USDT-TRY USDT>USD@btse/USDT-USD");
  EXPECT_EQ(rate_text(c), "0.030767574219");  // 1.0001 / 32.505
  // Named the other way round, it is walked backwards.
  EXPECT_EQ(hops(conv(m, cfg, "USD", "TRY")), "USD>USDT@btse/USDT-USD USDT>TRY@narkasa/USDT-TRY");
  // A hop of it not usable: the path rule's own choice.
  m.instruments[0].served = false;
  EXPECT_EQ(hops(conv(m, cfg, "TRY", "USD")), "TRY>USDC@paribu/USDC-TRY USDC>USD@btse/USDC-USD");
}

TEST(fx_rates, stale_and_too_old_sources_name_their_reason) {
  FxConfig cfg;
  cfg.max_age_ms = 60000;
  auto m = market({quote("coinbtr", "USDT-MXN", "17.10", "17.20", 2), quote("btse", "USDT-USD", "1.0000", "1.0002", 4)});
  m.instruments[0].served = false;
  m.instruments[0].why_not_served = "is stale";
  Conversion c = conv(m, cfg, "MXN", "USD");
  EXPECT_EQ(c.reason, "rate_stale");
  EXPECT_EQ(c.message, "the rate MXN->USDT comes from coinbtr USDT-MXN, whose book is stale");
  m.instruments[0].served = true;
  m.instruments[1].ts_received_us = kNow - 60'001'000;
  c = conv(m, cfg, "MXN", "USD");
  EXPECT_EQ(c.reason, "rate_too_old");
  EXPECT_EQ(c.message, "the rate USDT->USD comes from btse USDT-USD, whose last message is 60001 ms old (max_age_ms 60000)");
  // Exactly max_age_ms is still usable; 0 is no limit.
  m.instruments[1].ts_received_us = kNow - 60'000'000;
  EXPECT_TRUE(conv(m, cfg, "MXN", "USD").usable());
  m.instruments[1].ts_received_us = kNow - 600'000'000;
  cfg.max_age_ms = 0;
  c = conv(m, cfg, "MXN", "USD");
  ASSERT_TRUE(c.usable());
  EXPECT_EQ(c.path[1].age_ms, 600000);
  // The first unusable hop of the path names the reason.
  cfg.max_age_ms = 1000;
  m.instruments[0].served = false;
  m.instruments[0].why_not_served = "is resynchronising";
  EXPECT_EQ(conv(m, cfg, "MXN", "USD").message, "the rate MXN->USDT comes from coinbtr USDT-MXN, whose book is resynchronising");
}

TEST(fx_rates, overflow_makes_the_conversion_unusable) {
  FxConfig cfg;
  cfg.rates = {{"AA-BB", "1.000000000000000001"}, {"BB-CC", "1.000000000000000001"}, {"CC-DD", "1.000000000000000001"}};
  const Conversion c = conv(market({}), cfg, "AA", "DD");
  EXPECT_EQ(c.reason, "overflow");
  EXPECT_TRUE(conv(market({}), cfg, "AA", "CC").usable());
}

TEST(fx_rates, config_values_are_validated) {
  FxConfig cfg;
  EXPECT_EQ(validate(cfg), "");
  cfg.price_scale = 13;
  EXPECT_EQ(validate(cfg), "[fx] price_scale must be from 0 to 12");
  cfg = {};
  cfg.publish_interval_ms = 5;
  EXPECT_EQ(validate(cfg), "[fx] publish_interval_ms must be from 10 to 10000");
  cfg = {};
  cfg.pegs = {"USDC-USD"};
  EXPECT_EQ(validate(cfg), "[fx] pegs entry 'USDC-USD' must be two different currencies as A=B (2-12 of A-Z, 0-9)");
  cfg = {};
  cfg.rates = {{"EUR-USD", "-1.08"}};
  EXPECT_EQ(validate(cfg), "[fx.rates] 'EUR-USD' = '-1.08' must be a positive decimal string");
  cfg.rates = {{"EUR-USD", "1.08x"}};
  EXPECT_EQ(validate(cfg), "[fx.rates] 'EUR-USD' = '1.08x' must be a positive decimal string");
  cfg.rates = {{"eur-USD", "1.08"}};
  EXPECT_EQ(validate(cfg), "[fx.rates] key 'eur-USD' must be two different currencies as BASE-QUOTE (2-12 of A-Z, 0-9)");
  cfg = {};
  cfg.paths = {{"TRY-USD", {"USDT", "TRY"}}};
  EXPECT_EQ(validate(cfg), "[fx.paths] 'TRY-USD' passes through 'TRY' twice");
  cfg.paths = {{"TRY-USD", {}}};
  EXPECT_EQ(validate(cfg), "[fx.paths] 'TRY-USD' must list 1 or 2 intermediate currencies");
  cfg = {};
  cfg.prefer = {"btse", "btse"};
  EXPECT_EQ(validate(cfg), "[fx] prefer lists 'btse' twice");
}

}  // namespace
}  // namespace mdhub::fx::test
