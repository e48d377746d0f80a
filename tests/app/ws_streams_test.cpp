// Websocket API stream lifetime: a concrete channel's state exists only while someone
// subscribes to it. Unsubscribes and disconnects release it, a later subscribe starts it
// over with a fresh snapshot, wildcards still reach instruments listed later, and a client
// closed in the middle of a fan-out does not disturb the other subscribers, and subscribers
// of an unchanged book share one snapshot.
#include <memory>

#include "book/decimal.hpp"
#include "tests/app/ws_harness.hpp"

namespace mdhub::test {
namespace {

std::string request(std::string_view op, const std::vector<std::string>& channels, int id) {
  std::string b = R"({"op":")" + std::string(op) + R"(","channels":[)";
  for (size_t i = 0; i < channels.size(); ++i) b += (i ? ",\"" : "\"") + channels[i] + '"';
  return b + R"(],"id":)" + std::to_string(id) + "}";
}

/// book<from>..book<to> of btse BTC-USD.
std::vector<std::string> top_channels(size_t from, size_t to) {
  std::vector<std::string> v;
  for (size_t n = from; n <= to; ++n) v.push_back("book" + std::to_string(n) + ":btse:BTC-USD");
  return v;
}

/// Ten levels a side: bids 990.00 down to 989.10, asks 1001.00 up to 1001.90.
std::vector<LevelUpdate> ten_levels() {
  std::vector<LevelUpdate> v;
  for (int64_t i = 0; i < 10; ++i) {
    v.push_back({Side::bid, 99000 - i * 10, (i + 1) * 10000000});
    v.push_back({Side::ask, 100100 + i * 10, (i + 1) * 10000000});
  }
  return v;
}

std::vector<std::pair<std::string, std::string>> engine_top(const Hub& hub, Side side, size_t n) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const Level& l : engine_side(hub.inst(), side)) {
    if (out.size() == n) break;
    out.emplace_back(format_decimal(l.price, kPriceScale), format_decimal(l.qty, kQtyScale));
  }
  return out;
}

size_t count_type(const std::vector<std::string>& msgs, size_t from, std::string_view type) {
  size_t n = 0;
  for (size_t i = from; i < msgs.size(); ++i) n += parse(msgs[i]).type == type;
  return n;
}

