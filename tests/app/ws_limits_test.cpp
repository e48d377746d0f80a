// Websocket API limits: subscriptions per client and clients per server, with the exact
// replies a client gets.
#include "tests/app/ws_harness.hpp"

namespace mdhub::test {
namespace {

TEST(AppWsLimits, SubscriptionsPerClient) {
  WsApiConfig cfg;
  cfg.max_subscriptions = 2;
  Hub hub(cfg);
  Client c(hub);
  c.send(R"({"op":"subscribe","channels":["trades:btse:BTC-USD","bbo:btse:BTC-USD","ticker:btse:BTC-USD"],"id":7})");
  ASSERT_TRUE(c.wait_messages(1));
  EXPECT_EQ(c.messages()[0],
            R"({"type":"error","id":7,"code":"too_many_subscriptions","message":"at most 2 subscriptions per client"})");
  EXPECT_EQ(hub.stats().subscriptions, 0u);  // all or nothing

  c.send(R"({"op":"subscribe","channels":["trades:btse:BTC-USD","bbo:btse:BTC-USD"],"id":8})");
  ASSERT_TRUE(c.wait_messages(2));
  EXPECT_EQ(c.messages()[1], R"({"type":"subscribed","id":8,"channels":["trades:btse:BTC-USD","bbo:btse:BTC-USD"]})");

  c.send(R"({"op":"subscribe","channels":["ticker:btse:BTC-USD"],"id":"third"})");
  ASSERT_TRUE(c.wait_messages(3));
  EXPECT_EQ(c.messages()[2],
            R"({"type":"error","id":"third","code":"too_many_subscriptions","message":"at most 2 subscriptions per client"})");

  // Subscribing again to a channel the client has is not a new subscription.
  c.send(R"({"op":"subscribe","channels":["bbo:btse:BTC-USD"],"id":9})");
  c.send(R"({"op":"list","id":10})");
  ASSERT_TRUE(c.wait_messages(5));
  EXPECT_EQ(c.messages()[3], R"({"type":"subscribed","id":9,"channels":["bbo:btse:BTC-USD"]})");
  EXPECT_EQ(c.messages()[4], R"({"type":"list","id":10,"channels":["trades:btse:BTC-USD","bbo:btse:BTC-USD"]})");

  // An unsubscribe makes room again.
  c.send(R"({"op":"unsubscribe","channels":["bbo:btse:BTC-USD"],"id":11})");
  c.send(R"({"op":"subscribe","channels":["ticker:btse:BTC-USD"],"id":12})");
  ASSERT_TRUE(c.wait_messages(7));
  EXPECT_EQ(c.messages()[5], R"({"type":"unsubscribed","id":11,"channels":["bbo:btse:BTC-USD"]})");
  EXPECT_EQ(c.messages()[6], R"({"type":"subscribed","id":12,"channels":["ticker:btse:BTC-USD"]})");

  EXPECT_EQ(hub.stats().subscriptions, 2u);
  EXPECT_EQ(hub.stats().bad_requests, 2u);
  EXPECT_FALSE(c.closed());
}

TEST(AppWsLimits, ClientsOverTheLimitGetAnErrorAndClose1013) {
  WsApiConfig cfg;
  cfg.max_clients = 1;
  Hub hub(cfg);
  Client first(hub);
  ASSERT_TRUE(hub.run_until([&] { return hub.stats().clients == 1; }));

  // The extra client completes the handshake, then hears why and is closed.
  Client extra(hub);
  ASSERT_TRUE(extra.wait_closed());
  ASSERT_EQ(extra.messages().size(), 1u);
  EXPECT_EQ(extra.messages()[0],
            R"({"type":"error","id":null,"code":"too_many_clients","message":"the server has reached its client limit"})");
  EXPECT_EQ(extra.read_error(), websocket::error::closed);
  EXPECT_EQ(extra.close_reason().code, 1013);
  EXPECT_EQ(extra.close_reason().reason, "too_many_clients");
  EXPECT_EQ(hub.stats().rejected_clients, 1u);
  EXPECT_EQ(hub.stats().clients, 1u);

  // The first client is unaffected.
  first.send(R"({"op":"ping","id":1})");
  ASSERT_TRUE(first.wait_messages(1));
  EXPECT_EQ(first.messages()[0], R"({"type":"pong","id":1})");

  // A freed slot takes a new client.
  first.close();
  ASSERT_TRUE(first.wait_closed());
  ASSERT_TRUE(hub.run_until([&] { return hub.stats().clients == 0; }));
  Client next(hub);
  next.send(R"({"op":"ping","id":2})");
  ASSERT_TRUE(next.wait_messages(1));
  EXPECT_EQ(next.messages()[0], R"({"type":"pong","id":2})");
  EXPECT_EQ(hub.stats().clients, 1u);
  EXPECT_EQ(hub.stats().rejected_clients, 1u);
}

}  // namespace
}  // namespace mdhub::test
