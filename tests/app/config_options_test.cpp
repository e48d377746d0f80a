// [venues.<id>.options]: declared names, kinds and ranges, checked with file:line:col.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "feeds/bitexbit/options.hpp"
#include "feeds/btse/options.hpp"
#include "src/app/config.hpp"
#include "src/sim/simulator.hpp"

namespace mdhub {
namespace {

std::vector<std::string> errors(std::string_view text) {
  std::vector<std::string> out;
  for (const auto& e : parse_config(text, "c.toml").errors) out.push_back(e.str());
  return out;
}

std::string venue(std::string_view id, std::string_view options) {
  return "[venues." + std::string(id) + "]\nrest_base = \"https://x\"\n[venues." + std::string(id) +
         ".options]\n" + std::string(options);
}

// Errors come in line order.
TEST(ConfigOptions, UnknownKeySuggestsTheNearestDeclaredOne) {
  auto e = errors(venue("btse", "rest_timout_ms = 1000\nbook_gruoping = 1\nwhatever = 1\n"));
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[0], "c.toml:4:18: unknown option 'rest_timout_ms' for venue btse; did you mean 'rest_timeout_ms'?");
  EXPECT_EQ(e[1], "c.toml:5:17: unknown option 'book_gruoping' for venue btse; did you mean 'book_grouping'?");
  EXPECT_EQ(e[2], "c.toml:6:12: unknown option 'whatever' for venue btse");
}

TEST(ConfigOptions, AnotherVenuesOptionIsUnknown) {
  // depth_mode is narkasa's; btse does not read it.
  auto e = errors(venue("btse", "depth_mode = \"delta\"\n"));
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0], "c.toml:4:14: unknown option 'depth_mode' for venue btse");
}

TEST(ConfigOptions, WrongTypesAreErrors) {
  auto e = errors(venue("narkasa", "rest_timeout_ms = \"5000\"\nws_enabled = 1\ndepth_mode = true\n"
                                   "ping_text = 3\nping_interval_ms = 1.5\n"));
  ASSERT_EQ(e.size(), 5u);
  EXPECT_EQ(e[0], "c.toml:4:19: option 'rest_timeout_ms' for venue narkasa must be an integer from 100 to 600000");
  EXPECT_EQ(e[1], "c.toml:5:14: option 'ws_enabled' for venue narkasa must be true or false");
  EXPECT_EQ(e[2], "c.toml:6:14: option 'depth_mode' for venue narkasa must be one of sides, snapshot or delta");
  EXPECT_EQ(e[3], "c.toml:7:13: option 'ping_text' for venue narkasa must be a string");
  EXPECT_EQ(e[4], "c.toml:8:20: option 'ping_interval_ms' for venue narkasa must be 0 (off) or an integer from 100 to 3600000");
}

TEST(ConfigOptions, OutOfRangeValuesAreErrors) {
  auto e = errors(venue("bitexbit", "backoff_base_ms = 0\nconnect_timeout_ms = 99\ndepth_poll_ms = 10\n"
                                    "depth_limit = 51\ndown_after = 0\nohlcv_timeframe = \"7m\"\n"));
  ASSERT_EQ(e.size(), 6u);
  EXPECT_EQ(e[0], "c.toml:4:19: option 'backoff_base_ms' for venue bitexbit must be an integer from 10 to 600000");
  EXPECT_EQ(e[1], "c.toml:5:22: option 'connect_timeout_ms' for venue bitexbit must be an integer from 100 to 600000");
  EXPECT_EQ(e[2], "c.toml:6:17: option 'depth_poll_ms' for venue bitexbit must be 0 (off) or an integer from 50 to 3600000");
  EXPECT_EQ(e[3], "c.toml:7:15: option 'depth_limit' for venue bitexbit must be an integer from 1 to 50");
  EXPECT_EQ(e[4], "c.toml:8:14: option 'down_after' for venue bitexbit must be an integer from 1 to 1000");
  EXPECT_EQ(e[5], "c.toml:9:19: option 'ohlcv_timeframe' for venue bitexbit must be one of 5, 15, 30, 60, 240, D, 5m, 15m, 30m, 1h, 4h or 1d");
}

TEST(ConfigOptions, StaleAfterIsACommonKnobWithARange) {
  auto e = errors(venue("narkasa", "stale_after_ms = 99\n") + venue("btse", "stale_afer_ms = 1000\n"));
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0], "c.toml:4:18: option 'stale_after_ms' for venue narkasa must be an integer from 100 to 3600000");
  EXPECT_EQ(e[1], "c.toml:8:17: unknown option 'stale_afer_ms' for venue btse; did you mean 'stale_after_ms'?");
  auto r = parse_config(venue("coinbtr", "stale_after_ms = 2500\n") + venue("bitexbit", ""), "c.toml");
  ASSERT_TRUE(r.errors.empty()) << r.errors[0].str();
  ASSERT_EQ(r.config.venues.size(), 2u);
  for (const VenueConfig& v : r.config.venues)
    EXPECT_EQ(v.int_option(common_opt::stale_after_ms), v.id == "coinbtr" ? 2500 : 5000) << v.id;
}