TEST(AppWsStreams, ThousandBookChannelsAreReleasedByUnsubscribeAndDisconnect) {
  Hub hub(WsApiConfig{});
  hub.book(BookMsg::Type::snapshot, 1, 0, ten_levels());

  // Client k holds book<200k+1> .. book<200k+250>, overlapping the next client by 50:
  // book1 .. book1000 in all.
  std::vector<std::unique_ptr<Client>> clients;
  std::vector<std::vector<std::string>> held;
  for (size_t k = 0; k < 5; ++k) {
    held.push_back(top_channels(200 * k + 1, std::min<size_t>(200 * k + 250, 1000)));
    clients.push_back(std::make_unique<Client>(hub));
    clients[k]->send(request("subscribe", held[k], 1));
    ASSERT_TRUE(clients[k]->wait_messages(1 + held[k].size())) << k;
    EXPECT_EQ(parse(clients[k]->messages()[0]).type, "subscribed");
    EXPECT_EQ(count_type(clients[k]->messages(), 1, "book_snapshot"), held[k].size()) << k;
  }
  EXPECT_EQ(hub.stats().streams, 1000u);
  EXPECT_EQ(hub.stats().subscriptions, 4 * 250u + 200u);

  for (size_t k : {size_t{0}, size_t{1}}) {
    clients[k]->send(request("unsubscribe", held[k], 2));
    ASSERT_TRUE(clients[k]->wait_messages(2 + held[k].size()));
    EXPECT_EQ(parse(clients[k]->messages().back()).type, "unsubscribed");
  }
  EXPECT_EQ(hub.stats().streams, 600u);  // book401 .. book1000
  EXPECT_EQ(hub.stats().subscriptions, 2 * 250u + 200u);

  // Half of client 2's, then the rest of them with its close handshake.
  clients[2]->send(request("unsubscribe", top_channels(401, 525), 2));
  ASSERT_TRUE(clients[2]->wait_messages(2 + held[2].size()));
  EXPECT_EQ(hub.stats().streams, 475u);  // book526 .. book1000
  clients[2]->close();
  ASSERT_TRUE(clients[2]->wait_closed());
  ASSERT_TRUE(hub.run_until([&] { return hub.stats().clients == 4; }));
  EXPECT_EQ(hub.stats().streams, 400u);  // book601 .. book1000

  // A client that vanishes without a close frame releases its channels too.
  clients[3]->drop();
  ASSERT_TRUE(hub.run_until([&] { return hub.stats().clients == 3; }));
  EXPECT_EQ(hub.stats().streams, 200u);  // book801 .. book1000, client 4's own
  EXPECT_EQ(hub.stats().subscriptions, 200u);

  // The streams still held are fanned out to as before: one update each for a change at
  // the top of the book.
  const size_t before = clients[4]->messages().size();
  hub.book(BookMsg::Type::delta, 2, 1, {{Side::bid, 99000, 12345}});
  ASSERT_TRUE(clients[4]->wait_messages(before + 200));
  for (size_t i = before; i < clients[4]->messages().size(); ++i) {
    const Msg m = parse(clients[4]->messages()[i]);
    EXPECT_EQ(m.type, "book_update");
    EXPECT_EQ(m.bids, (std::vector<std::pair<std::string, std::string>>{{"990", "0.00012345"}}));
  }

  clients[4]->close();
  ASSERT_TRUE(clients[4]->wait_closed());
  ASSERT_TRUE(hub.run_until([&] { return hub.stats().clients == 2; }));
  EXPECT_EQ(hub.stats().streams, 0u);
  EXPECT_EQ(hub.stats().subscriptions, 0u);

  // One client cycling through every name, a round at a time, leaves nothing behind.
  Client& cycler = *clients[0];
  size_t seen = cycler.messages().size();
  for (size_t round = 0; round < 4; ++round) {
    const auto names = top_channels(250 * round + 1, 250 * round + 250);
    cycler.send(request("subscribe", names, 3));
    cycler.send(request("unsubscribe", names, 4));
    seen += 2 + names.size();
    ASSERT_TRUE(cycler.wait_messages(seen)) << round;
    EXPECT_EQ(parse(cycler.messages().back()).type, "unsubscribed");
    EXPECT_EQ(hub.stats().streams, 0u) << round;
  }
  EXPECT_EQ(hub.stats().subscriptions, 0u);
}

