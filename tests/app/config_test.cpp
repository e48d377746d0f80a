#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "src/app/check_config.hpp"
#include "src/app/config.hpp"

#include "feeds/narkasa/options.hpp"

namespace mdhub {
namespace {

std::vector<std::string> errors(std::string_view text) {
  std::vector<std::string> out;
  for (const auto& e : parse_config(text, "c.toml").errors) out.push_back(e.str());
  return out;
}

TEST(AppConfig, ParsesEverySetting) {
  auto r = parse_config(R"(
listen = "0.0.0.0:9100"
log_level = "debug"
[server]
auth_token_env = "MDHUB_TOKEN"
allowed_origins = ["https://dash.example"]
max_connections_per_ip = 8
header_timeout_ms = 2500
render_threads = 3
render_queue = 8
[recording]
dir = "/var/lib/mdhub"
rotate_mb = 64
rotate_minutes = 15
fsync_ms = 250
zstd_level = -3
max_total_mb = 2048
keep_hours = 72
retry_ms = 500
[nats]
url = "nats://127.0.0.1:4222"
subject_prefix = "mkt"
[ws]
max_clients = 10
max_subscriptions = 20
publish_threads = 3
max_lag_ms = 250
socket_send_buffer = 131072
command_rate = 2.5
command_burst = 5
[venues.narkasa]
rest_base = "https://api.narkasa.com/v3/api"
ws_url = "wss://api.narkasa.com/v3"
symbols = ["BTC-TRY", "ETHTRY"]
channels = ["book", "trades"]
rate_limit_rps = 2.5
rate_limit_burst = 3
api_key_env = "NARKASA_KEY"
[venues.narkasa.options]
depth_mode = "delta"
trade_type_0_is_sell = false
ping_interval_ms = 5000
[venues.btse]
enabled = false
rest_base = "https://api.btse.com/spot"
[venues.btse.urls]
oss_url = "wss://ws.btse.com/ws/oss/spot"
)", "c.toml");
  ASSERT_TRUE(r.errors.empty()) << r.errors[0].str();
  const Config& c = r.config;
  EXPECT_EQ(c.listen, "0.0.0.0:9100");
  EXPECT_EQ(c.log_level, "debug");
  EXPECT_EQ(c.recording.dir, "/var/lib/mdhub");
  EXPECT_EQ(c.recording.rotate_bytes, 64ull << 20);
  EXPECT_EQ(c.recording.rotate_seconds, 900);
  EXPECT_EQ(c.recording.fsync_ms, 250);
  EXPECT_EQ(c.recording.zstd_level, -3);
  EXPECT_EQ(c.recording.max_total_mb, 2048);
  EXPECT_EQ(c.recording.keep_hours, 72);
  EXPECT_EQ(c.recording.retry_ms, 500);
  EXPECT_EQ(c.nats.url, "nats://127.0.0.1:4222");
  EXPECT_EQ(c.nats.subject_prefix, "mkt");
  EXPECT_EQ(c.ws.max_clients, 10u);
  EXPECT_EQ(c.ws.max_subscriptions, 20u);
  EXPECT_EQ(c.ws.publish_threads, 3u);
  EXPECT_EQ(c.ws.max_lag_ms, 250u);
  EXPECT_EQ(c.ws.socket_send_buffer, 131072u);
  EXPECT_DOUBLE_EQ(c.ws.command_rate, 2.5);
  EXPECT_EQ(c.ws.command_burst, 5);
  EXPECT_EQ(c.server.auth_token_env, "MDHUB_TOKEN");
  EXPECT_EQ(c.server.allowed_origins, (std::vector<std::string>{"https://dash.example"}));
  EXPECT_EQ(c.server.max_connections_per_ip, 8u);
  EXPECT_EQ(c.server.header_timeout_ms, 2500);
  EXPECT_EQ(c.server.render_threads, 3u);
  EXPECT_EQ(c.server.render_queue, 8u);
  EXPECT_EQ(c.server.auth_token, "");  // never from the file
  ASSERT_EQ(c.venues.size(), 2u);
  const VenueConfig& b = c.venues[0];  // sorted by id
  EXPECT_EQ(b.id, "btse");
  EXPECT_FALSE(b.enabled);
  EXPECT_EQ(b.urls.at("oss_url"), "wss://ws.btse.com/ws/oss/spot");
  const VenueConfig& n = c.venues[1];
  EXPECT_EQ(n.id, "narkasa");
  EXPECT_TRUE(n.enabled);
  EXPECT_EQ(n.symbols, (std::vector<std::string>{"BTC-TRY", "ETHTRY"}));
  EXPECT_TRUE(n.channel_enabled("book"));
  EXPECT_FALSE(n.channel_enabled("ticker"));
  EXPECT_DOUBLE_EQ(n.rate_limit_rps, 2.5);
  EXPECT_EQ(n.rate_limit_burst, 3);
  EXPECT_EQ(n.api_key_env, "NARKASA_KEY");
  EXPECT_EQ(n.str_option(narkasa::opt::depth_mode), "delta");
  EXPECT_FALSE(n.bool_option(narkasa::opt::trade_type_0_is_sell));
  EXPECT_EQ(n.int_option(narkasa::opt::ping_interval_ms), 5000);
}

TEST(AppConfig, ErrorsNameLineAndColumn) {
  auto e = errors("listen = 8080\n[venues.narkasa]\nrest_base = \"https://x\"\nrate_limit_burst = 0\nwat = 1\n");
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[0], "c.toml:1:10: 'listen' must be a string");
  EXPECT_EQ(e[1], "c.toml:4:20: 'rate_limit_burst' must be between 1 and 100000");
  EXPECT_EQ(e[2], "c.toml:5:7: unknown key 'wat' in [venues.narkasa]");
}

TEST(AppConfig, ErrorsComeInLineOrderAcrossTables) {
  // Tables iterate by name (btse before narkasa); the file says narkasa first.
  auto e = errors("[venues.narkasa]\nrest_base = \"ftp://x\"\n[venues.btse]\nrest_base = \"https://x\"\n"
                  "rate_limit_burst = 0\n[ws]\nmax_clients = 0\n");
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[0], "c.toml:2:13: 'rest_base' must start with http:// or https://");
  EXPECT_EQ(e[1], "c.toml:5:20: 'rate_limit_burst' must be between 1 and 100000");
  EXPECT_EQ(e[2], "c.toml:7:15: 'max_clients' must be between 1 and 100000");
}