TEST(ConfigOptions, BackoffCapBelowBaseIsAnError) {
  auto e = errors(venue("coinmotion", "backoff_base_ms = 2000\nbackoff_cap_ms = 1000\n"));
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0], "c.toml:5:18: option 'backoff_cap_ms' for venue coinmotion must not be below backoff_base_ms (2000)");
}

TEST(ConfigOptions, ValidValuesReachTheFeedThroughTheDeclarations) {
  auto r = parse_config(venue("bitexbit", "backoff_base_ms = 10\ndepth_poll_ms = 0\ntrades_poll_ms = 50\n"
                                          "ohlcv_timeframe = 60\nohlcv_time_unit = \"ms\"\n") +
                            venue("btse", "ws_enabled = false\nrest_timeout_ms = 600000\n"),
                        "c.toml");
  ASSERT_TRUE(r.errors.empty()) << r.errors[0].str();
  ASSERT_EQ(r.config.venues.size(), 2u);
  const VenueConfig& x = r.config.venues[0];
  EXPECT_EQ(x.int_option(common_opt::backoff_base_ms), 10);
  EXPECT_EQ(x.int_option(common_opt::backoff_cap_ms), 30000);  // the declared default
  EXPECT_EQ(x.int_option(bitexbit::opt::depth_poll_ms), 0);
  EXPECT_EQ(x.int_option(bitexbit::opt::trades_poll_ms), 50);
  EXPECT_EQ(x.str_option(bitexbit::opt::ohlcv_timeframe), "60");  // an integer for a numeric choice
  EXPECT_EQ(x.str_option(bitexbit::opt::ohlcv_time_unit), "ms");
  const VenueConfig& b = r.config.venues[1];
  EXPECT_FALSE(b.bool_option(btse::opt::ws_enabled));
  EXPECT_EQ(b.int_option(common_opt::rest_timeout_ms), 600000);
  EXPECT_EQ(b.str_option(btse::opt::api_version), "v3.2");
}

TEST(ConfigOptions, ReadingCodeSetValuesFallsBackOrClamps) {
  // Maps filled in code (tests, old recordings) never went through the check.
  VenueConfig v;
  v.options = {{"depth_limit", "500"}, {"depth_poll_ms", "-3"}, {"tickers_batch", "x"},
               {"ohlcv_time_unit", "weeks"}, {"backoff_base_ms", "1"}};
  EXPECT_EQ(v.int_option(bitexbit::opt::depth_limit), 50);
  EXPECT_EQ(v.int_option(bitexbit::opt::depth_poll_ms), 0);
  EXPECT_EQ(v.int_option(bitexbit::opt::tickers_batch), 5);
  EXPECT_EQ(v.str_option(bitexbit::opt::ohlcv_time_unit), "auto");
  EXPECT_EQ(v.int_option(common_opt::backoff_base_ms), 10);
}

TEST(ConfigOptions, EveryDeclarationAcceptsItsOwnDefault) {
  for (auto id : known_venues()) {
    const auto specs = declared_options(id);
    ASSERT_GT(specs.size(), std::size(common_opt::kAll)) << id;
    for (size_t i = 0; i < specs.size(); ++i) {
      const OptionSpec& o = specs[i];
      for (size_t j = 0; j < i; ++j) EXPECT_NE(specs[j].name, o.name) << id << ": declared twice";
      if (o.kind == OptionSpec::Kind::integer) {
        EXPECT_TRUE(o.accepts(o.int_default)) << id << "." << o.name;
      } else if (o.kind == OptionSpec::Kind::choice) {
        EXPECT_TRUE(o.accepts(o.str_default)) << id << "." << o.name;
      }
    }
  }
  EXPECT_TRUE(declared_options("nope").empty());
}

TEST(ConfigOptions, SimulatorConfigPasses) {
  for (bool tls : {false, true}) {
    sim::Options o;
    o.tls = tls;
    o.tls_dir = ::testing::TempDir();
    auto r = parse_config(sim::Simulator::config_toml("127.0.0.1", 9000, o), "sim");
    EXPECT_TRUE(r.errors.empty()) << r.errors[0].str();
    // It sets options, so the check above saw some.
    size_t options = 0;
    for (const auto& v : r.config.venues) options += v.options.size();
    EXPECT_GT(options, 0u);
  }
}

TEST(ConfigOptions, NameDistanceCountsOneTypoAsOne) {
  EXPECT_EQ(option_name_distance("rest_timout_ms", "rest_timeout_ms"), 1u);
  EXPECT_EQ(option_name_distance("book_gruoping", "book_grouping"), 1u);
  EXPECT_EQ(option_name_distance("abc", "abc"), 0u);
  EXPECT_EQ(option_name_distance("", "abc"), 3u);
}

}  // namespace
}  // namespace mdhub