TEST(AppWsStreams, ARecreatedChannelStartsOverWithAFreshSnapshot) {
  Hub hub(WsApiConfig{});
  hub.book(BookMsg::Type::snapshot, 1, 0, ten_levels());
  Client c(hub);
  c.send(R"({"op":"subscribe","channels":["book5:btse:BTC-USD","trades:btse:BTC-USD"],"id":1})");
  ASSERT_TRUE(c.wait_messages(2));
  const Msg first = parse(c.messages()[1]);
  ASSERT_EQ(first.type, "book_snapshot");
  EXPECT_EQ(first.bids, engine_top(hub, Side::bid, 5));
  hub.book(BookMsg::Type::delta, 2, 1, {{Side::bid, 99000, 12345}});
  hub.trade(1);
  ASSERT_TRUE(c.wait_messages(4));
  EXPECT_EQ(parse(c.messages()[2]).seq, first.seq + 1);
  EXPECT_EQ(parse(c.messages()[3]).seq, 1);

  c.send(R"({"op":"unsubscribe","channels":["book5:btse:BTC-USD","trades:btse:BTC-USD"],"id":2})");
  ASSERT_TRUE(c.wait_messages(5));
  EXPECT_EQ(c.messages()[4], R"({"type":"unsubscribed","id":2,"channels":["book5:btse:BTC-USD","trades:btse:BTC-USD"]})");
  EXPECT_EQ(hub.stats().streams, 0u);

  // The book moves while nobody watches: a new best bid, the best ask gone.
  hub.book(BookMsg::Type::delta, 3, 2, {{Side::bid, 99010, 100000000}, {Side::ask, 100100, 0}});
  hub.trade(2);

  c.send(R"({"op":"subscribe","channels":["book5:btse:BTC-USD","trades:btse:BTC-USD"],"id":3})");
  ASSERT_TRUE(c.wait_messages(7));
  EXPECT_EQ(parse(c.messages()[5]).type, "subscribed");
  const Msg again = parse(c.messages()[6]);
  ASSERT_EQ(again.type, "book_snapshot");
  EXPECT_EQ(again.seq, first.seq);  // the channel starts over
  EXPECT_EQ(again.bids, (std::vector<std::pair<std::string, std::string>>{
                            {"990.1", "1"}, {"990", "0.00012345"}, {"989.9", "0.2"}, {"989.8", "0.3"}, {"989.7", "0.4"}}));
  EXPECT_EQ(again.asks, engine_top(hub, Side::ask, 5));
  EXPECT_EQ(again.asks.front().first, "1001.1");

  // Updates follow the new snapshot, diffed against it.
  hub.book(BookMsg::Type::delta, 4, 3, {{Side::bid, 99010, 0}});
  hub.trade(3);
  ASSERT_TRUE(c.wait_messages(9));
  const Msg upd = parse(c.messages()[7]);
  EXPECT_EQ(upd.type, "book_update");
  EXPECT_EQ(upd.seq, again.seq + 1);
  ReplicaBook replica;
  replica.apply(again);
  replica.apply(upd);
  std::vector<Level> want = engine_side(hub.inst(), Side::bid);
  want.resize(5);
  EXPECT_EQ(replica.side(Side::bid), want);
  const Msg trade = parse(c.messages()[8]);
  EXPECT_EQ(trade.type, "trade");
  EXPECT_EQ(trade.trade_id, "3");
  EXPECT_EQ(trade.seq, 3);  // the instrument's trade sequence, not the channel's count
  EXPECT_EQ(hub.stats().streams, 2u);
}

TEST(AppWsStreams, SubscribersOfAnUnchangedBookShareOneSnapshot) {
  Hub hub(WsApiConfig{});
  hub.book(BookMsg::Type::snapshot, 1, 0, ten_levels());
  auto subscribe = [&](Client& c) {
    c.send(R"({"op":"subscribe","channels":["book:btse:BTC-USD"],"id":1})");
    EXPECT_TRUE(c.wait_messages(2));
    return c.messages().size() > 1 ? c.messages()[1] : std::string();
  };
  Client a(hub), b(hub);
  const std::string first = subscribe(a);
  const Msg m = parse(first);
  ASSERT_EQ(m.type, "book_snapshot");
  EXPECT_EQ(m.bids, engine_top(hub, Side::bid, 100));
  EXPECT_EQ(m.asks, engine_top(hub, Side::ask, 100));
  EXPECT_EQ(subscribe(b), first);  // the same message, not rendered again
  EXPECT_EQ(hub.stats().snapshots_reused, 1u);

  // A change: the next subscriber gets the new book, at the new seq, and shares it in turn.
  hub.book(BookMsg::Type::delta, 2, 1, {{Side::bid, 99010, 100000000}, {Side::ask, 100100, 0}});
  ASSERT_TRUE(a.wait_messages(3));
  ASSERT_TRUE(b.wait_messages(3));
  Client c(hub), d(hub);
  const std::string after = subscribe(c);
  const Msg n = parse(after);
  ASSERT_EQ(n.type, "book_snapshot");
  EXPECT_EQ(n.seq, m.seq + 1);
  EXPECT_EQ(n.bids, engine_top(hub, Side::bid, 100));
  EXPECT_EQ(n.bids.size(), 11u);
  EXPECT_EQ(n.bids.front(), (std::pair<std::string, std::string>{"990.1", "1"}));
  EXPECT_EQ(n.asks.size(), 9u);
  EXPECT_EQ(n.asks, engine_top(hub, Side::ask, 100));
  EXPECT_EQ(hub.stats().snapshots_reused, 1u);
  EXPECT_EQ(subscribe(d), after);
  EXPECT_EQ(hub.stats().snapshots_reused, 2u);
  // The first subscribers' update takes them to the same book.
  ReplicaBook replica;
  replica.apply(m);
  replica.apply(parse(a.messages()[2]));
  EXPECT_EQ(replica.side(Side::bid), engine_side(hub.inst(), Side::bid));
  EXPECT_EQ(replica.side(Side::ask), engine_side(hub.inst(), Side::ask));
}

