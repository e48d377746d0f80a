// [fx]: every key read, defaults, and each bad value a clear error at its place.
#include <gtest/gtest.h>

#include "src/app/config.hpp"

namespace mdhub {
namespace {

constexpr std::string_view kVenue =
    "venues = { btse = { rest_base = \"https://b\", ws_url = \"wss://b\" }, "
    "narkasa = { rest_base = \"https://n\", ws_url = \"wss://n\" } }\n";

std::vector<std::string> errors(std::string text) {
  std::vector<std::string> out;
  for (const auto& e : parse_config(std::string(kVenue) + text, "c.toml").errors) out.push_back(e.str());
  return out;
}

TEST(AppConfigFx, ParsesEveryKey) {
  const auto r = parse_config(std::string(kVenue) + R"(
[fx]
price_scale = 6
max_age_ms = 0
publish_interval_ms = 250
channel_depth = 20
prefer = ["narkasa", "btse"]
via = ["USDT"]
pegs = ["USDC=USD", "USDT=USD"]
[fx.rates]
"EUR-USD" = "1.08"
[fx.paths]
"TRY-USD" = ["USDT"]
)", "c.toml");
  ASSERT_TRUE(r.errors.empty()) << r.errors[0].str();
  const fx::FxConfig& f = r.config.fx;
  EXPECT_EQ(f.price_scale, 6);
  EXPECT_EQ(f.max_age_ms, 0);
  EXPECT_EQ(f.publish_interval_ms, 250);
  EXPECT_EQ(f.channel_depth, 20);
  EXPECT_EQ(f.prefer, (std::vector<std::string>{"narkasa", "btse"}));
  EXPECT_EQ(f.via, (std::vector<std::string>{"USDT"}));  // replaces the default list
  EXPECT_EQ(f.pegs, (std::vector<std::string>{"USDC=USD", "USDT=USD"}));
  ASSERT_EQ(f.rates.size(), 1u);
  EXPECT_EQ(f.rates[0], (std::pair<std::string, std::string>{"EUR-USD", "1.08"}));
  ASSERT_EQ(f.paths.size(), 1u);
  EXPECT_EQ(f.paths[0].first, "TRY-USD");
  EXPECT_EQ(f.paths[0].second, (std::vector<std::string>{"USDT"}));
}

TEST(AppConfigFx, Defaults) {
  const auto r = parse_config(std::string(kVenue), "c.toml");
  EXPECT_EQ(r.config.fx.price_scale, 8);
  EXPECT_EQ(r.config.fx.max_age_ms, 60000);
  EXPECT_EQ(r.config.fx.publish_interval_ms, 100);
  EXPECT_EQ(r.config.fx.channel_depth, 100);
  EXPECT_TRUE(r.config.fx.pegs.empty());
  EXPECT_EQ(r.config.fx.via, (std::vector<std::string>{"USDT", "USDC", "USD", "EUR"}));
}

TEST(AppConfigFx, AnUnconfiguredPreferredVenueIsAWarning) {
  const auto r = parse_config(std::string(kVenue) + "[fx]\nprefer = [\"btse\", \"kraken\"]\n", "c.toml");
  EXPECT_TRUE(r.errors.empty());
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(r.warnings[0].str(), "c.toml:3:10: [fx] prefer names 'kraken', which is not a configured venue");
}

TEST(AppConfigFx, BadValuesAreErrors) {
  EXPECT_EQ(errors("[fx]\nprice_scale = 13\n"),
            (std::vector<std::string>{"c.toml:3:15: 'price_scale' must be between 0 and 12"}));
  EXPECT_EQ(errors("[fx]\nchannel_depth = 0\n"),
            (std::vector<std::string>{"c.toml:3:17: 'channel_depth' must be between 1 and 5000"}));
  EXPECT_EQ(errors("[fx]\npublish_interval_ms = 5\n"),
            (std::vector<std::string>{"c.toml:3:23: 'publish_interval_ms' must be between 10 and 10000"}));
  EXPECT_EQ(errors("[fx]\npegs = [\"USDC-USD\"]\n"),
            (std::vector<std::string>{
                "c.toml:2:1: [fx] pegs entry 'USDC-USD' must be two different currencies as A=B (2-12 of A-Z, 0-9)"}));
  EXPECT_EQ(errors("[fx.rates]\n\"EUR-USD\" = 1.08\n"),
            (std::vector<std::string>{"c.toml:3:13: [fx.rates] 'EUR-USD' must be a decimal string (\"1.08\")"}));
  EXPECT_EQ(errors("[fx.rates]\n\"EUR-USD\" = \"0\"\n"),
            (std::vector<std::string>{"c.toml:2:1: [fx.rates] 'EUR-USD' = '0' must be a positive decimal string"}));
  EXPECT_EQ(errors("[fx.paths]\n\"TRY-USD\" = \"USDT\"\n"),
            (std::vector<std::string>{"c.toml:3:13: [fx.paths] 'TRY-USD' must be an array of currencies ([\"USDT\"])"}));
  EXPECT_EQ(errors("[fx]\nvia = [\"usdt\"]\n"),
            (std::vector<std::string>{"c.toml:2:1: [fx] via: 'usdt' is not a currency (2-12 of A-Z, 0-9) nor \"*\""}));
  EXPECT_EQ(errors("[fx]\ncolour = 1\n"), (std::vector<std::string>{"c.toml:3:10: unknown key 'colour' in [fx]"}));
}

}  // namespace
}  // namespace mdhub
