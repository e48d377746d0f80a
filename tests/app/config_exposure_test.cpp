// Config for serving beyond loopback: [server] settings, the token rule for non-loopback
// addresses, and the websocket command rate.
#include <gtest/gtest.h>

#include "src/app/config.hpp"

namespace mdhub {
namespace {

std::vector<std::string> errors(std::string_view text) {
  std::vector<std::string> out;
  for (const auto& e : parse_config(text, "c.toml").errors) out.push_back(e.str());
  return out;
}

constexpr std::string_view kVenue = "[venues.btse]\nrest_base = \"https://x\"\n";

TEST(AppConfigExposure, Defaults) {
  const Config c;
  EXPECT_EQ(c.server.auth_token_env, "");
  EXPECT_TRUE(c.server.allowed_origins.empty());
  EXPECT_EQ(c.server.max_connections_per_ip, 64u);
  EXPECT_EQ(c.server.header_timeout_ms, 10000);
  EXPECT_DOUBLE_EQ(c.ws.command_rate, 20);
  EXPECT_EQ(c.ws.command_burst, 40);
}

std::vector<std::string> warnings(std::string_view text) {
  std::vector<std::string> out;
  for (const auto& e : parse_config(text, "c.toml").warnings) out.push_back(e.str());
  return out;
}

TEST(AppConfigExposure, NonLoopbackListenWithoutTokenVariableIsWarned) {
  // A warning (the command line may still name the variable); `run` refuses without one.
  const std::string msg =
      "needs an auth token: set auth_token_env in [server] (or --auth-token-env) to the name of an environment "
      "variable holding it, or listen on 127.0.0.1 (mdhub run refuses it without --auth-token-env)";
  const std::string text = "log_level = \"info\"\nlisten = \"0.0.0.0:8080\"\n" + std::string(kVenue);
  EXPECT_TRUE(errors(text).empty());
  auto w = warnings(text);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0], "c.toml:2:10: listening on 0.0.0.0:8080 (not a loopback address) " + msg);
  w = warnings("listen = \"[::]:8080\"\n" + std::string(kVenue));
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0], "c.toml:1:10: listening on [::]:8080 (not a loopback address) " + msg);
  EXPECT_EQ(warnings("listen = \"hub.example:8080\"\n" + std::string(kVenue)).size(), 1u);

  for (const char* ok : {"listen = \"127.0.0.1:8080\"\n", "listen = \"localhost:0\"\n", "listen = \"[::1]:8080\"\n",
                         "listen = \"0.0.0.0:8080\"\n[server]\nauth_token_env = \"T\"\n"}) {
    EXPECT_TRUE(errors(std::string(ok) + std::string(kVenue)).empty()) << ok;
    EXPECT_TRUE(warnings(std::string(ok) + std::string(kVenue)).empty()) << ok;
  }
}

TEST(AppConfigExposure, RenderWorkerBounds) {
  const Config c;
  EXPECT_EQ(c.server.render_threads, 1u);
  EXPECT_EQ(c.server.render_queue, 32u);
  auto e = errors("[server]\nrender_threads = 0\nrender_queue = 1025\n");
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0], "c.toml:2:18: 'render_threads' must be between 1 and 16");
  EXPECT_EQ(e[1], "c.toml:3:16: 'render_queue' must be between 1 and 1024");
}

TEST(AppConfigExposure, ExposureErrorForTheCommandLine) {
  EXPECT_EQ(exposure_error("127.0.0.1:8080", ""), "");
  EXPECT_EQ(exposure_error("0.0.0.0:8080", "TOKEN_VAR"), "");
  EXPECT_TRUE(exposure_error("10.1.2.3:80", "").starts_with("listening on 10.1.2.3:80 (not a loopback address) needs"));
}

TEST(AppConfigExposure, BadServerValues) {
  auto e = errors(
      "[server]\n"
      "auth_token_env = 5\n"
      "allowed_origins = [\"dash.example\", 3]\n"
      "max_connections_per_ip = -1\n"
      "header_timeout_ms = 50\n"
      "wat = 1\n"
      "[ws]\n"
      "command_rate = 0\n"
      "command_burst = 0\n");
  ASSERT_EQ(e.size(), 8u);
  EXPECT_EQ(e[0], "c.toml:2:18: 'auth_token_env' must be a string");
  EXPECT_EQ(e[1], "c.toml:3:19: allowed origin 'dash.example' must start with http:// or https://");
  EXPECT_EQ(e[2], "c.toml:3:36: 'allowed_origins' must contain only strings");
  EXPECT_EQ(e[3], "c.toml:4:26: 'max_connections_per_ip' must be between 0 and 100000");
  EXPECT_EQ(e[4], "c.toml:5:21: 'header_timeout_ms' must be between 100 and 600000");
  EXPECT_EQ(e[5], "c.toml:6:7: unknown key 'wat' in [server]");
  EXPECT_EQ(e[6], "c.toml:8:16: 'command_rate' must be between 0.1 and 100000");
  EXPECT_EQ(e[7], "c.toml:9:17: 'command_burst' must be between 1 and 100000");
  e = errors("server = 1\n");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0], "c.toml:1:10: 'server' must be a table");
}

}  // namespace
}  // namespace mdhub