TEST(AppWsStreams, WildcardsReachLaterInstrumentsAndReleaseWhatTheyCovered) {
  Hub hub(WsApiConfig{});
  Client c(hub);
  c.send(R"({"op":"subscribe","channels":["trades:btse:*","book5:all:*"],"id":1})");
  ASSERT_TRUE(c.wait_messages(1));
  ASSERT_TRUE(hub.run_until([&] { return hub.stats().subscriptions == 2; }));
  EXPECT_EQ(hub.stats().streams, 2u);

  const uint32_t eth = hub.add_symbol("ETH-USD");
  EXPECT_EQ(hub.stats().streams, 4u);  // trades:btse:ETH-USD, book5:all:ETH-USD
  EXPECT_EQ(hub.stats().subscriptions, 4u);
  hub.trade(1, eth);
  ASSERT_TRUE(hub.run_until([&] { return !c.messages().empty() && parse(c.messages().back()).type == "trade"; }));
  const Msg t = parse(c.messages().back());
  EXPECT_EQ(t.channel, "trades:btse:ETH-USD");
  EXPECT_EQ(t.seq, 1);

  // A concrete subscription outlives a wildcard that also covered it.
  Client d(hub);
  d.send(R"({"op":"subscribe","channels":["trades:btse:ETH-USD","trades:*:*"],"id":1})");
  d.send(R"({"op":"unsubscribe","channels":["trades:*:*"],"id":2})");
  d.send(R"({"op":"list","id":3})");
  ASSERT_TRUE(d.wait_messages(3));
  EXPECT_EQ(d.messages()[1], R"({"type":"unsubscribed","id":2,"channels":["trades:*:*"]})");
  EXPECT_EQ(d.messages()[2], R"({"type":"list","id":3,"channels":["trades:btse:ETH-USD"]})");
  EXPECT_EQ(hub.stats().subscriptions, 5u);
  EXPECT_EQ(hub.stats().streams, 4u);

  const size_t seen = c.messages().size();
  c.send(R"({"op":"unsubscribe","channels":["trades:btse:*"],"id":2})");
  ASSERT_TRUE(c.wait_messages(seen + 1));
  EXPECT_EQ(hub.stats().streams, 3u);  // d's ETH-USD trades and the two consolidated books
  c.send(R"({"op":"unsubscribe","channels":["book5:all:*"],"id":3})");
  ASSERT_TRUE(c.wait_messages(seen + 2));
  EXPECT_EQ(hub.stats().streams, 1u);
  EXPECT_EQ(hub.stats().subscriptions, 1u);

  // A pattern that is gone attaches nothing new.
  hub.add_symbol("SOL-USD");
  EXPECT_EQ(hub.stats().streams, 1u);

  d.drop();
  ASSERT_TRUE(hub.run_until([&] { return hub.stats().clients == 1; }));
  EXPECT_EQ(hub.stats().streams, 0u);
  EXPECT_EQ(hub.stats().subscriptions, 0u);
  c.send(R"({"op":"ping","id":4})");
  ASSERT_TRUE(c.wait_messages(seen + 3));
  EXPECT_EQ(c.messages().back(), R"({"type":"pong","id":4})");
}

