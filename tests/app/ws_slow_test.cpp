// Websocket API under a client that stops reading: trades are never silently dropped (the
// client gets `slow_consumer` and is closed with 1008), books conflate to a valid state.
#include "book/decimal.hpp"
#include "tests/app/ws_harness.hpp"

namespace mdhub::test {
namespace {

constexpr size_t kSmallQueue = 16 << 10;
constexpr int kSmallRcvbuf = 4096;
constexpr int64_t kMaxPushes = 100000;  // bound on loops that wait for the queue to fill

const std::string kSlowConsumerError =
    R"({"type":"error","id":null,"code":"slow_consumer","message":"the client did not read fast enough; trades or candles would have been lost"})";

WsApiConfig small_queue() {
  WsApiConfig cfg;
  cfg.queue_bytes = kSmallQueue;
  return cfg;
}

TEST(AppWsSlow, TradesOverflowClosesTheSlowClientAfterAnErrorOthersGetEverything) {
  Hub hub(small_queue());
  Client good(hub);
  good.send(R"({"op":"subscribe","channels":["trades:btse:BTC-USD"],"id":1})");
  ASSERT_TRUE(good.wait_messages(1));
  EXPECT_EQ(good.messages()[0], R"({"type":"subscribed","id":1,"channels":["trades:btse:BTC-USD"]})");

  Client slow(hub, kSmallRcvbuf);
  slow.send(R"({"op":"subscribe","channels":["trades:btse:BTC-USD"],"id":1})");
  ASSERT_TRUE(hub.run_until([&] { return hub.stats().subscriptions == 2; }));

  // One trade at a time, each read by the good client before the next, until the slow
  // client's queue overflows.
  int64_t pushed = 0;
  while (hub.stats().slow_consumers == 0 && pushed < kMaxPushes) {
    hub.trade(++pushed);
    ASSERT_TRUE(good.wait_messages(static_cast<size_t>(pushed) + 1)) << pushed;
  }
  ASSERT_EQ(hub.stats().slow_consumers, 1u);
  const int64_t overflowed_at = pushed;
  for (int i = 0; i < 5; ++i) hub.trade(++pushed);  // the slow client is closing: not for it
  ASSERT_TRUE(good.wait_messages(static_cast<size_t>(pushed) + 1));

  ASSERT_TRUE(slow.wait_closed());
  const auto& sm = slow.messages();
  ASSERT_GE(sm.size(), 3u);
  EXPECT_EQ(sm[0], R"({"type":"subscribed","id":1,"channels":["trades:btse:BTC-USD"]})");
  // Every trade up to the one that did not fit, without a hole, then the error, then the close.
  EXPECT_EQ(expect_trades_from_one(sm, 1), overflowed_at - 1);
  EXPECT_EQ(sm.size(), static_cast<size_t>(overflowed_at) + 1);
  EXPECT_EQ(sm.back(), kSlowConsumerError);
  EXPECT_EQ(slow.read_error(), websocket::error::closed);
  EXPECT_EQ(slow.close_reason().code, 1008);
  EXPECT_EQ(slow.close_reason().reason, "slow_consumer");

  // The good client has every trade and is still served.
  EXPECT_EQ(expect_trades_from_one(good.messages(), 1), pushed);
  good.send(R"({"op":"ping","id":2})");
  ASSERT_TRUE(good.wait_messages(static_cast<size_t>(pushed) + 2));
  EXPECT_EQ(good.messages().back(), R"({"type":"pong","id":2})");
  EXPECT_FALSE(good.closed());

  ASSERT_TRUE(hub.run_until([&] { return hub.stats().clients == 1; }));
  EXPECT_EQ(hub.stats().slow_consumers, 1u);
  EXPECT_EQ(hub.stats().subscriptions, 1u);
  EXPECT_EQ(hub.stats().conflations, 0u);
}

TEST(AppWsSlow, SlowClientGetsTheErrorAtTheDefaultQueueSize) {
  // With the default queue many small frames fill the server's per-session frame limit
  // long before its byte limit: the error must still get through.
  Hub hub(WsApiConfig{});
  Client slow(hub, kSmallRcvbuf);
  slow.send(R"({"op":"subscribe","channels":["trades:btse:BTC-USD"],"id":1})");
  ASSERT_TRUE(hub.run_until([&] { return hub.stats().subscriptions == 1; }));
  int64_t pushed = 0;
  while (hub.stats().slow_consumers == 0 && pushed < kMaxPushes) {
    hub.trade(++pushed);
    hub.poll();
  }
  ASSERT_EQ(hub.stats().slow_consumers, 1u);
  ASSERT_TRUE(slow.wait_closed(10000ms));
  const auto& sm = slow.messages();
  ASSERT_GE(sm.size(), 2u);
  EXPECT_EQ(expect_trades_from_one(sm, 1), pushed - 1);
  EXPECT_EQ(sm.back(), kSlowConsumerError);
  EXPECT_EQ(slow.close_reason().code, 1008);
}

/// Book updates, one at a time, until the hub conflates a client's channel (bounded).
void push_until_conflated(Hub& hub, uint64_t& seq, int64_t& n) {
  while (hub.stats().conflations == 0 && n < kMaxPushes) {
    hub.book(BookMsg::Type::delta, seq + 1, seq, step_levels(++n));
    ++seq;
    hub.poll();
  }
}

TEST(AppWsSlow, BookConflatesToTheEngineBookForASlowClient) {
  Hub hub(small_queue());
  hub.book(BookMsg::Type::snapshot, 1, 0, initial_levels());

  Client c(hub, kSmallRcvbuf);
  c.send(R"({"op":"subscribe","channels":["book:btse:BTC-USD"],"id":1})");
  ASSERT_TRUE(hub.run_until([&] { return hub.stats().subscriptions == 1; }));

  // Updates until the client's share of the queue is full and the channel conflates, then
  // more, with a venue resync (fresh snapshot) among them.
  uint64_t seq = 1;
  int64_t n = 0;
  push_until_conflated(hub, seq, n);
  ASSERT_GT(hub.stats().conflations, 0u);
  for (int i = 0; i < 200; ++i) {
    hub.book(BookMsg::Type::delta, seq + 1, seq, step_levels(++n));
    ++seq;
    hub.poll();
  }
  seq += 10;  // the resync lands at a later venue sequence
  hub.book(BookMsg::Type::snapshot, seq, 0, initial_levels());
  for (int i = 0; i < 100; ++i) {
    hub.book(BookMsg::Type::delta, seq + 1, seq, step_levels(++n));
    ++seq;
    hub.poll();
  }

  // Read everything: the client catches up at the channel's latest sequence.
  const auto final_seq = static_cast<int64_t>(hub.inst().book_seq);
  c.start_reading();
  ASSERT_TRUE(hub.run_until(
      [&] { return c.closed() || (c.messages().size() > 1 && parse(c.messages().back()).seq == final_seq); },
      10000ms));
  c.send(R"({"op":"ping","id":2})");
  ASSERT_TRUE(hub.run_until([&] { return c.closed() || c.messages().back() == R"({"type":"pong","id":2})"; }));
  ASSERT_FALSE(c.closed());

  const auto& msgs = c.messages();
  EXPECT_EQ(msgs[0], R"({"type":"subscribed","id":1,"channels":["book:btse:BTC-USD"]})");
  ReplicaBook replica;
  int64_t last = -1;
  size_t snapshots = 0, updates = 0;
  for (size_t i = 1; i + 1 < msgs.size(); ++i) {
    const Msg m = parse(msgs[i]);
    ASSERT_NE(m.type, "error") << msgs[i];
    EXPECT_EQ(m.channel, "book:btse:BTC-USD");
    if (m.type == "book_snapshot") {
      ++snapshots;
      EXPECT_GT(m.seq, last) << msgs[i];
    } else {
      ASSERT_EQ(m.type, "book_update") << msgs[i];
      ASSERT_GT(snapshots, 0u) << "an update before any snapshot";
      EXPECT_EQ(m.seq, last + 1) << msgs[i];  // within a snapshot's run, no hole
      ++updates;
    }
    last = m.seq;
    replica.apply(m);
  }
  EXPECT_EQ(last, final_seq);
  // The first snapshot came with the subscription; a later one after each conflation.
  EXPECT_GE(snapshots, 2u);
  EXPECT_GT(updates, 0u);
  // Fewer messages than book changes: the backlog was conflated, not queued.
  EXPECT_LT(msgs.size(), static_cast<size_t>(final_seq));
  EXPECT_EQ(replica.side(Side::bid), engine_side(hub.inst(), Side::bid));
  EXPECT_EQ(replica.side(Side::ask), engine_side(hub.inst(), Side::ask));
  EXPECT_FALSE(engine_side(hub.inst(), Side::bid).empty());

  EXPECT_EQ(hub.stats().slow_consumers, 0u);
  EXPECT_EQ(hub.stats().clients, 1u);
  EXPECT_GT(hub.stats().conflations, 0u);
}

TEST(AppWsSlow, BookConflatesByAgeLongBeforeTheQueueFills) {
  WsApiConfig cfg;  // the default 8 MiB queue: bytes alone would allow seconds of backlog
  cfg.max_lag_ms = 5;
  Hub hub(cfg);
  hub.book(BookMsg::Type::snapshot, 1, 0, initial_levels());
  Client c(hub, kSmallRcvbuf);
  c.send(R"({"op":"subscribe","channels":["book:btse:BTC-USD"],"id":1})");
  ASSERT_TRUE(hub.run_until([&] { return hub.stats().subscriptions == 1; }));

  // Updates to a client that reads nothing: once the socket buffers are full its frames wait
  // in the queue, and after max_lag_ms its channel conflates, with the queue nowhere near
  // the byte limit.
  uint64_t seq = 1;
  int64_t n = 0;
  push_until_conflated(hub, seq, n);
  ASSERT_GT(hub.stats().conflations, 0u);
  EXPECT_LT(hub.queued_bytes(), cfg.queue_bytes / 8);
  EXPECT_GT(hub.queued_bytes(), 0u);
  for (int i = 0; i < 50; ++i) {
    hub.book(BookMsg::Type::delta, seq + 1, seq, step_levels(++n));
    ++seq;
    hub.poll();
  }

  // Once it reads, the backlog leaves, then a fresh snapshot and the updates after it.
  const auto final_seq = static_cast<int64_t>(hub.inst().book_seq);
  c.start_reading();
  ASSERT_TRUE(hub.run_until(
      [&] { return c.closed() || (c.messages().size() > 1 && parse(c.messages().back()).seq == final_seq); },
      10000ms));
  ASSERT_FALSE(c.closed());
  ReplicaBook replica;
  size_t snapshots = 0;
  for (size_t i = 1; i < c.messages().size(); ++i) {
    const Msg m = parse(c.messages()[i]);
    ASSERT_NE(m.type, "error") << c.messages()[i];
    snapshots += m.type == "book_snapshot";
    replica.apply(m);
  }
  EXPECT_GE(snapshots, 2u);  // the subscription's, and the one owed after the conflation
  EXPECT_LT(c.messages().size(), static_cast<size_t>(final_seq));
  EXPECT_EQ(replica.side(Side::bid), engine_side(hub.inst(), Side::bid));
  EXPECT_EQ(replica.side(Side::ask), engine_side(hub.inst(), Side::ask));
  EXPECT_EQ(hub.stats().slow_consumers, 0u);
}

TEST(AppWsSlow, WithoutALagLimitOnlyTheQueueSizeConflates) {
  WsApiConfig cfg;
  cfg.max_lag_ms = 0;
  cfg.queue_bytes = 256 << 10;
  Hub hub(cfg);
  hub.book(BookMsg::Type::snapshot, 1, 0, initial_levels());
  Client c(hub, kSmallRcvbuf);
  c.send(R"({"op":"subscribe","channels":["book:btse:BTC-USD"],"id":1})");
  ASSERT_TRUE(hub.run_until([&] { return hub.stats().subscriptions == 1; }));
  uint64_t seq = 1;
  int64_t n = 0;
  push_until_conflated(hub, seq, n);
  ASSERT_GT(hub.stats().conflations, 0u);
  // Conflated at half the queue (the frame limit is far away for frames this size).
  EXPECT_GT(hub.queued_bytes(), cfg.queue_bytes / 2 - 1024);
}

}  // namespace
}  // namespace mdhub::test
