// Websocket API with its clients on publisher I/O threads: the engine's thread hands each
// frame over and never writes to a socket; every client still gets every message in order,
// a stalled client holds back nobody else, and a stop sends what was queued before the close.
#include "book/decimal.hpp"
#include "tests/app/ws_harness.hpp"

namespace mdhub::test {
namespace {

constexpr int kSmallRcvbuf = 4096;
constexpr int64_t kMaxPushes = 100000;  // bound on loops that wait for a queue to fill

WsApiConfig threaded(size_t threads) {
  WsApiConfig cfg;
  cfg.publish_threads = threads;
  return cfg;
}

const std::string kSubscribedTrades = R"({"type":"subscribed","id":1,"channels":["trades:btse:BTC-USD"]})";
const std::string kSubscribedBook = R"({"type":"subscribed","id":1,"channels":["book:btse:BTC-USD"]})";

TEST(AppWsFanout, ManyClientsOnSeveralThreadsGetEveryTradeInOrder) {
  Hub hub(threaded(2));
  constexpr size_t kClients = 24;
  constexpr int64_t kTrades = 2000;
  std::vector<std::unique_ptr<Client>> clients;
  for (size_t i = 0; i < kClients; ++i) {
    clients.push_back(std::make_unique<Client>(hub));
    clients.back()->send(R"({"op":"subscribe","channels":["trades:btse:BTC-USD"],"id":1})");
  }
  ASSERT_TRUE(hub.run_until([&] { return hub.stats().subscriptions == kClients; }));

  // One burst: the frames reach the I/O threads in batches and leave in order.
  for (int64_t n = 1; n <= kTrades; ++n) hub.trade(n);
  for (auto& c : clients) ASSERT_TRUE(c->wait_messages(kTrades + 1, 10000ms));
  for (auto& c : clients) {
    ASSERT_EQ(c->messages().size(), static_cast<size_t>(kTrades) + 1);
    EXPECT_EQ(c->messages()[0], kSubscribedTrades);
    EXPECT_EQ(expect_trades_from_one(c->messages(), 1), kTrades);
    EXPECT_FALSE(c->closed());
  }
  EXPECT_EQ(hub.stats().slow_consumers, 0u);
  EXPECT_EQ(hub.stats().conflations, 0u);
  EXPECT_EQ(hub.stats().messages_out, kClients * (kTrades + 1));
}

TEST(AppWsFanout, AStalledClientHoldsBackNobodyOnItsThreadOrAnother) {
  WsApiConfig cfg = threaded(2);
  cfg.queue_bytes = 64 << 10;
  Hub hub(cfg);
  hub.book(BookMsg::Type::snapshot, 1, 0, initial_levels());

  // Sessions go to the threads in turn: the stalled one shares its thread with half of the
  // readers.
  constexpr size_t kReaders = 6;
  std::vector<std::unique_ptr<Client>> readers;
  std::unique_ptr<Client> stalled;
  for (size_t i = 0; i <= kReaders; ++i) {
    if (i == 3) {
      stalled = std::make_unique<Client>(hub, kSmallRcvbuf);
      stalled->send(R"({"op":"subscribe","channels":["book:btse:BTC-USD"],"id":1})");
    } else {
      readers.push_back(std::make_unique<Client>(hub));
      readers.back()->send(R"({"op":"subscribe","channels":["book:btse:BTC-USD"],"id":1})");
    }
  }
  ASSERT_TRUE(hub.run_until([&] { return hub.stats().subscriptions == kReaders + 1; }));
  for (auto& r : readers) ASSERT_TRUE(r->wait_messages(2));  // subscribed + snapshot

  // One update at a time, each read by every reader before the next, until the stalled
  // client's queue is full and its channel conflates, then more.
  uint64_t seq = 1;
  int64_t n = 0, extra = 0;
  while (extra < 100 && n < kMaxPushes) {
    hub.book(BookMsg::Type::delta, seq + 1, seq, step_levels(++n));
    ++seq;
    const size_t want = static_cast<size_t>(n) + 2;
    for (auto& r : readers) ASSERT_TRUE(r->wait_messages(want)) << n;
    if (hub.stats().conflations > 0) ++extra;
  }
  ASSERT_GT(hub.stats().conflations, 0u);
  EXPECT_TRUE(stalled->messages().empty());  // it has read nothing all along

  const auto final_seq = static_cast<int64_t>(hub.inst().book_seq);
  for (auto& r : readers) {
    const auto& msgs = r->messages();
    ASSERT_EQ(msgs.size(), static_cast<size_t>(n) + 2);
    EXPECT_EQ(msgs[0], kSubscribedBook);
    ReplicaBook replica;
    for (size_t i = 1; i < msgs.size(); ++i) {
      const Msg m = parse(msgs[i]);
      ASSERT_EQ(m.type, i == 1 ? "book_snapshot" : "book_update") << msgs[i];
      EXPECT_EQ(m.seq, static_cast<int64_t>(i)) << msgs[i];  // the snapshot is seq 1
      replica.apply(m);
    }
    EXPECT_EQ(parse(msgs.back()).seq, final_seq);
    EXPECT_EQ(replica.side(Side::bid), engine_side(hub.inst(), Side::bid));
    EXPECT_EQ(replica.side(Side::ask), engine_side(hub.inst(), Side::ask));
  }

  // The stalled client catches up to the same book once it reads.
  stalled->start_reading();
  ASSERT_TRUE(hub.run_until(
      [&] {
        return stalled->closed() ||
               (stalled->messages().size() > 1 && parse(stalled->messages().back()).seq == final_seq);
      },
      10000ms));
  ASSERT_FALSE(stalled->closed());
  ReplicaBook replica;
  for (size_t i = 1; i < stalled->messages().size(); ++i) replica.apply(parse(stalled->messages()[i]));
  EXPECT_EQ(replica.side(Side::bid), engine_side(hub.inst(), Side::bid));
  EXPECT_EQ(replica.side(Side::ask), engine_side(hub.inst(), Side::ask));
  EXPECT_EQ(hub.stats().slow_consumers, 0u);
  EXPECT_EQ(hub.stats().clients, kReaders + 1);
}

TEST(AppWsFanout, StopSendsTheQueuedFramesThenCloses1001) {
  Hub hub(threaded(2));
  Client c(hub, kSmallRcvbuf);
  c.send(R"({"op":"subscribe","channels":["trades:btse:BTC-USD"],"id":1})");
  ASSERT_TRUE(hub.run_until([&] { return hub.stats().subscriptions == 1; }));

  // Trades the client does not read, until a good part of them waits in the server's queue.
  int64_t pushed = 0;
  while (hub.queued_bytes() < (64 << 10) && pushed < kMaxPushes) {
    hub.trade(++pushed);
    hub.poll();
  }
  ASSERT_GT(hub.queued_bytes(), 0u);
  ASSERT_EQ(hub.stats().slow_consumers, 0u);

  bool notified = false;
  hub.server().stop(1001, [&] { notified = true; });
  ASSERT_TRUE(c.wait_closed(10000ms));
  const auto& msgs = c.messages();
  ASSERT_EQ(msgs.size(), static_cast<size_t>(pushed) + 1);
  EXPECT_EQ(msgs[0], kSubscribedTrades);
  EXPECT_EQ(expect_trades_from_one(msgs, 1), pushed);
  EXPECT_EQ(c.read_error(), websocket::error::closed);
  EXPECT_EQ(c.close_reason().code, 1001);
  EXPECT_EQ(c.close_reason().reason, "going away");
  ASSERT_TRUE(hub.run_until([&] { return notified; }));
  EXPECT_EQ(hub.stats().clients, 0u);
  EXPECT_EQ(hub.server().ws_sessions(), 0u);
}

}  // namespace
}  // namespace mdhub::test