/// Messages after the first (the subscribed reply), grouped by channel: each channel's seq
/// must run 1, 2, ... without a hole; returns how many each channel had.
std::map<std::string, int64_t> per_channel(const std::vector<std::string>& msgs) {
  std::map<std::string, int64_t> n;
  for (size_t i = 1; i < msgs.size(); ++i) {
    const Msg m = parse(msgs[i]);
    EXPECT_TRUE(m.type == "trade" || m.type == "candle") << msgs[i];
    EXPECT_EQ(m.seq, ++n[m.channel]) << msgs[i];
    if (m.type == "trade") {
      EXPECT_EQ(m.trade_id, std::to_string(m.seq));
    }
  }
  return n;
}

TEST(AppWsStreams, ASubscriberClosedDuringFanOutLeavesTheOthersWhole) {
  WsApiConfig cfg;
  cfg.queue_bytes = 16 << 10;
  Hub hub(cfg);
  // Every trade fans out to the instrument's trades stream, then to one candle stream per
  // interval. The slow client is the only subscriber of two of them, shares the others
  // and sits between the two good clients in each shared stream's subscriber list.
  Client good(hub);
  good.send(R"({"op":"subscribe","channels":["trades:btse:BTC-USD","candles.1m:btse:BTC-USD","candles.5m:btse:BTC-USD"],"id":1})");
  ASSERT_TRUE(good.wait_messages(1));
  Client slow(hub, 4096);
  slow.send(R"({"op":"subscribe","channels":["trades:btse:BTC-USD","candles.1m:btse:BTC-USD","candles.5m:btse:BTC-USD","candles.1h:btse:BTC-USD","candles.1d:btse:BTC-USD"],"id":1})");
  ASSERT_TRUE(hub.run_until([&] { return hub.stats().subscriptions == 8; }));
  Client good2(hub);
  good2.send(R"({"op":"subscribe","channels":["trades:btse:BTC-USD","candles.5m:btse:BTC-USD"],"id":1})");
  ASSERT_TRUE(good2.wait_messages(1));
  EXPECT_EQ(hub.stats().streams, 5u);
  EXPECT_EQ(hub.stats().subscriptions, 10u);

  auto push = [&](int64_t n) {
    hub.trade(n);
    ASSERT_TRUE(good.wait_messages(1 + 3 * static_cast<size_t>(n))) << n;
    ASSERT_TRUE(good2.wait_messages(1 + 2 * static_cast<size_t>(n))) << n;
  };
  int64_t pushed = 0;
  while (hub.stats().slow_consumers == 0 && pushed < 100000) {
    push(++pushed);
    if (HasFatalFailure()) return;
  }
  ASSERT_EQ(hub.stats().slow_consumers, 1u);
  for (int i = 0; i < 5; ++i) push(++pushed);

  ASSERT_TRUE(slow.wait_closed());
  EXPECT_EQ(parse(slow.messages().back()).code, "slow_consumer");
  EXPECT_EQ(slow.close_reason().code, 1008);
  ASSERT_TRUE(hub.run_until([&] { return hub.stats().clients == 2; }));
  EXPECT_EQ(hub.stats().streams, 3u);  // its 1h and 1d candles went with it
  EXPECT_EQ(hub.stats().subscriptions, 5u);
  for (int i = 0; i < 5; ++i) push(++pushed);

  ASSERT_EQ(good.messages().size(), 1 + 3 * static_cast<size_t>(pushed));
  ASSERT_EQ(good2.messages().size(), 1 + 2 * static_cast<size_t>(pushed));
  EXPECT_EQ(per_channel(good.messages()),
            (std::map<std::string, int64_t>{{"trades:btse:BTC-USD", pushed},
                                            {"candles.1m:btse:BTC-USD", pushed},
                                            {"candles.5m:btse:BTC-USD", pushed}}));
  EXPECT_EQ(per_channel(good2.messages()),
            (std::map<std::string, int64_t>{{"trades:btse:BTC-USD", pushed}, {"candles.5m:btse:BTC-USD", pushed}}));

  good.close();
  good2.drop();
  ASSERT_TRUE(good.wait_closed());
  ASSERT_TRUE(hub.run_until([&] { return hub.stats().clients == 0; }));
  EXPECT_EQ(hub.stats().streams, 0u);
  EXPECT_EQ(hub.stats().subscriptions, 0u);
}

}  // namespace
}  // namespace mdhub::test
