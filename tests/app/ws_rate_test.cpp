// Websocket command rate limit: commands over the client's rate are answered `rate_limited`
// and not executed; a client that keeps going is closed 1008.
#include "tests/app/ws_harness.hpp"

namespace mdhub::test {
namespace {

// 0.1 commands per second: no token comes back during a test, so the counts are exact.
WsApiConfig slow_rate(int burst) {
  WsApiConfig cfg;
  cfg.command_rate = 0.1;
  cfg.command_burst = burst;
  return cfg;
}

TEST(AppWsRate, CommandsOverTheRateAreRefusedNotExecuted) {
  Hub hub(slow_rate(3));
  Client c(hub);
  c.send(R"({"op":"subscribe","channels":["trades:btse:BTC-USD"],"id":1})");
  c.send(R"({"op":"ping","id":2})");
  c.send(R"({"op":"list","id":3})");
  c.send(R"({"op":"subscribe","channels":["book:*:*"],"id":"churn"})");
  ASSERT_TRUE(c.wait_messages(4));
  ASSERT_EQ(c.messages().size(), 4u) << c.read_error().message();
  EXPECT_EQ(c.messages()[0], R"({"type":"subscribed","id":1,"channels":["trades:btse:BTC-USD"]})");
  EXPECT_EQ(c.messages()[1], R"({"type":"pong","id":2})");
  EXPECT_EQ(c.messages()[2], R"({"type":"list","id":3,"channels":["trades:btse:BTC-USD"]})");
  EXPECT_EQ(c.messages()[3],
            R"({"type":"error","id":"churn","code":"rate_limited","message":"more than 0.1 commands per second )"
            R"((bursts of 3): command not executed"})");
  EXPECT_EQ(hub.stats().subscriptions, 1u);  // book:*:* was not subscribed
  EXPECT_EQ(hub.stats().rate_limited, 1u);
  EXPECT_FALSE(c.closed());

  // A malformed command counts too; its reply still carries what id could be read.
  c.send(R"({"id":9,"op":"nope"})");
  ASSERT_TRUE(c.wait_messages(5));
  ASSERT_EQ(c.messages().size(), 5u);
  EXPECT_TRUE(c.messages()[4].starts_with(R"({"type":"error","id":9,"code":"rate_limited",)")) << c.messages()[4];

  // Data keeps flowing to what the client did subscribe.
  hub.trade(1);
  ASSERT_TRUE(c.wait_messages(6));
  ASSERT_EQ(c.messages().size(), 6u);
  EXPECT_TRUE(c.messages()[5].starts_with(R"({"type":"trade","channel":"trades:btse:BTC-USD")")) << c.messages()[5];
  EXPECT_EQ(hub.stats().rate_limited, 2u);
  EXPECT_FALSE(c.closed());
}

TEST(AppWsRate, PersistentAbuseCloses1008) {
  Hub hub(slow_rate(3));
  Client c(hub);
  for (int i = 0; i < 6; ++i) c.send(R"({"op":"ping","id":)" + std::to_string(i) + "}");
  ASSERT_TRUE(c.wait_closed());
  ASSERT_EQ(c.messages().size(), 6u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(c.messages()[static_cast<size_t>(i)], R"({"type":"pong","id":)" + std::to_string(i) + "}");
  for (int i = 3; i < 6; ++i)
    EXPECT_TRUE(c.messages()[static_cast<size_t>(i)].starts_with(R"({"type":"error","id":)" + std::to_string(i) +
                                                                 R"(,"code":"rate_limited")"))
        << c.messages()[static_cast<size_t>(i)];
  EXPECT_EQ(c.read_error(), websocket::error::closed);
  EXPECT_EQ(c.close_reason().code, 1008);
  EXPECT_EQ(std::string(c.close_reason().reason.data(), c.close_reason().reason.size()), "rate_limited");
  EXPECT_EQ(hub.stats().rate_limited, 3u);
  EXPECT_EQ(hub.stats().rate_limit_closes, 1u);
}

}  // namespace
}  // namespace mdhub::test
