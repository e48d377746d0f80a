// Websocket feed status: status:<venue> / status:* channels and the venue's book subscribers
// get {"type":"status",...} on every feed state change and when its books turn stale or stop
// being stale; after that the book channel starts again with a fresh snapshot.
#include "tests/app/ws_harness.hpp"

namespace mdhub::test {
namespace {

constexpr int64_t kSec = 1'000'000'000;

std::string subscribe(const std::vector<std::string>& channels, int id) {
  std::string b = R"({"op":"subscribe","channels":[)";
  for (size_t i = 0; i < channels.size(); ++i) b += (i ? ",\"" : "\"") + channels[i] + '"';
  return b + R"(],"id":)" + std::to_string(id) + "}";
}

std::string status(std::string_view state, bool stale) {
  return R"({"type":"status","venue":"btse","state":")" + std::string(state) + R"(","stale":)" +
         (stale ? "true" : "false") + "}";
}

std::vector<LevelUpdate> one_level_a_side(int64_t bid) {
  return {{Side::bid, bid, 100000000}, {Side::ask, 100100, 200000000}};
}

TEST(AppWsStatus, StateChangesReachStatusAndBookSubscribersOnly) {
  Hub hub(WsApiConfig{});
  hub.book(BookMsg::Type::snapshot, 1, 0, one_level_a_side(99000));
  Client status_one(hub), status_all(hub), book(hub), trades(hub);
  status_one.send_now(subscribe({"status:btse"}, 1));
  status_all.send_now(subscribe({"status:*", "trades:btse:BTC-USD"}, 2));
  book.send_now(subscribe({"book:btse:BTC-USD"}, 3));
  trades.send_now(subscribe({"trades:btse:BTC-USD"}, 4));
  ASSERT_TRUE(status_one.wait_messages(1));
  EXPECT_EQ(status_one.messages()[0], R"({"type":"subscribed","id":1,"channels":["status:btse"]})");
  ASSERT_TRUE(status_all.wait_messages(1));
  EXPECT_EQ(status_all.messages()[0], R"({"type":"subscribed","id":2,"channels":["status:*","trades:btse:BTC-USD"]})");
  ASSERT_TRUE(book.wait_messages(2));
  EXPECT_EQ(parse(book.messages()[1]).type, "book_snapshot");
  ASSERT_TRUE(trades.wait_messages(1));

  // Each of the three gets exactly the status messages, in order, after what it had.
  const std::vector<Client*> told{&status_one, &status_all, &book};
  std::vector<size_t> had;
  for (Client* c : told) had.push_back(c->messages().size());
  hub.engine().on_state(0, FeedState::connecting);
  // Turning stale is said too; the book channel then stays silent.
  hub.engine().check_stale(10 * kSec);
  hub.engine().check_stale(15 * kSec);
  for (size_t i = 0; i < told.size(); ++i) {
    ASSERT_TRUE(told[i]->wait_messages(had[i] + 2)) << i;
    EXPECT_EQ(told[i]->messages()[had[i]], status("connecting", false)) << i;
    EXPECT_EQ(told[i]->messages()[had[i] + 1], status("connecting", true)) << i;
  }
  // A client with neither a status nor a book channel of the venue heard nothing: its pong
  // comes after anything sent to it before.
  trades.send_now(R"({"op":"ping","id":9})");
  ASSERT_TRUE(trades.wait_messages(2));
  EXPECT_EQ(trades.messages()[1], R"({"type":"pong","id":9})");
  for (size_t i = 0; i < told.size(); ++i) EXPECT_EQ(told[i]->messages().size(), had[i] + 2) << i;

  // Back live: said at once (still stale), then not stale once the timer finds it live;
  // the book channel starts again with a snapshot of the new book.
  hub.engine().on_state(0, FeedState::live);
  hub.engine().check_stale(16 * kSec);
  const size_t before = book.messages().size();
  ASSERT_TRUE(book.wait_messages(before + 2));
  EXPECT_EQ(book.messages()[before], status("live", true));
  EXPECT_EQ(book.messages()[before + 1], status("live", false));
  hub.book(BookMsg::Type::snapshot, 7, 0, one_level_a_side(99500));
  ASSERT_TRUE(book.wait_messages(before + 3));
  const Msg snap = parse(book.messages()[before + 2]);
  EXPECT_EQ(snap.type, "book_snapshot");
  EXPECT_EQ(snap.bids, (std::vector<std::pair<std::string, std::string>>{{"995", "1"}}));
  ASSERT_TRUE(status_one.wait_messages(5));
  EXPECT_EQ(status_one.messages()[3], status("live", true));
  EXPECT_EQ(status_one.messages()[4], status("live", false));
}

TEST(AppWsStatus, StatusChannelsAreValidatedAndListed) {
  Hub hub(WsApiConfig{});
  Client c(hub);
  c.send_now(subscribe({"status:nowhere"}, 1));
  c.send_now(subscribe({"status:"}, 2));
  c.send_now(subscribe({"status:all"}, 3));
  c.send_now(subscribe({"status:btse:BTC-USD"}, 4));
  c.send_now(subscribe({"status:btse"}, 5));
  c.send_now(R"({"op":"list","id":6})");
  ASSERT_TRUE(c.wait_messages(6));
  EXPECT_EQ(c.messages()[0], R"({"type":"error","id":1,"code":"unknown_channel","message":"no venue 'nowhere' is configured","channel":"status:nowhere"})");
  for (size_t i = 1; i < 4; ++i) EXPECT_EQ(parse(c.messages()[i]).code, "bad_channel") << c.messages()[i];
  EXPECT_EQ(c.messages()[1], R"({"type":"error","id":2,"code":"bad_channel","message":"a status channel is status:<venue> or status:*","channel":"status:"})");
  EXPECT_EQ(c.messages()[4], R"({"type":"subscribed","id":5,"channels":["status:btse"]})");
  EXPECT_EQ(c.messages()[5], R"({"type":"list","id":6,"channels":["status:btse"]})");
  // Unsubscribing ends it.
  c.send_now(R"({"op":"unsubscribe","channels":["status:btse"],"id":7})");
  ASSERT_TRUE(c.wait_messages(7));
  EXPECT_EQ(c.messages()[6], R"({"type":"unsubscribed","id":7,"channels":["status:btse"]})");
  hub.engine().on_state(0, FeedState::down);
  c.send_now(R"({"op":"ping","id":8})");
  ASSERT_TRUE(c.wait_messages(8));
  EXPECT_EQ(c.messages()[7], R"({"type":"pong","id":8})");
}

}  // namespace
}  // namespace mdhub::test