TEST(AppConfig, PublishThreadsDefaultToTheMachineUpToTwoAndAreBounded) {
  const size_t hw = std::thread::hardware_concurrency();
  EXPECT_EQ(WsApiConfig{}.publish_threads, hw >= 2 ? 2u : 1u);
  auto e = errors("[ws]\npublish_threads = 65\n");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0], "c.toml:2:19: 'publish_threads' must be between 0 and 64");
  e = errors("[ws]\npublish_threads = 0\n");
  EXPECT_TRUE(e.empty());
}

TEST(AppConfig, AlternativesAreJoinedWithOr) {
  auto e = errors("[venues.btse]\nrest_base = \"https://x\"\nws_url = \"http://x\"\n");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0], "c.toml:3:10: 'ws_url' must start with ws:// or wss://");
}

TEST(AppConfig, NumberRangeIsGiven) {
  auto e = errors("[venues.btse]\nrest_base = \"https://x\"\nrate_limit_rps = 0.0\n");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0], "c.toml:3:18: 'rate_limit_rps' must be between 0.01 and 100000");
  e = errors("[venues.btse]\nrest_base = \"https://x\"\nrate_limit_rps = 1e6\n");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0], "c.toml:3:18: 'rate_limit_rps' must be between 0.01 and 100000");
}

TEST(AppConfig, UnknownKeySuggestsTheNearestKnownOne) {
  auto e = errors("lisen = \"127.0.0.1:1\"\n[venues.btse]\nrest_base = \"https://x\"\nchanels = [\"book\"]\n"
                  "bogus = 1\n[venues.btsee]\nenabled = false\n");
  ASSERT_EQ(e.size(), 4u);
  EXPECT_EQ(e[0], "c.toml:1:9: unknown key 'lisen' in the top level; did you mean 'listen'?");
  EXPECT_EQ(e[1], "c.toml:4:11: unknown key 'chanels' in [venues.btse]; did you mean 'channels'?");
  EXPECT_EQ(e[2], "c.toml:5:9: unknown key 'bogus' in [venues.btse]");  // nothing near
  EXPECT_EQ(e[3].rfind("c.toml:6:1: unknown venue 'btsee' (known: ", 0), 0u) << e[3];
  EXPECT_NE(e[3].find("; did you mean 'btse'?"), std::string::npos) << e[3];
}

