// The [nats] table: defaults, every key, and a positioned error for each bad value.
#include <gtest/gtest.h>

#include "src/app/config.hpp"

namespace mdhub {
namespace {

std::vector<std::string> errors(std::string_view text) {
  std::vector<std::string> out;
  for (const auto& e : parse_config(text, "c.toml").errors) out.push_back(e.str());
  return out;
}

TEST(NatsConfig, DefaultsWhenAbsent) {
  auto r = parse_config("[nats]\nurl = \"nats://127.0.0.1:4222\"\n", "c.toml");
  ASSERT_TRUE(r.errors.empty());
  const NatsConfig& n = r.config.nats;
  EXPECT_EQ(n.url, "nats://127.0.0.1:4222");
  EXPECT_EQ(n.subject_prefix, "md");
  EXPECT_TRUE(n.jetstream);
  EXPECT_EQ(n.stream, "MD");
  EXPECT_EQ(n.max_age_s, 0);
  EXPECT_EQ(n.max_bytes, 0);
  EXPECT_EQ(n.creds_env, "");
  EXPECT_EQ(n.snapshot_interval_ms, 5000);
}

TEST(NatsConfig, ParsesEveryKey) {
  auto r = parse_config(R"([nats]
url = "nats://10.0.0.5:4222"
subject_prefix = "prod.md"
jetstream = false
stream = "MARKET"
max_age = "24h"
max_bytes = 1073741824
creds_env = "MDHUB_NATS_CREDS"
snapshot_interval_ms = 2000
queue_bytes = 1048576
)", "c.toml");
  ASSERT_TRUE(r.errors.empty()) << r.errors[0].str();
  const NatsConfig& n = r.config.nats;
  EXPECT_EQ(n.subject_prefix, "prod.md");
  EXPECT_FALSE(n.jetstream);
  EXPECT_EQ(n.stream, "MARKET");
  EXPECT_EQ(n.max_age_s, 86400);
  EXPECT_EQ(n.max_bytes, 1073741824);
  EXPECT_EQ(n.creds_env, "MDHUB_NATS_CREDS");
  EXPECT_EQ(n.snapshot_interval_ms, 2000);
  EXPECT_EQ(n.queue_bytes, 1048576);
}

TEST(NatsConfig, Durations) {
  int64_t s = -1;
  EXPECT_TRUE(parse_duration_s("90s", s));
  EXPECT_EQ(s, 90);
  EXPECT_TRUE(parse_duration_s("30m", s));
  EXPECT_EQ(s, 1800);
  EXPECT_TRUE(parse_duration_s("7d", s));
  EXPECT_EQ(s, 604800);
  EXPECT_TRUE(parse_duration_s("0", s));
  EXPECT_EQ(s, 0);
  for (auto bad : {"", "h", "24", "24H", "1.5h", "-1h", "24 h", "1w", "9999999999999h"}) {
    EXPECT_FALSE(parse_duration_s(bad, s)) << bad;
  }
}

TEST(NatsConfig, BadValuesArePositioned) {
  auto e = errors(R"([nats]
subject_prefix = "md.*"
jetstream = "yes"
stream = "MD.X"
max_age = "1 day"
max_bytes = -5
snapshot_interval_ms = 10
strem = "MD"
)");
  ASSERT_EQ(e.size(), 7u);
  EXPECT_EQ(e[0], "c.toml:2:18: 'subject_prefix' must be subject tokens separated by '.' (no empty token, no space, "
                  "'*' or '>')");
  EXPECT_EQ(e[1], "c.toml:3:13: 'jetstream' must be true or false");
  EXPECT_EQ(e[2], "c.toml:4:10: 'stream' must be a non-empty name without spaces, '.', '*', '>', '/' or '\\'");
  EXPECT_EQ(e[3], "c.toml:5:11: 'max_age' must be a duration such as \"90s\", \"30m\", \"24h\" or \"7d\" (\"0\": no limit)");
  EXPECT_EQ(e[4], "c.toml:6:13: 'max_bytes' must be between 0 and 1125899906842624");
  EXPECT_EQ(e[5], "c.toml:7:24: 'snapshot_interval_ms' must be between 100 and 3600000");
  EXPECT_EQ(e[6], "c.toml:8:9: unknown key 'strem' in [nats]; did you mean 'stream'?");
}

TEST(NatsConfig, PrefixTokens) {
  EXPECT_TRUE(valid_subject_prefix("md"));
  EXPECT_TRUE(valid_subject_prefix("prod.md"));
  for (auto bad : {"", ".md", "md.", "a..b", "m d", "md>", "md\t"}) EXPECT_FALSE(valid_subject_prefix(bad)) << bad;
}

}  // namespace
}  // namespace mdhub