TEST(AppConfig, NoEnabledVenueIsAWarningOnly) {
  auto r = parse_config("[venues.btse]\nenabled = false\n", "c.toml");
  EXPECT_TRUE(r.errors.empty());
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(r.warnings[0].str(),
            "c.toml: no venue is enabled (mdhub run refuses such a config): add a [venues.<id>] table with enabled = true");
  EXPECT_EQ(parse_config("listen = \"127.0.0.1:1\"\n", "c.toml").warnings.size(), 1u);  // no venue at all
  EXPECT_TRUE(parse_config("[venues.btse]\nrest_base = \"https://x\"\n", "c.toml").warnings.empty());
}

TEST(AppConfig, SummaryCountsInTheRightNumber) {
  auto one = parse_config("[venues.btse]\nrest_base = \"https://x\"\n", "c.toml");
  EXPECT_EQ(config_summary(one.config), "1 venue, 1 enabled");
  auto two = parse_config("[venues.btse]\nrest_base = \"https://x\"\n[venues.narkasa]\nenabled = false\n", "c.toml");
  EXPECT_EQ(config_summary(two.config), "2 venues, 1 enabled");
  EXPECT_EQ(config_summary(Config{}), "0 venues, 0 enabled");
}

class CheckConfig : public ::testing::Test {
 protected:
  std::string write(const std::string& text) {
    // One file per test: ctest runs each test as its own process, several at once.
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = ::testing::TempDir() + "check_config_" + info->name() + "_" + std::to_string(::getpid()) + ".toml";
    std::ofstream(path_) << text;
    return path_;
  }
  void TearDown() override {
    if (!path_.empty()) std::remove(path_.c_str());
  }
  std::string path_;
};

TEST_F(CheckConfig, OkWithCountsOnStdout) {
  const auto p = write("[venues.btse]\nrest_base = \"https://x\"\n");
  std::ostringstream out, err;
  EXPECT_EQ(check_config(p, out, err), 0);
  EXPECT_EQ(out.str(), p + ": ok (1 venue, 1 enabled)\n");
  EXPECT_EQ(err.str(), "");
}

TEST_F(CheckConfig, NoEnabledVenueWarnsOnStderrAndPasses) {
  const auto p = write("[venues.btse]\nenabled = false\n");
  std::ostringstream out, err;
  EXPECT_EQ(check_config(p, out, err), 0);
  EXPECT_EQ(out.str(), p + ": ok (1 venue, 0 enabled)\n");
  EXPECT_EQ(err.str(), p + ": warning: no venue is enabled (mdhub run refuses such a config): add a [venues.<id>] "
                           "table with enabled = true\n");
}

TEST_F(CheckConfig, ErrorsOnStderrExit2) {
  const auto p = write("[venues.btse]\nrest_base = \"https://x\"\nchanels = []\n");
  std::ostringstream out, err;
  EXPECT_EQ(check_config(p, out, err), 2);
  EXPECT_EQ(out.str(), "");
  EXPECT_EQ(err.str(), p + ":3:11: unknown key 'chanels' in [venues.btse]; did you mean 'channels'?\n");
}

TEST(AppConfig, SyntaxErrorHasPosition) {
  auto e = errors("listen = \"a:1\"\nlog_level = \n");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].rfind("c.toml:2:", 0), 0u) << e[0];
}

TEST(AppConfig, RejectsBadValues) {
  auto e = errors("log_level = \"loud\"\n[nats]\nurl = \"http://x\"\n[venues.narkasa]\nws_url = \"ws://x\"\n");
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[0], "c.toml:1:13: 'log_level' must be one of trace, debug, info, warn, error, critical or off");
  EXPECT_EQ(e[1], "c.toml:3:7: 'url' must start with nats://");
  EXPECT_EQ(e[2], "c.toml:4:1: [venues.narkasa] needs rest_base");
}

TEST(AppConfig, ZstdLevelIsBounded) {
  auto e = errors("[recording]\nzstd_level = 12\n");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0], "c.toml:2:14: 'zstd_level' must be between -7 and 9");
}

TEST(AppConfig, RetentionMustLeaveRoomForASegment) {
  auto e = errors("[recording]\nrotate_mb = 64\nmax_total_mb = 32\nretry_ms = 10\n");
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0], "c.toml:3:16: 'max_total_mb' must be 0 (no limit) or at least 'rotate_mb' (64)");
  EXPECT_EQ(e[1], "c.toml:4:12: 'retry_ms' must be between 100 and 600000");
  EXPECT_TRUE(errors("[recording]\nrotate_mb = 64\nmax_total_mb = 64\n").empty());
}

TEST(AppConfig, MissingFileIsAnError) {
  auto r = load_config("/nonexistent/mdhub.toml");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].str(), "/nonexistent/mdhub.toml: cannot open the file");
}

}  // namespace
}  // namespace mdhub
